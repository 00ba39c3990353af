"""``SessionParts``: the one record of everything a session holds between inputs.

State only, no behaviour: :class:`~zkrecipes.client.session.machine.SessionMachine`
(life cycle, sending, time) and :mod:`.inbound` (what received events do) both
work on it, each a concern of its own; nothing else touches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zkrecipes.client.session.fates import RequestFates
from zkrecipes.client.session.state import ConnectionPhase, SessionStateTracker
from zkrecipes.client.session.timers import ConnectionTimers
from zkrecipes.exceptions import ConnectionClosedError, ZkException

if TYPE_CHECKING:
    from zkrecipes.client.hosts import HostPort
    from zkrecipes.client.protocol.session import ZkProtocol
    from zkrecipes.client.session.login import SaslLogin
    from zkrecipes.client.session.pacing import ReconnectPlanner

__all__ = ["SessionParts"]


@dataclass(slots=True, eq=False)
class SessionParts:
    """The session's components and flags (see each field)."""

    planner: ReconnectPlanner
    tracker: SessionStateTracker
    login: SaslLogin | None
    read_only: bool  # may the client use a read-only server?
    auth_data: list[tuple[str, str]]  # credentials for the next run's protocol
    protocol: ZkProtocol | None = None  # one per run
    fates: RequestFates = field(default_factory=RequestFates)
    phase: ConnectionPhase = field(default_factory=ConnectionPhase)
    timers: ConnectionTimers = field(default_factory=ConnectionTimers)
    out: bytearray = field(default_factory=bytearray)  # own frames not handed out yet
    closed_error: type[ZkException] = ConnectionClosedError  # how the end of the run fails requests
    current_host: HostPort | None = None
    close_requested: bool = False
    rw_found: HostPort | None = None  # set by the probe (any thread)
    probing: bool = False
    connected_at: float = 0.0
    expired: bool = False  # the server said the session expired on this connection
    read_only_server: bool = False
    observer: Any = None  # a zkrecipes.observe ObserverHub while someone observes, else None
