"""What an operation is, as data: a single request (:class:`Call`) or a plan.

Every operation of :mod:`.nodes` and :mod:`.extras` checks its arguments and
returns an :data:`Op`:

* a :class:`Call` — one request and the converter of its reply. Front ends
  submit it directly (one submit, one wait: the hot path builds no generator);
* a :data:`Plan` — a generator that *yields steps* and receives their
  outcomes, for the multi-step operations (ensure_path, makepath, protected
  create, recursive delete, add_auth). Its ``return`` value is the result.

Steps a plan may yield (and what it receives back):

* :class:`Submit` — one request; receives the converted value, or the
  request's exception is *thrown* into the plan at the ``yield``;
* :class:`Batch` — several requests sent back to back (pipelined); receives a
  list of :class:`Outcome` in the same order, never raises;
* :class:`Auth` — an auth packet; receives True or raises AuthFailedError;
* :class:`Snapshot` — receives a :class:`SessionView` of the client now.

A plan never waits for time or state by itself: waiting is submitting. The
transport holds a request until the client is connected and fails it with
ConnectionLoss after a whole session timeout, SessionExpiredError when the
session is lost, ConnectionClosedError on stop — so every step of a plan
ends, and a driver needs no timer and no thread of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from zkrecipes.security import ACL

__all__ = [
    "Auth", "Batch", "Call", "Context", "Converter", "Op", "Outcome", "Plan", "SessionView",
    "Snapshot", "Step", "Submit",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Converter = Callable[[int, Any], Any]
"""``converter(err, result)`` runs on the I/O side when the reply arrives: the value, or raises."""


class Call(Generic[T]):
    """A single-request operation: ``request`` and the ``converter`` of its reply (None: as decoded)."""

    __slots__ = ("converter", "request")

    def __init__(self, request: Any, converter: Converter | None = None) -> None:
        self.request = request
        self.converter = converter

    def __repr__(self) -> str:
        return f"Call({self.request!r})"


@dataclass(frozen=True, slots=True)
class Submit:
    """Send one request; ``timeout`` (seconds, None: the request's own fate) bounds the wait."""

    request: Any
    converter: Converter | None = None
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """Send several requests back to back; the plan receives one :class:`Outcome` each."""

    calls: Sequence[Submit]


@dataclass(frozen=True, slots=True)
class Auth:
    """Send an auth packet (kept and re-sent on reconnect)."""

    scheme: str
    credential: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Ask for a :class:`SessionView` of the client now (never waits)."""


@dataclass(frozen=True, slots=True)
class SessionView:
    """The client as a plan sees it at one instant."""

    running: bool
    """Between start() and stop()."""
    connected: bool
    session_id: int | None
    """The current session (None while there is none)."""
    session_timeout: float
    now: float
    """A monotonic clock, seconds."""


class Outcome(Protocol[T_co]):
    """A finished request inside a :class:`Batch`: a value or an exception (a ready AsyncResult is one)."""

    @property
    def value(self) -> T_co: ...

    @property
    def exception(self) -> BaseException | None: ...


Step = Submit | Batch | Auth | Snapshot
Plan = Generator[Step, Any, T]
"""A multi-step operation: yields :data:`Step`, returns the result."""
Op = Call[T] | Plan[T]
"""What an operation function returns."""


@dataclass(frozen=True, slots=True)
class Context:
    """What operations need from their client besides arguments.

    ``remove_local_watchers(path, watcher_type, watcher)`` is the transport's;
    operations call it only from a converter (on the I/O side).
    """

    default_acl: Sequence[ACL] | None
    max_request_size: int
    remove_local_watchers: Callable[[str, int, object], None]
    chroot: str = ""
    """The client's chroot (``""`` for none): ensure_path creates it when missing."""
