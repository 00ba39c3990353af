"""The session guard's bookkeeping, once for both front ends (pure: no I/O, no threads, no event loop).

The threaded :class:`~zkrecipes.recipes._session_guard.SessionGuard` and the
asyncio :class:`~zkrecipes.aio.recipes._guard.AsyncSessionGuard` each hold a
:class:`GuardBook` and do only what its verdicts ask for (wake the waiters,
remove a listener, call ``forget`` and ``on_lost``). The rules:

* one state listener is current at a time (:meth:`GuardBook.listen`,
  :meth:`GuardBook.stop`); a state change delivered to any other is **STALE**
  and that registration removes itself;
* SUSPENDED sets ``suspended``; CONNECTED clears it;
* LOST clears ``suspended`` and, unless the recipe's node outlives the session
  (``survives_session``), bumps ``epoch`` — a pending acquisition begun in an
  older epoch starts over — and, if the lock was held, marks it released and
  lost and drops the current listener: **LOST_HELD**, the front end then calls
  the recipe's ``forget`` hook and the user's ``on_lost(owner)``, and that
  listener goes. ``survives_session`` LOST only clears ``suspended``.
* every other (current) change is **WAKE**: the waiters look again.

Guarantees: ``epoch`` only grows, by one per LOST of a session-bound node;
``held`` becomes True only through :meth:`GuardBook.mark_held` in the epoch the
acquisition began in; LOST_HELD is reported at most once per hold. The book is
not thread-safe: the threaded guard calls it under its lock.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, Protocol, TypeVar, cast, overload

from zkrecipes.exceptions import CancelledError
from zkrecipes.recipes._sequence import Restart
from zkrecipes.states import ZkState

__all__ = ["FIELD_DOCS", "BookField", "GuardBook", "StateVerdict", "backoff_pause"]

L = TypeVar("L")  # the front end's listener type
T = TypeVar("T")


class StateVerdict(enum.Enum):
    """What a state change delivered to a listener asks of the guard (see :meth:`GuardBook.on_state`)."""

    #: The listener is not the current one: remove it, wake nobody.
    STALE = "stale"
    #: Bookkeeping updated: wake the waiters, keep the listener.
    WAKE = "wake"
    #: A held lock went with its session: forget its node, wake the waiters, call ``on_lost``,
    #: remove the listener.
    LOST_HELD = "lost held"


def backoff_pause(connected: bool, attempt: int) -> float:
    """How long a retry waits at most: 1 s while disconnected (a state change ends it sooner),
    else 50 ms doubling per ``attempt`` up to 1 s."""
    return 1.0 if not connected else min(1.0, 0.05 * (2**attempt))


class GuardBook(Generic[L]):
    """Held/suspended/lost/epoch/cancelled of one lock-like recipe object (see the module docstring)."""

    def __init__(self) -> None:
        self.cancelled = False
        self.held = False
        self.lost = False
        self.suspended = False
        self.epoch = 0
        self.survives_session = False  # a non-ephemeral node: LOST does not release it
        self.listener: L | None = None

    # ------------------------------------------------------------ listening

    def listen(self, listener: L, suspended_now: bool) -> L | None:
        """Make ``listener`` the current one (``suspended`` as the connection is now); return the old one."""
        old, self.listener = self.listener, listener
        self.suspended = suspended_now
        return old

    def stop(self) -> L | None:
        """No listener is current from now on and ``suspended`` reads False; return the one that was."""
        old, self.listener = self.listener, None
        self.suspended = False
        return old

    def on_state(self, listener: object, state: ZkState) -> StateVerdict:
        """The state change ``state`` reached ``listener``: update the book, say what follows."""
        if listener is not self.listener:
            return StateVerdict.STALE
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
                self.listener = None
                return StateVerdict.LOST_HELD
        return StateVerdict.WAKE

    # ------------------------------------------------------------ holding and waiting

    def mark_held(self, epoch: int) -> None:
        """Record the lock as held if the session of ``epoch`` is still current, else :class:`Restart`."""
        if epoch != self.epoch:
            raise Restart
        self.held = True
        self.lost = False

    def check_round(self, epoch: int, what: str) -> None:
        """Raise CancelledError after a cancel, :class:`Restart` after a LOST since ``epoch``."""
        if self.cancelled:
            raise CancelledError(f"acquire of {what} cancelled")
        if epoch != self.epoch:
            raise Restart


class _HasBook(Protocol):
    book: GuardBook[Any]


#: What each field of :class:`GuardBook` means (the docs of the guards' :class:`BookField` s).
FIELD_DOCS = {
    "cancelled": "True after ``cancel()`` until the recipe clears it (its acquire raised, or starts anew).",
    "held": "True while the recipe holds its lock (set by ``mark_held``; LOST clears it).",
    "lost": "True once a held lock went with its session (until the next ``mark_held``).",
    "suspended": "True while the connection is down and a listener is registered.",
    "epoch": "Grows by one on every LOST of a session-bound node.",
    "survives_session": "True for a non-ephemeral node: LOST does not release it.",
}


class BookField(Generic[T]):
    """A guard attribute that reads and writes the field of the same name of the guard's ``book``.

    Each guard declares its public fields with it (``held = BookField[bool]()``),
    so that to the recipes they stay attributes they read and assign, while
    the book is the one place they live.
    """

    def __init__(self) -> None:
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name
        self.__doc__ = FIELD_DOCS[name]

    @overload
    def __get__(self, guard: None, owner: type | None = None) -> BookField[T]: ...
    @overload
    def __get__(self, guard: _HasBook, owner: type | None = None) -> T: ...
    def __get__(self, guard: _HasBook | None, owner: type | None = None) -> T | BookField[T]:
        if guard is None:
            return self
        return cast(T, getattr(guard.book, self._name))

    def __set__(self, guard: _HasBook, value: T) -> None:
        setattr(guard.book, self._name, value)
