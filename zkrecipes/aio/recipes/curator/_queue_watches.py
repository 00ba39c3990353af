"""The watches and waiters of one asyncio queue object, so ``close()`` leaves nothing behind.

Every watch the object sets uses one callback, :meth:`QueueWatches.callback`,
with its path recorded; a firing forgets the path (a one-shot watch that fired
is gone) and wakes every waiter. :meth:`QueueWatches.waiter` is a waiter's
event with a session state listener for its block (removed on exit, also
when the block is cancelled). :meth:`QueueWatches.close` removes every watch
still set (apache/curator#1292).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.exceptions import ZkException

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["QueueWatches"]


class QueueWatches:
    """One asyncio queue object's watch callback, its watched paths and its waiters' events."""

    def __init__(self, client: AsyncRecipeClient) -> None:
        self.client = client
        self._paths: set[str] = set()
        self._events: set[asyncio.Event] = set()

    def callback(self, path: str) -> Callable[[WatchedEvent], Any]:
        """The watch callback to set on ``path`` (recorded until it fires or :meth:`close`)."""
        self._paths.add(path)
        return self._fired

    def _fired(self, event: WatchedEvent) -> None:
        self._paths.discard(event.path)
        self.wake()

    def wake(self) -> None:
        """Wake every waiter."""
        for event in self._events:
            event.set()

    def _on_state(self, state: ZkState) -> bool:
        self.wake()
        return False

    @asynccontextmanager
    async def waiter(self) -> AsyncIterator[asyncio.Event]:
        """An event set by this object's watches and by every session state change, for the block."""
        event = asyncio.Event()
        if not self._events:
            self.client.add_listener(self._on_state)
        self._events.add(event)
        try:
            yield event
        finally:
            self._events.discard(event)
            if not self._events:
                _remove_listener(self.client, self._on_state)

    @property
    def watched(self) -> frozenset[str]:
        """The paths with a watch of ours not fired yet."""
        return frozenset(self._paths)

    async def close(self) -> None:
        """Remove every watch still set (best effort: a disconnected one dies with the session)."""
        paths, self._paths = set(self._paths), set()
        for path in paths:
            try:
                await self.client.remove_watches(path, self._fired, WatcherType.ANY)
            except ZkException:
                pass  # fired meanwhile, or disconnected
        self.wake()


def _remove_listener(client: AsyncRecipeClient, listener: Callable[[ZkState], bool]) -> None:
    try:
        client.remove_listener(listener)
    except (KeyError, ValueError):
        pass
