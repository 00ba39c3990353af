"""The asyncio session guard of the lock-like recipes (the twin of ``recipes/_session_guard.py``).

Same bookkeeping and the same rules as :class:`~zkrecipes.recipes._session_guard.SessionGuard`:
one state listener per acquisition; SUSPENDED sets ``suspended``, CONNECTED
clears it; LOST bumps ``epoch`` (a pending acquisition starts over) and, if the
lock is held (and its node dies with the session), marks it released and lost,
calls the recipe's ``forget`` hook and then the user's ``on_lost(owner)`` — a
plain callable or a coroutine function, awaited on the client's SESSION queue.

Everything runs on the event loop, so there is no thread lock; ``wake`` is an
:class:`asyncio.Event`, cleared by :meth:`begin_round` *before* a round reads
anything (a change after the read sets it again: no lost wake-up).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes._sequence import Restart
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["AsyncSessionGuard", "wait_event"]

log = logging.getLogger(__name__)

#: Called when a held lock is lost: drop the node's identity, return the follow-up (a reap).
ForgetHook = Callable[[], Callable[[], object]]


async def wait_event(event: asyncio.Event, timeout: float | None) -> bool:
    """Wait for ``event`` up to ``timeout`` s (None: forever); True if it is set."""
    if event.is_set():
        return True
    if timeout is not None and timeout <= 0:
        return False
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return event.is_set()
    return True


class AsyncSessionGuard:
    """Held/suspended/lost state of one asyncio lock-like recipe object, kept current by a listener."""

    def __init__(self, client: AsyncRecipeClient, owner: object, on_lost: Callable[[Any], object] | None,
                 forget: ForgetHook) -> None:
        self.client = client
        self.owner = owner
        self.on_lost = on_lost
        self.forget = forget
        self.cancelled = False
        self.held = False
        self.lost = False
        self.suspended = False
        self.epoch = 0
        self.survives_session = False
        self.wake = asyncio.Event()
        self._listener: Callable[[ZkState], Any] | None = None

    def start_listening(self) -> None:
        """Register a fresh listener (replacing this guard's previous one)."""

        async def listener(state: ZkState) -> bool:
            return await self._on_state(listener, state)

        old, self._listener = self._listener, listener
        self.suspended = self.client.state == ZkState.SUSPENDED
        if old is not None:
            safe_remove_listener(self.client, old)  # type: ignore[arg-type]
        self.client.add_listener(listener)

    def stop_listening(self) -> None:
        """Remove the listener; ``suspended`` reads False from now on."""
        listener, self._listener = self._listener, None
        self.suspended = False
        if listener is not None:
            safe_remove_listener(self.client, listener)  # type: ignore[arg-type]

    async def _on_state(self, me: Callable[[ZkState], Any], state: ZkState) -> bool:
        if me is not self._listener:
            return True  # a stale registration: remove it
        follow_up: Callable[[], object] | None = None
        if state == ZkState.SUSPENDED:
            self.suspended = True
        elif state == ZkState.CONNECTED or (state == ZkState.LOST and self.survives_session):
            self.suspended = False
        elif state == ZkState.LOST:
            self.suspended = False
            self.epoch += 1
            if self.held:
                self.held = False
                self.lost = True
                self._listener = None
                follow_up = self.forget()
        self.wake.set()
        if follow_up is None:
            return False
        follow_up()
        if self.on_lost is not None:
            try:
                outcome = self.on_lost(self.owner)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("on_lost callback of %r failed", self.owner)
        return True

    def mark_held(self, epoch: int) -> None:
        """Record the lock as held if the session of ``epoch`` is still current, else :class:`Restart`."""
        if epoch != self.epoch:
            raise Restart
        self.held = True
        self.lost = False

    def cancel(self) -> None:
        """Make a pending acquire raise :class:`~zkrecipes.exceptions.CancelledError`."""
        self.cancelled = True
        self.wake.set()

    def begin_round(self, epoch: int, what: str) -> None:
        """Clear ``wake``; raise CancelledError after :meth:`cancel`, :class:`Restart` after a LOST."""
        self.wake.clear()
        if self.cancelled:
            raise CancelledError(f"acquire of {what} cancelled")
        if epoch != self.epoch:
            raise Restart

    async def backoff(self, deadline: Deadline, attempt: int) -> None:
        """Wait before a retry: for a state change (or cancel) while disconnected, else briefly."""
        self.wake.clear()
        pause = 1.0 if not self.client.connected else min(1.0, 0.05 * (2**attempt))
        await wait_event(self.wake, deadline.capped(pause))
