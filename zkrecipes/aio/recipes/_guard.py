"""The asyncio session guard of the lock-like recipes (the twin of ``recipes/_session_guard.py``).

The same bookkeeping and rules as :class:`~zkrecipes.recipes._session_guard.SessionGuard`
(one :class:`~zkrecipes.recipes._guard_rules.GuardBook` each):
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

from zkrecipes.recipes._guard_rules import BookField, GuardBook, StateVerdict, backoff_pause
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
    """Held/suspended/lost state of one asyncio lock-like recipe object, kept current by a listener.

    The bookkeeping and its rules are a :class:`~zkrecipes.recipes._guard_rules.GuardBook`
    (shared with the threaded guard); its fields read and write through this object.
    """

    # The book's fields, read and assigned as this guard's own (see GuardBook).
    cancelled = BookField[bool]()
    held = BookField[bool]()
    lost = BookField[bool]()
    suspended = BookField[bool]()
    epoch = BookField[int]()
    survives_session = BookField[bool]()

    def __init__(self, client: AsyncRecipeClient, owner: object, on_lost: Callable[[Any], object] | None,
                 forget: ForgetHook) -> None:
        self.client = client
        self.owner = owner
        self.on_lost = on_lost
        self.forget = forget
        self.book: GuardBook[Callable[[ZkState], Any]] = GuardBook()
        self.wake = asyncio.Event()

    # ------------------------------------------------------------ listening

    def start_listening(self) -> None:
        """Register a fresh listener (replacing this guard's previous one)."""

        async def listener(state: ZkState) -> bool:
            return await self._on_state(listener, state)

        old = self.book.listen(listener, self.client.state == ZkState.SUSPENDED)
        if old is not None:
            safe_remove_listener(self.client, old)  # type: ignore[arg-type]
        self.client.add_listener(listener)

    def stop_listening(self) -> None:
        """Remove the listener; ``suspended`` reads False from now on."""
        listener = self.book.stop()
        if listener is not None:
            safe_remove_listener(self.client, listener)  # type: ignore[arg-type]

    async def _on_state(self, me: Callable[[ZkState], Any], state: ZkState) -> bool:
        verdict = self.book.on_state(me, state)
        if verdict is StateVerdict.STALE:
            return True  # a stale registration: remove it
        follow_up = self.forget() if verdict is StateVerdict.LOST_HELD else None
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

    # ------------------------------------------------------------ holding and waiting

    def mark_held(self, epoch: int) -> None:
        """Record the lock as held if the session of ``epoch`` is still current, else :class:`Restart`."""
        self.book.mark_held(epoch)

    def cancel(self) -> None:
        """Make a pending acquire raise :class:`~zkrecipes.exceptions.CancelledError`."""
        self.book.cancelled = True
        self.wake.set()

    def begin_round(self, epoch: int, what: str) -> None:
        """Clear ``wake``; raise CancelledError after :meth:`cancel`, :class:`Restart` after a LOST."""
        self.wake.clear()
        self.book.check_round(epoch, what)

    async def backoff(self, deadline: Deadline, attempt: int) -> None:
        """Wait before a retry: for a state change (or cancel) while disconnected, else briefly."""
        self.wake.clear()
        await wait_event(self.wake, deadline.capped(backoff_pause(self.client.connected, attempt)))
