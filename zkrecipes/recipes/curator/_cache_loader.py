"""Read a whole subtree with a bounded pipeline of requests (CuratorCache's loader).

Why a pipeline: one round trip per node makes a 70,000-child subtree a
minute-long load; sending every request at once has no bound on memory and
on what is outstanding. Here at most ``window`` requests are in flight; the
replies of one session arrive in the order sent, so the oldest is always
awaited first and nothing can deadlock, however many nodes there are (no
counter with a ceiling, unlike the 64k-party Phaser of CURATOR-690).

Each node costs a ``get`` and, when it has children (or when one-shot watches
are being set, as a child watch needs the list), a ``get_children`` sent once
the ``get`` answered. A node deleted meanwhile is left out. A child count
that cannot fit in one reply is refused before asking
(:func:`~._cache_rules.check_children_fit`). Connection errors propagate: the
caller reads again once connected.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator._cache_decide import needs_children
from zkrecipes.recipes.curator._cache_rules import check_children_fit
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Pending, RecipeClient, WatchFunc

__all__ = ["DEFAULT_WINDOW", "read_subtree"]

#: Requests in flight at most while loading.
DEFAULT_WINDOW = 256

_GET = 0
_CHILDREN = 1


def read_subtree(client: RecipeClient, top: str, watcher: WatchFunc | None, *, frame_limit: int,
                 window: int = DEFAULT_WINDOW, reply_timeout: float = 60.0,
                 cancelled: Callable[[], bool] | None = None,
                 ) -> dict[str, tuple[bytes | None, ZnodeStat, list[str]]]:
    """Every node at and below ``top``: path -> (data, stat, child names).

    With a ``watcher``, each node gets a data watch and a child watch (one-shot
    mode); without, no watch is set and leaves are not listed. An absent
    ``top`` gives an empty result. Once ``cancelled()`` is true no more requests
    are sent and what was read so far is returned (the caller drops it).
    """
    found: dict[str, tuple[bytes | None, ZnodeStat, list[str]]] = {}
    todo: collections.deque[str] = collections.deque([top])
    inflight: collections.deque[tuple[int, str, Pending[Any]]] = collections.deque()
    while todo or inflight:
        if cancelled is not None and cancelled():
            return found
        while todo and len(inflight) < window:
            path = todo.popleft()
            inflight.append((_GET, path, client.get_async(path, watcher)))
        kind, path, pending = inflight.popleft()
        try:
            result = pending.get(timeout=reply_timeout)
        except NoNodeError:
            if kind == _CHILDREN:
                found.pop(path, None)  # deleted after its get: its deletion is seen later
            continue
        if kind == _GET:
            data, stat = result
            found[path] = (data, stat, [])
            if needs_children(watcher is not None, stat):
                check_children_fit(path, stat.numChildren, frame_limit)
                inflight.append((_CHILDREN, path, client.get_children_async(path, watcher)))
        elif path in found:
            data, stat, _none = found[path]
            children = list(result)
            found[path] = (data, stat, children)
            todo.extend(join_path(path, child) for child in children)
    return found
