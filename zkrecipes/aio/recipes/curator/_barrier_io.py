"""The asyncio I/O the Curator barriers share: bounded requests and removing a finished wait's watches.

* :func:`bounded` awaits a request for at most the deadline's remaining time
  (:class:`Expired` after it; the request stays pending in the session and its
  late reply is discarded).
* :func:`drop_watches` removes our exists/data watches (``remove_watches``: the
  server checks the watch, the local registration goes, so it is not set again
  by a reconnect) so a wait leaves nothing behind (apache/curator#1292),
  however it ended; it runs
  in a task of its own, awaited at most ``SETTLE_WAIT`` s, so a cancelled wait
  still removes them. Skipped while disconnected: a watch left then fires
  into a finished wait's wake-up event, which nobody waits on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.aio.recipes._nodes import settle, spawn
from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.exceptions import ZkException

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["Expired", "bounded", "drop_watches"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class Expired(Exception):
    """The deadline passed while a request was pending."""


async def bounded(request: Awaitable[_T], deadline: Deadline) -> _T:
    """``await request`` within ``deadline`` (:class:`Expired` when it passes first)."""
    try:
        return await asyncio.wait_for(request, deadline.remaining())
    except TimeoutError:
        raise Expired from None


async def _drop(client: AsyncRecipeClient, paths: list[str], callback: Callable[..., Any]) -> None:
    for path in paths:
        if not client.connected:
            return
        try:
            await client.remove_watches(path, callback, WatcherType.DATA)
        except ZkException:  # NoWatcher: it fired already; or the connection went
            log.debug("removing the watch of %s failed", path, exc_info=True)


async def drop_watches(client: AsyncRecipeClient, paths: Iterable[str], callback: Callable[..., Any]) -> None:
    """Remove ``callback``'s watches on ``paths`` (see the module docstring)."""
    listed = sorted(set(paths))
    if listed:
        await settle(spawn(_drop(client, listed, callback), f"zkrecipes-unwatch-{listed[0]}"))
