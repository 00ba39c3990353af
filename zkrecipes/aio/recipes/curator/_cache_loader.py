"""Read a whole subtree on asyncio with a bounded pipeline (the twin of ``recipes/curator/_cache_loader.py``).

Same reads and decisions as the threaded loader: a ``get`` per node and, when
:func:`~zkrecipes.recipes.curator._cache_decide.needs_children` says so, a
``get_children`` sent once the ``get`` answered (its size checked first by
:func:`~zkrecipes.recipes.curator._cache_rules.check_children_fit`); at most
``window`` requests outstanding, the oldest awaited first; a node deleted
meanwhile is left out. Each request is a task started in order, so the
requests go out in the order made.

**Cancellation**: the tasks not yet answered are cancelled (a request not yet
sent is never sent). Every path a watched request was made for is added to
``watched`` first, so the caller can take back a watch a cancelled load set.
"""

from __future__ import annotations

import asyncio
import collections
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator._cache_decide import needs_children
from zkrecipes.recipes.curator._cache_loader import DEFAULT_WINDOW
from zkrecipes.recipes.curator._cache_rules import check_children_fit
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, WatchFunc

__all__ = ["read_subtree"]

_GET = 0
_CHILDREN = 1


async def read_subtree(client: AsyncRecipeClient, top: str, watcher: WatchFunc | None, *,
                       frame_limit: int, watched: set[str], window: int = DEFAULT_WINDOW,
                       ) -> dict[str, tuple[bytes | None, ZnodeStat, list[str]]]:
    """Every node at and below ``top``: path -> (data, stat, child names); empty if ``top`` is absent."""
    found: dict[str, tuple[bytes | None, ZnodeStat, list[str]]] = {}
    todo: collections.deque[str] = collections.deque([top])
    inflight: collections.deque[tuple[int, str, asyncio.Future[Any]]] = collections.deque()

    def send(kind: int, path: str) -> None:
        if watcher is not None:
            watched.add(path)
        request = client.get(path, watcher) if kind == _GET else client.get_children(path, watcher)
        inflight.append((kind, path, asyncio.ensure_future(request)))

    try:
        while todo or inflight:
            while todo and len(inflight) < window:
                send(_GET, todo.popleft())
            kind, path, pending = inflight.popleft()
            try:
                result = await pending
            except NoNodeError:
                if kind == _CHILDREN:
                    found.pop(path, None)  # deleted after its get: its deletion is seen later
                continue
            if kind == _GET:
                data, stat = result
                found[path] = (data, stat, [])
                if needs_children(watcher is not None, stat):
                    check_children_fit(path, stat.numChildren, frame_limit)
                    send(_CHILDREN, path)
            elif path in found:
                data, stat, _none = found[path]
                children = list(result)
                found[path] = (data, stat, children)
                todo.extend(join_path(path, child) for child in children)
    finally:
        for _kind, _path, pending in inflight:
            if pending.done() and not pending.cancelled():
                pending.exception()  # retrieved: no "never retrieved" warning
            else:
                pending.cancel()
    return found
