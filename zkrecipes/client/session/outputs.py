"""What the session layer asks its transport to do: small typed, slotted records.

The machine's input methods return a list of these, in the order they must be
applied; bytes to write are taken separately with
:meth:`~zkrecipes.client.session.machine.SessionMachine.data_to_send`. None of
them runs user code when applied by a transport: a :class:`Complete` sets an
async result (whose linked callbacks run on the handler's COMPLETION queue), a
:class:`Dispatch` goes to the WATCH queue, a :class:`StateChanged` to the
client's ``on_state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from zkrecipes.states import WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.client.hosts import HostPort

__all__ = [
    "Complete",
    "ConnectTo",
    "Dispatch",
    "Drop",
    "Finished",
    "LoginFailed",
    "Opened",
    "Output",
    "StartProbe",
    "StateChanged",
    "StopProbe",
    "Wait",
]


@dataclass(slots=True)
class Complete:
    """Finish one request: ``result.set_exception(error)`` if ``error`` else ``result.set(value)``."""

    result: Any
    value: Any = None
    error: BaseException | None = None


@dataclass(slots=True)
class Dispatch:
    """Queue ``watcher(event)`` for each watcher, in order, on the WATCH queue."""

    watchers: list[Any]
    event: WatchedEvent


@dataclass(slots=True)
class StateChanged:
    """The listener-visible state changed (apply in order; ``live`` follows CONNECTED)."""

    state: ZkState


@dataclass(slots=True)
class Opened:
    """The session is primed and open: requests may now be written by their callers
    (after the bytes already handed out by ``data_to_send``, which go first)."""


@dataclass(slots=True)
class Drop:
    """Close the current connection now (then report :meth:`connection_lost`)."""

    reason: str


@dataclass(slots=True)
class LoginFailed:
    """Authentication failed for good (after the LOST state change): tell the client once."""


@dataclass(slots=True)
class StartProbe:
    """Connected to a read-only server: look for a read-write one among ``candidates``."""

    candidates: list[HostPort]


@dataclass(slots=True)
class StopProbe:
    """Stop looking for a read-write server."""


@dataclass(slots=True)
class ConnectTo:
    """(From :meth:`SessionMachine.poll`.) Open a connection to ``host`` within ``timeout`` s."""

    host: HostPort
    timeout: float


@dataclass(slots=True)
class Wait:
    """(From :meth:`SessionMachine.poll`.) Nothing to do before ``until`` (or an input)."""

    until: float | None


@dataclass(slots=True)
class Finished:
    """(From :meth:`SessionMachine.poll`.) The run is over: end the loop."""


Output: TypeAlias = Complete | Dispatch | StateChanged | Opened | Drop | LoginFailed | StartProbe | StopProbe
"""What the machine's input methods return."""
