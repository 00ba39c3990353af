"""A wake-up for asyncio recipes that wait on a watch: set by watch callbacks and every state change.

The twin of the sync barrier's ``_Waker``: ``async with AsyncWaker(client) as
waker`` registers a state listener for the block (removed on exit, also when
the block is cancelled); pass :meth:`on_watch` as the watch callback. A round
clears the event *before* it reads, so a change after the read is never missed.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._guard import wait_event

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes._deadline import Deadline
    from zkrecipes.states import ZkState

__all__ = ["AsyncWaker"]


class AsyncWaker:
    """An :class:`asyncio.Event` set by watch callbacks and by every session state change."""

    def __init__(self, client: AsyncRecipeClient) -> None:
        self.client = client
        self.event = asyncio.Event()

    async def __aenter__(self) -> AsyncWaker:
        self.client.add_listener(self._on_state)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            self.client.remove_listener(self._on_state)
        except (KeyError, ValueError):
            pass

    def _on_state(self, state: ZkState) -> bool:
        self.event.set()
        return False

    def on_watch(self, event: object) -> None:
        """The watch callback: wake the waiter."""
        self.event.set()

    def clear(self) -> None:
        """Start a round: forget earlier wake-ups (call before reading)."""
        self.event.clear()

    async def wait(self, deadline: Deadline) -> bool:
        """Wait for a wake-up or the deadline; False when the deadline passed without one."""
        woke = await wait_event(self.event, deadline.remaining())
        return woke or not deadline.expired()
