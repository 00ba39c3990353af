"""Watching a revocable lock node on asyncio: tell the hook when ``__REVOKE__`` is written into it.

The asyncio twin of the sync internals' revocation watch, driving the pure
:mod:`~zkrecipes.recipes.curator._revocation_rules`: read our node with a data
watch; each CHANGED event reads it again (re-arming the watch), and a read of
the revoke message awaits the hook (a plain callable or a coroutine function).
Every read runs in a task of its own (kept referenced, ended quietly: a node
gone, or the client stopped, ends the watch); the watch on a deleted node
fires DELETED and is not renewed, so nothing is left once the lock is released.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._nodes import spawn
from zkrecipes.recipes.curator._revocation_rules import is_revocation
from zkrecipes.states import EventType

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["RevokeHook", "watch_revocation"]

log = logging.getLogger(__name__)

#: Called when our node reads the revoke message; may return an awaitable (awaited).
RevokeHook = Callable[[], object]


def watch_revocation(client: AsyncRecipeClient, path: str, hook: Callable[[], RevokeHook | None]) -> None:
    """Watch ``path``'s data; call ``hook()`` (the current hook, None: ignore) on each revoke request."""

    def changed(event: WatchedEvent) -> None:
        if event.type == EventType.CHANGED:
            spawn(_read(client, path, changed, hook), f"zkrecipes-revocation-{path}")

    spawn(_read(client, path, changed, hook), f"zkrecipes-revocation-{path}")


async def _read(client: AsyncRecipeClient, path: str, changed: Callable[[WatchedEvent], None],
                hook: Callable[[], RevokeHook | None]) -> None:
    try:
        data, _stat = await client.get(path, watch=changed)
    except Exception:  # the node is gone or the client stopped: the watch ends
        log.debug("revocation watch on %s ended", path, exc_info=True)
        return
    told = hook()
    if not is_revocation(data) or told is None:
        return
    try:
        outcome = told()
        if inspect.isawaitable(outcome):
            await outcome
    except Exception:
        log.exception("revocation listener for %s failed", path)
