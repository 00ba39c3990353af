"""Session guarding for the lock-like recipes, as an object a recipe holds (not a base class).

A :class:`SessionGuard` keeps the held/suspended/lost bookkeeping of one
recipe object and the state listener that drives it (the bookkeeping's rules
are :mod:`zkrecipes.recipes._guard_rules`', shared with the asyncio guard):

* it registers one state listener per acquisition (:meth:`start_listening`,
  :meth:`stop_listening`; a stale registration removes itself);
* SUSPENDED sets ``suspended``; CONNECTED clears it;
* LOST bumps ``epoch`` (a pending acquisition notices and starts over) and,
  if the recipe holds its lock, marks it released and lost, asks the recipe to
  forget its node (the ``forget`` hook, under the guard's lock) and then calls
  the user's ``on_lost(owner)`` on the session queue. A recipe whose node
  outlives the session (``survives_session``) is not released by LOST.

Every waiter of the recipe waits on ``wake``: the listener, watch callbacks
and :meth:`cancel` set it. The invariant that avoids a lost wake-up: a round
clears ``wake`` (:meth:`begin_round`) *before* it reads anything, so a change
after the read sets it again and the wait that follows returns at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.recipes._guard_rules import BookField, GuardBook, StateVerdict, backoff_pause
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["SessionGuard", "safe_remove_listener"]

log = logging.getLogger(__name__)

#: The recipe's hook, called under the guard's lock when a held lock is lost:
#: drop the node's identity and return what to do about it outside the lock.
ForgetHook = Callable[[], Callable[[], None]]


def safe_remove_listener(client: RecipeClient, listener: Callable[[ZkState], Any]) -> None:
    """Remove a state listener that may already be gone."""
    try:
        client.remove_listener(listener)
    except (KeyError, ValueError):
        pass


class SessionGuard:
    """Held/suspended/lost state of one lock-like recipe object, kept current by a listener.

    ``owner`` is the recipe object passed to ``on_lost``; ``forget`` is its
    hook for LOST (see the module docstring). ``held``, ``lost`` and
    ``epoch`` change only under ``lock``. The bookkeeping and its rules are a
    :class:`~zkrecipes.recipes._guard_rules.GuardBook` (shared with the
    asyncio guard); its fields read and write through this object.
    """

    # The book's fields, read and assigned as this guard's own (see GuardBook).
    cancelled = BookField[bool]()
    held = BookField[bool]()
    lost = BookField[bool]()
    suspended = BookField[bool]()
    epoch = BookField[int]()
    survives_session = BookField[bool]()

    def __init__(
        self,
        client: RecipeClient,
        owner: object,
        on_lost: Callable[[Any], object] | None,
        forget: ForgetHook,
    ) -> None:
        self.client = client
        self.owner = owner
        self.on_lost = on_lost
        self.forget = forget
        self.book: GuardBook[Callable[[ZkState], bool]] = GuardBook()
        self.wake = client.handler.event_object()
        self.lock = client.handler.lock_object()

    # ------------------------------------------------------------ listening

    def start_listening(self) -> None:
        """Register a fresh listener (replacing this guard's previous one)."""

        def listener(state: ZkState) -> bool:
            return self._on_state(listener, state)

        with self.lock:
            old = self.book.listen(listener, self.client.state == ZkState.SUSPENDED)
        if old is not None:
            safe_remove_listener(self.client, old)
        self.client.add_listener(listener)

    def stop_listening(self) -> None:
        """Remove the listener; ``suspended`` reads False from now on."""
        with self.lock:
            listener = self.book.stop()
        if listener is not None:
            safe_remove_listener(self.client, listener)

    def _on_state(self, me: Callable[[ZkState], bool], state: ZkState) -> bool:
        follow_up: Callable[[], None] | None = None
        with self.lock:
            verdict = self.book.on_state(me, state)
            if verdict is StateVerdict.STALE:
                return True  # a stale registration: remove it
            if verdict is StateVerdict.LOST_HELD:
                follow_up = self.forget()
        self.wake.set()
        if follow_up is None:
            return False
        follow_up()
        if self.on_lost is not None:
            try:
                self.on_lost(self.owner)
            except Exception:
                log.exception("on_lost callback of %r failed", self.owner)
        return True

    # ------------------------------------------------------------ holding

    def mark_held(self, epoch: int) -> None:
        """Record the lock as held, if the session of ``epoch`` is still the current one.

        Call with ``lock`` held. Raises :class:`Restart` when the session was
        lost since the acquisition began in ``epoch``.
        """
        self.book.mark_held(epoch)

    # ------------------------------------------------------------ waiting

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError (a held lock is not affected)."""
        self.book.cancelled = True
        self.wake.set()

    def begin_round(self, epoch: int, what: str) -> None:
        """Start one check-and-wait round of the acquisition begun in session ``epoch``.

        Clears ``wake`` first (so a change after this call is not missed),
        then raises CancelledError if :meth:`cancel` was called and
        :class:`Restart` if the session was lost since ``epoch``.
        """
        self.wake.clear()
        self.book.check_round(epoch, what)

    def backoff(self, deadline: Deadline, attempt: int) -> None:
        """Wait before a retry: for a state change (or cancel) while disconnected, else briefly."""
        self.wake.clear()
        self.wake.wait(deadline.capped(backoff_pause(self.client.connected, attempt)))
