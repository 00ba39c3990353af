"""``SessionMachine``: the sans-IO session, composed of the small session modules.

It owns every decision that needs no I/O (see the package docstring for the
life cycle). Its state is one :class:`~.parts.SessionParts` record: the protocol
core (:class:`~zkrecipes.client.protocol.session.ZkProtocol`), the phase and the
state tracker (:mod:`.state`), the request fates (:mod:`.fates`), the
connection's timers (:mod:`.timers`), the reconnect planner (:mod:`.pacing`) and
the SASL login (:mod:`.login`). This class holds the life cycle across
connections and the sending side; what received events do is :mod:`.inbound`,
what the clock does while connected is :mod:`.deadlines`.

Threads: the owner (the transport's I/O side) calls every method except
:meth:`submit`, :meth:`add_auth`, :meth:`close` and
:meth:`read_write_server_found`, which any thread may call (each is one
deque append or one assignment), and :meth:`encode_direct`, which a caller
may run while holding the transport's send lock (the lock under which the
owner also calls :meth:`data_to_send`, so xids are assigned in wire order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.errors import annotate
from zkrecipes.client.protocol.requests import CloseRequest
from zkrecipes.client.protocol.session import ZkProtocol
from zkrecipes.client.sasl import SaslConfig
from zkrecipes.client.session.deadlines import (
    connected_deadlines,
    disconnected_deadline,
    disconnected_rules,
    next_deadline,
)
from zkrecipes.client.session.fates import CLOSE, AuthItem, Converter
from zkrecipes.client.session.inbound import auth_failed, emit, receive
from zkrecipes.client.session.login import SaslLogin
from zkrecipes.client.session.outputs import ConnectTo, Finished, Output, StopProbe, Wait
from zkrecipes.client.session.pacing import ReconnectPlanner, connect_timeout
from zkrecipes.client.session.parts import SessionParts
from zkrecipes.client.session.state import ConnectionPhase, Phase, SessionStateTracker
from zkrecipes.exceptions import AuthFailedError, ConnectionClosedError, ConnectionLoss, ZkException
from zkrecipes.observe.connection_event import ConnectionEventKind
from zkrecipes.states import KeeperState, ZkState

__all__ = ["MAX_DRAIN", "SessionMachine"]

#: Requests taken from the unsent queue per :meth:`SessionMachine.data_to_send`.
MAX_DRAIN: Final = 20_000


class SessionMachine:
    """One client session across its connections (see the module and package docstrings)."""

    def __init__(
        self,
        *,
        hosts: Sequence[HostPort],
        chroot: str,
        session_timeout: float,
        connection_retry: Any = None,
        client_id: tuple[int, bytes] | None = None,
        read_only: bool = False,
        randomize_hosts: bool = True,
        auth_data: Sequence[tuple[str, str]] = (),
        max_frame_size: int | None = None,
        sasl: SaslConfig | None = None,
        rng: Any = None,
    ) -> None:
        self.requested_timeout = session_timeout
        self.chroot = chroot
        self._client_id = client_id
        self._max_frame_size = max_frame_size
        self.parts = SessionParts(
            planner=ReconnectPlanner(hosts, randomize_hosts, connection_retry, rng),
            tracker=SessionStateTracker(session_timeout),
            login=SaslLogin(sasl) if sasl is not None else None,
            read_only=read_only,
            auth_data=list(auth_data),
        )
        #: The unsent queue (read-only for others: its emptiness is what a transport
        #: checks before letting a caller write directly; the deque lives as long as this).
        self.unsent = self.parts.fates.unsent

    # ------------------------------------------------------------ properties

    @property
    def observer(self) -> Any:
        """The :class:`~zkrecipes.observe.hub.ObserverHub` told about requests, or None."""
        return self.parts.observer

    @observer.setter
    def observer(self, hub: Any) -> None:
        if hub is not None:
            hub.bind(self)
        self.parts.observer = hub

    @property
    def phase(self) -> ConnectionPhase:
        return self.parts.phase

    @property
    def tracker(self) -> SessionStateTracker:
        return self.parts.tracker

    @property
    def login(self) -> SaslLogin | None:
        return self.parts.login

    @property
    def protocol(self) -> ZkProtocol | None:
        return self.parts.protocol

    @property
    def closed_error(self) -> type[ZkException]:
        """How requests fail once the run is over (ConnectionClosedError or AuthFailedError)."""
        return self.parts.closed_error

    def refusal(self, operation: str | None = None, path: str | None = None) -> ZkException:
        """The error for a request made while no run is going on, naming it (``operation``, ``path``).

        Before the first :meth:`start`: ``ConnectionClosedError`` (the class kazoo raises
        too) saying ``client not started: call start() first (getData /a)``; after a run
        ended (stop, close, auth failure): the run's closing error, "Connection has been closed".
        """
        if self.parts.phase.phase is Phase.IDLE:
            names = " ".join(name for name in (operation, path) if name)
            exc: ZkException = ConnectionClosedError(
                "client not started: call start() first" + (f" ({names})" if names else ""))
        else:
            exc = self.parts.closed_error("Connection has been closed")
        annotate(exc, operation, path)
        return exc

    @property
    def current_host(self) -> HostPort | None:
        return self.parts.current_host

    @property
    def connect_errors(self) -> dict[HostPort, str]:
        """Each host whose latest attempt in this run failed, and its last error (a copy)."""
        return self.parts.planner.connect_errors

    @property
    def running(self) -> bool:
        """True between :meth:`start` and the end of the run (stop or auth failure)."""
        return self.parts.phase.phase not in (Phase.IDLE, Phase.CLOSED)

    @property
    def state(self) -> ZkState:
        return self.parts.tracker.state

    @property
    def keeper_state(self) -> KeeperState:
        return self.parts.tracker.keeper_state

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout (the requested one before the first session)."""
        return self.parts.tracker.session_timeout

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` while a session exists (CONNECTED or SUSPENDED)."""
        proto = self.parts.protocol
        if proto is None or not self.running or not self.parts.tracker.has_session:
            return None
        session_id = proto.session_id
        if not session_id:
            return None  # being reset: the session was just lost
        return (session_id, proto.session_password)

    @property
    def last_zxid(self) -> int:
        return 0 if self.parts.protocol is None else self.parts.protocol.last_zxid

    @property
    def pending_count(self) -> int:
        """Requests written on the current connection and not answered yet."""
        return 0 if self.parts.protocol is None else self.parts.protocol.pending_count

    @property
    def unsent_count(self) -> int:
        """Requests (and markers) waiting in the unsent queue."""
        return len(self.parts.fates.unsent)

    @property
    def has_data_to_send(self) -> bool:
        """True when :meth:`data_to_send` has bytes (own frames, or queued requests while open)."""
        return bool(self.parts.out) or self.wants_to_send

    @property
    def wants_to_send(self) -> bool:
        """True when :meth:`data_to_send` would take queued requests now."""
        p = self.parts
        return p.phase.phase is Phase.OPEN and (bool(p.fates.unsent) or p.close_requested)

    # ------------------------------------------------------ any-thread inputs

    def submit(self, request: Any, result: Any, converter: Converter | None, now: float) -> None:
        """Queue a request; it is written once the session is open (any thread)."""
        if self.parts.observer is not None:
            self.parts.observer.submitted(request, result, now)
        self.unsent.append((request, result, converter, now))

    def add_auth(self, scheme: str, credential: str, result: Any, now: float) -> None:
        """Queue an auth packet; ``result`` becomes True or fails with AuthFailedError."""
        self.parts.fates.enqueue(AuthItem(scheme, credential), result, None, now)

    def close(self) -> None:
        """Ask for the end of the run: requests queued before are sent first when open,
        then CloseSession; what remains fails with ``ConnectionClosedError`` (any thread)."""
        self.parts.close_requested = True
        self.parts.fates.enqueue(CLOSE, None, None, 0.0)

    def read_write_server_found(self, host: HostPort) -> None:
        """The probe found a read-write server: move there (any thread)."""
        self.parts.rw_found = host

    def set_hosts(self, hosts: Sequence[HostPort], randomize: bool | None = None) -> None:
        """Use ``hosts`` from the next round of attempts on."""
        self.parts.planner.set_hosts(hosts, randomize)

    def remove_local_watchers(self, path: str, watcher_type: int, watcher: object | None) -> None:
        """Forget local watch registrations (from a converter, on the owner's side)."""
        if self.parts.protocol is not None:
            self.parts.protocol.remove_watchers(path, watcher_type, watcher)

    # ------------------------------------------------------------ life cycle

    def start(self, now: float) -> None:
        """Begin a run: a fresh protocol (resuming ``client_id`` the first time only)."""
        if self.running:
            return
        p = self.parts
        proto = ZkProtocol(
            session_timeout_ms=int(self.requested_timeout * 1000),
            chroot=self.chroot,
            read_only=p.read_only,
            **({} if self._max_frame_size is None else {"max_frame_size": self._max_frame_size}),
        )
        if self._client_id is not None:
            proto.set_session(*self._client_id)
            self._client_id = None
        for scheme, credential in p.auth_data:
            proto.add_auth(scheme, credential)
        p.protocol = proto
        p.tracker = SessionStateTracker(self.requested_timeout)
        p.planner.reset()
        p.closed_error = ConnectionClosedError
        p.close_requested = False
        p.rw_found = None
        p.out.clear()
        p.fates.auth_waiters.clear()
        p.fates.fail_unsent(ConnectionClosedError, [])  # only a close marker can be left
        p.phase.move(Phase.DISCONNECTED)

    def abort(self) -> list[Output]:
        """End the run now, whatever the phase (the transport failed): everything fails."""
        out: list[Output] = []
        self._stop_probe(out)
        if self.running:
            self._finish(out)
        return out

    def abandon_unsent(self) -> list[Output]:
        """After the run ended: fail whatever was queued meanwhile (a submit racing the end)."""
        out: list[Output] = []
        self.parts.fates.fail_unsent(self.parts.closed_error, out)
        return out

    def poll(self, now: float) -> tuple[ConnectTo | Wait | Finished, list[Output]]:
        """While disconnected: what to do next (connect, wait, or end), and what happened.

        Applies the disconnected rules first: requests unsent for a whole session
        timeout fail, and the session is declared LOST after being disconnected
        for the whole session timeout.
        """
        p = self.parts
        out: list[Output] = []
        phase = p.phase.phase
        if phase is Phase.CLOSED or phase is Phase.IDLE:
            return Finished(), out
        if phase is not Phase.DISCONNECTED:
            raise RuntimeError(f"poll() while {phase.value}")
        if p.close_requested:
            self._finish(out)
            return Finished(), out
        disconnected_rules(p, now, out)
        choice = p.planner.next_host(now, p.tracker.session_timeout)
        if isinstance(choice, float):
            return Wait(disconnected_deadline(p, choice)), out
        p.tracker.on_connecting()
        p.phase.move(Phase.CONNECTING)
        p.current_host = choice
        return ConnectTo(choice, connect_timeout(p.tracker.session_timeout, len(p.planner.hosts))), out

    def connect_failed(self, now: float, error: str | None = None) -> list[Output]:
        """The connection to the host of the last :class:`ConnectTo` could not be opened
        (``error``: why, e.g. ``Connection refused``; see :func:`.pacing.connect_error_text`)."""
        p = self.parts
        p.planner.note_error(p.current_host, error or "connection failed")
        p.phase.move(Phase.DISCONNECTED)
        p.current_host = None
        p.planner.attempt_ended(None, p.tracker.session_timeout)
        return []

    def connection_made(self, now: float) -> None:
        """The connection is open: the ConnectRequest is ready in :meth:`data_to_send`."""
        p = self.parts
        assert p.protocol is not None
        p.phase.move(Phase.HANDSHAKE)
        p.planner.clear_error(p.current_host)
        p.expired = False
        p.connected_at = now
        if p.observer is not None:
            p.observer.frames.reset()
        limit = connect_timeout(p.tracker.session_timeout, len(p.planner.hosts))
        p.timers.connection_made(now, limit, p.protocol.last_xid)
        p.out += p.protocol.connect()

    def connection_lost(self, now: float, closed_by_peer: bool = False) -> list[Output]:
        """The current connection is gone (dropped by either side, or after a :class:`Drop`).

        Requests written on it fail with ``ConnectionLoss`` (or the run's closing
        error when the run ends); CONNECTED becomes SUSPENDED.
        """
        p = self.parts
        assert p.protocol is not None
        out: list[Output] = []
        self._stop_probe(out)
        phase = p.phase.phase
        p.out.clear()
        if phase is Phase.HANDSHAKE or phase is Phase.SASL:  # no session reached on it
            p.planner.note_error(p.current_host, "closed by the server before a session was established"
                                 if closed_by_peer else "no session established", replace=False)
        if phase is Phase.SASL and p.login is not None:
            refusal = p.login.connection_lost(closed_by_peer)
            if refusal is not None:
                auth_failed(p, refusal, out)
                phase = Phase.CLOSED
        if phase is Phase.CLOSED or phase is Phase.CLOSING:
            self._finish(out)
            return out
        was_connected = p.tracker.state is ZkState.CONNECTED
        p.fates.fail_written(p.protocol.connection_lost(), ConnectionLoss, out)
        served: float | None = None
        if was_connected:
            served = now - p.connected_at
            emit(p.tracker.on_disconnected(now, p.timers.last_recv), out)
            if p.observer is not None:
                p.observer.connection(ConnectionEventKind.DISCONNECTED, p, now)
        elif p.expired:
            served = 0.0
        p.phase.move(Phase.DISCONNECTED)
        p.current_host = None
        found, p.rw_found = p.rw_found, None
        if found is not None:
            p.planner.prefer(found)
        p.planner.attempt_ended(served, p.tracker.session_timeout)
        if p.close_requested:
            self._finish(out)
        return out

    def _stop_probe(self, out: list[Output]) -> None:
        if self.parts.probing:
            self.parts.probing = False
            out.append(StopProbe())

    def _finish(self, out: list[Output]) -> None:
        """The run ends: everything outstanding fails with the closing error; LOST."""
        p = self.parts
        exc = p.closed_error
        if p.protocol is not None:
            p.fates.fail_written(p.protocol.connection_lost(), exc, out)
        p.fates.fail_unsent(exc, out)
        emit(p.tracker.on_auth_failed() if exc is AuthFailedError else p.tracker.on_closed(), out)
        p.phase.move(Phase.CLOSED)
        p.current_host = None

    # ------------------------------------------------------------ bytes

    def data_to_send(self, now: float, take_requests: bool = True) -> tuple[bytes, list[Output]]:
        """The bytes to write next, in wire order, and the completions of refused requests.

        Hands out the session's own frames (handshake, login, priming, pings) and,
        while open and ``take_requests``, up to :data:`MAX_DRAIN` queued requests
        (then the CloseRequest when the client is stopping). The caller must hold
        its send lock (xids are assigned here) and write the bytes in this order.
        """
        p = self.parts
        refused: list[Output] = []
        if p.phase.phase is Phase.OPEN and take_requests and (p.fates.unsent or p.close_requested):
            assert p.protocol is not None
            frames, closing = p.fates.drain(p.protocol, MAX_DRAIN, p.auth_data, refused, p.observer)
            if closing or (p.close_requested and not p.fates.unsent):
                frames.append(p.protocol.send(CloseRequest(), None))
                p.phase.move(Phase.CLOSING)
                p.timers.closing(now)
            if frames:
                p.out += b"".join(frames)
        if not p.out:
            return b"", refused
        data = bytes(p.out)
        p.out.clear()
        return data, refused

    def encode_direct(self, request: Any, result: Any, converter: Converter | None) -> bytes | None:
        """The frame of a request its caller writes itself, or None if it must be queued.

        None unless the session is open with nothing queued before it. Raises what
        :meth:`ZkProtocol.send` raises for a bad request (nothing is queued then).
        Call it under the transport's send lock.
        """
        p = self.parts
        if p.phase.phase is not Phase.OPEN or p.fates.unsent or p.out:
            return None
        assert p.protocol is not None
        frame = p.protocol.send(request, (result, converter))
        if p.observer is not None:
            p.observer.submitted(request, result)
            p.observer.written(result, p.protocol.last_xid, len(frame))
        return frame

    def data_sent(self, now: float) -> None:
        """Some bytes went out (the ping deadline moves)."""
        self.parts.timers.sent(now)

    def receive_data(self, data: bytes | bytearray | memoryview, now: float) -> list[Output]:
        """Feed received bytes; return what follows, in order (see :func:`.inbound.receive`)."""
        return receive(self.parts, data, now)

    # ------------------------------------------------------------ time

    def tick(self, now: float) -> list[Output]:
        """Apply the deadlines due at ``now`` (read timeout, ping, login, close, moves)."""
        p = self.parts
        if p.phase.phase is Phase.DISCONNECTED:
            out: list[Output] = []
            disconnected_rules(p, now, out)
            return out
        return connected_deadlines(p, now)

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must run next while connected (None: no deadline)."""
        return next_deadline(self.parts)
