"""Session guarding for the lock-like recipes, as an object a recipe holds (not a base class).

A :class:`SessionGuard` keeps the held/suspended/lost bookkeeping of one
recipe object and the state listener that drives it:

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

from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes._sequence import Restart
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
    ``epoch`` change only under ``lock``.
    """

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
        self.cancelled = False
        self.held = False
        self.lost = False
        self.suspended = False
        self.epoch = 0
        self.survives_session = False  # a non-ephemeral node: LOST does not release it
        self.wake = client.handler.event_object()
        self.lock = client.handler.lock_object()
        self._listener: Callable[[ZkState], bool] | None = None

    # ------------------------------------------------------------ listening

    def start_listening(self) -> None:
        """Register a fresh listener (replacing this guard's previous one)."""

        def listener(state: ZkState) -> bool:
            return self._on_state(listener, state)

        with self.lock:
            old, self._listener = self._listener, listener
            self.suspended = self.client.state == ZkState.SUSPENDED
        if old is not None:
            safe_remove_listener(self.client, old)
        self.client.add_listener(listener)

    def stop_listening(self) -> None:
        """Remove the listener; ``suspended`` reads False from now on."""
        with self.lock:
            listener, self._listener = self._listener, None
            self.suspended = False
        if listener is not None:
            safe_remove_listener(self.client, listener)

    def _on_state(self, me: Callable[[ZkState], bool], state: ZkState) -> bool:
        follow_up: Callable[[], None] | None = None
        with self.lock:
            if me is not self._listener:
                return True  # a stale registration: remove it
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
        if epoch != self.epoch:
            raise Restart
        self.held = True
        self.lost = False

    # ------------------------------------------------------------ waiting

    def cancel(self) -> None:
        """Make a pending acquire raise CancelledError (a held lock is not affected)."""
        self.cancelled = True
        self.wake.set()

    def begin_round(self, epoch: int, what: str) -> None:
        """Start one check-and-wait round of the acquisition begun in session ``epoch``.

        Clears ``wake`` first (so a change after this call is not missed),
        then raises CancelledError if :meth:`cancel` was called and
        :class:`Restart` if the session was lost since ``epoch``.
        """
        self.wake.clear()
        if self.cancelled:
            raise CancelledError(f"acquire of {what} cancelled")
        if epoch != self.epoch:
            raise Restart

    def backoff(self, deadline: Deadline, attempt: int) -> None:
        """Wait before a retry: for a state change (or cancel) while disconnected, else briefly."""
        self.wake.clear()
        pause = 1.0 if not self.client.connected else min(1.0, 0.05 * (2**attempt))
        self.wake.wait(deadline.capped(pause))
