"""``SessionMachine``: the sans-IO session, composed of the small session modules.

It owns every decision that needs no I/O (see the package docstring for the
life cycle); it holds, as members, the protocol core
(:class:`~zkrecipes.client.protocol.session.ZkProtocol`), the phase and the
state tracker (:mod:`.state`), the request fates (:mod:`.fates`), the
connection's deadlines (:mod:`.timers`), the reconnect planner
(:mod:`.pacing`) and the SASL login (:mod:`.login`).

Threads: the owner (the transport's I/O side) calls every method except
:meth:`submit`, :meth:`add_auth`, :meth:`close` and
:meth:`read_write_server_found`, which any thread may call (each is one
deque append or one assignment), and :meth:`encode_direct`, which a caller
may run while holding the transport's send lock (the lock under which the
owner also calls :meth:`data_to_send`, so xids are assigned in wire order).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.events import (
    AuthReply,
    Connected,
    Notification,
    Reply,
    SessionExpired,
    SetWatchesReply,
)
from zkrecipes.client.protocol.requests import CloseRequest
from zkrecipes.client.protocol.session import ZkProtocol, undelivered_events
from zkrecipes.client.sasl import SaslConfig
from zkrecipes.client.session.fates import CLOSE, AuthItem, Converter, RequestFates
from zkrecipes.client.session.login import SASL_CONTEXT, SaslLogin
from zkrecipes.client.session.outputs import (
    Complete,
    ConnectTo,
    Drop,
    Finished,
    LoginFailed,
    Opened,
    Output,
    StartProbe,
    StateChanged,
    StopProbe,
    Wait,
)
from zkrecipes.client.session.pacing import ReconnectPlanner, connect_timeout
from zkrecipes.client.session.readonly import accept_server, probe_candidates
from zkrecipes.client.session.routing import complete_reply, dispatch_notification
from zkrecipes.client.session.state import ConnectionPhase, Phase, SessionStateTracker
from zkrecipes.client.session.timers import ConnectionTimers
from zkrecipes.exceptions import (
    AuthFailedError,
    ConnectionClosedError,
    ConnectionLoss,
    ProtocolError,
    SessionExpiredError,
    ZkException,
    make_error,
)
from zkrecipes.states import KeeperState, ZkState

__all__ = ["MAX_DRAIN", "SessionMachine"]

log = logging.getLogger("zkrecipes.connection")

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
        self.read_only = read_only
        self._client_id = client_id
        self._auth_data = list(auth_data)
        self._max_frame_size = max_frame_size
        self.planner = ReconnectPlanner(hosts, randomize_hosts, connection_retry, rng)
        self.fates = RequestFates()
        self.phase = ConnectionPhase()
        self.tracker = SessionStateTracker(session_timeout)
        self.timers = ConnectionTimers()
        self.login = SaslLogin(sasl) if sasl is not None else None
        self.protocol: ZkProtocol | None = None
        self.closed_error: type[ZkException] = ConnectionClosedError
        self.current_host: HostPort | None = None
        self._out = bytearray()  # frames made on the owner's side, not handed out yet
        self._close_requested = False
        self._rw_found: HostPort | None = None
        self._probing = False
        self._connected_at = 0.0
        self._expired = False  # the server said the session expired on this connection
        self._read_only_server = False

    # ------------------------------------------------------------ properties

    @property
    def running(self) -> bool:
        """True between :meth:`start` and the end of the run (stop or auth failure)."""
        return self.phase.phase not in (Phase.IDLE, Phase.CLOSED)

    @property
    def state(self) -> ZkState:
        return self.tracker.state

    @property
    def keeper_state(self) -> KeeperState:
        return self.tracker.keeper_state

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout (the requested one before the first session)."""
        return self.tracker.session_timeout

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` while a session exists (CONNECTED or SUSPENDED)."""
        proto = self.protocol
        if proto is None or not self.running or not self.tracker.has_session:
            return None
        session_id = proto.session_id
        if not session_id:
            return None  # being reset: the session was just lost
        return (session_id, proto.session_password)

    @property
    def last_zxid(self) -> int:
        return 0 if self.protocol is None else self.protocol.last_zxid

    @property
    def pending_count(self) -> int:
        """Requests written on the current connection and not answered yet."""
        return 0 if self.protocol is None else self.protocol.pending_count

    @property
    def unsent_count(self) -> int:
        """Requests (and markers) waiting in the unsent queue."""
        return len(self.fates.unsent)

    @property
    def has_data_to_send(self) -> bool:
        """True when :meth:`data_to_send` has bytes (own frames, or queued requests while open)."""
        return bool(self._out) or self.wants_to_send

    @property
    def wants_to_send(self) -> bool:
        """True when :meth:`data_to_send` would take queued requests now."""
        return self.phase.phase is Phase.OPEN and (bool(self.fates.unsent) or self._close_requested)

    # ------------------------------------------------------ any-thread inputs

    def submit(self, request: Any, result: Any, converter: Converter | None, now: float) -> None:
        """Queue a request; it is written once the session is open (any thread)."""
        self.fates.enqueue(request, result, converter, now)

    def add_auth(self, scheme: str, credential: str, result: Any, now: float) -> None:
        """Queue an auth packet; ``result`` becomes True or fails with AuthFailedError."""
        self.fates.enqueue(AuthItem(scheme, credential), result, None, now)

    def close(self) -> None:
        """Ask for the end of the run: requests queued before are sent first when open,
        then CloseSession; what remains fails with ``ConnectionClosedError`` (any thread)."""
        self._close_requested = True
        self.fates.enqueue(CLOSE, None, None, 0.0)

    def read_write_server_found(self, host: HostPort) -> None:
        """The probe found a read-write server: move there (any thread)."""
        self._rw_found = host

    def set_hosts(self, hosts: Sequence[HostPort], randomize: bool | None = None) -> None:
        """Use ``hosts`` from the next round of attempts on."""
        self.planner.set_hosts(hosts, randomize)

    def remove_local_watchers(self, path: str, watcher_type: int, watcher: object | None) -> None:
        """Forget local watch registrations (from a converter, on the owner's side)."""
        if self.protocol is not None:
            self.protocol.remove_watchers(path, watcher_type, watcher)

    # ------------------------------------------------------------ life cycle

    def start(self, now: float) -> None:
        """Begin a run: a fresh protocol (resuming ``client_id`` the first time only)."""
        if self.running:
            return
        proto = ZkProtocol(
            session_timeout_ms=int(self.requested_timeout * 1000),
            chroot=self.chroot,
            read_only=self.read_only,
            **({} if self._max_frame_size is None else {"max_frame_size": self._max_frame_size}),
        )
        if self._client_id is not None:
            proto.set_session(*self._client_id)
            self._client_id = None
        for scheme, credential in self._auth_data:
            proto.add_auth(scheme, credential)
        self.protocol = proto
        self.tracker = SessionStateTracker(self.requested_timeout)
        self.planner.reset()
        self.closed_error = ConnectionClosedError
        self._close_requested = False
        self._rw_found = None
        self._out.clear()
        self.fates.auth_waiters.clear()
        leftovers: list[Output] = []
        self.fates.fail_unsent(ConnectionClosedError, leftovers)  # only a close marker can be left
        self.phase.move(Phase.DISCONNECTED)

    def abort(self) -> list[Output]:
        """End the run now, whatever the phase (the transport failed): everything fails."""
        out: list[Output] = []
        if self._probing:
            self._probing = False
            out.append(StopProbe())
        if self.running:
            self._finish(out)
        return out

    def abandon_unsent(self) -> list[Output]:
        """After the run ended: fail whatever was queued meanwhile (a submit racing the end)."""
        out: list[Output] = []
        self.fates.fail_unsent(self.closed_error, out)
        return out

    def poll(self, now: float) -> tuple[ConnectTo | Wait | Finished, list[Output]]:
        """While disconnected: what to do next (connect, wait, or end), and what happened.

        Applies the disconnected rules first: requests unsent for a whole session
        timeout fail, and the session is declared LOST after being disconnected
        for the whole session timeout.
        """
        out: list[Output] = []
        phase = self.phase.phase
        if phase is Phase.CLOSED or phase is Phase.IDLE:
            return Finished(), out
        if phase is not Phase.DISCONNECTED:
            raise RuntimeError(f"poll() while {phase.value}")
        if self._close_requested:
            self._finish(out)
            return Finished(), out
        self._disconnected_rules(now, out)
        choice = self.planner.next_host(now, self.tracker.session_timeout)
        if isinstance(choice, float):
            return Wait(self._disconnected_deadline(choice)), out
        self.tracker.on_connecting()
        self.phase.move(Phase.CONNECTING)
        self.current_host = choice
        return ConnectTo(choice, connect_timeout(self.tracker.session_timeout, len(self.planner.hosts))), out

    def _disconnected_rules(self, now: float, out: list[Output]) -> None:
        self.fates.expire(now, self.tracker.session_timeout, out)
        if self.tracker.check_timeout(now) is not None:
            log.warning("disconnected for the whole session timeout: session considered lost")
            self._session_lost(out, announced=True)

    def _disconnected_deadline(self, until: float) -> float:
        deadline = self.tracker.lost_deadline()
        if deadline is not None:
            until = min(until, deadline)
        oldest = self.fates.oldest_unsent()
        if oldest is not None:
            until = min(until, oldest + self.tracker.session_timeout)
        return until

    def connect_failed(self, now: float) -> list[Output]:
        """The connection to the host of the last :class:`ConnectTo` could not be opened."""
        self.phase.move(Phase.DISCONNECTED)
        self.current_host = None
        self.planner.attempt_ended(None, self.tracker.session_timeout)
        return []

    def connection_made(self, now: float) -> None:
        """The connection is open: the ConnectRequest is ready in :meth:`data_to_send`."""
        assert self.protocol is not None
        self.phase.move(Phase.HANDSHAKE)
        self._expired = False
        self._connected_at = now
        limit = connect_timeout(self.tracker.session_timeout, len(self.planner.hosts))
        self.timers.connection_made(now, limit, self.protocol.last_xid)
        self._out += self.protocol.connect()

    def connection_lost(self, now: float, closed_by_peer: bool = False) -> list[Output]:
        """The current connection is gone (dropped by either side, or after a :class:`Drop`).

        Requests written on it fail with ``ConnectionLoss`` (or the run's closing
        error when the run ends); CONNECTED becomes SUSPENDED.
        """
        assert self.protocol is not None
        out: list[Output] = []
        if self._probing:
            self._probing = False
            out.append(StopProbe())
        phase = self.phase.phase
        self._out.clear()
        if phase is Phase.SASL and self.login is not None:
            refusal = self.login.connection_lost(closed_by_peer)
            if refusal is not None:
                self._auth_failed(refusal, out)
                phase = Phase.CLOSED
        if phase is Phase.CLOSED or phase is Phase.CLOSING:
            self._finish(out)
            return out
        was_connected = self.tracker.state is ZkState.CONNECTED
        self.fates.fail_written(self.protocol.connection_lost(), ConnectionLoss, out)
        served: float | None = None
        if was_connected:
            served = now - self._connected_at
            self._state(self.tracker.on_disconnected(now), out)
        elif self._expired:
            served = 0.0
        self.phase.move(Phase.DISCONNECTED)
        self.current_host = None
        found, self._rw_found = self._rw_found, None
        if found is not None:
            self.planner.prefer(found)
        self.planner.attempt_ended(served, self.tracker.session_timeout)
        if self._close_requested:
            self._finish(out)
        return out

    def _finish(self, out: list[Output]) -> None:
        """The run ends: everything outstanding fails with the closing error; LOST."""
        exc = self.closed_error
        if self.protocol is not None:
            self.fates.fail_written(self.protocol.connection_lost(), exc, out)
        self.fates.fail_unsent(exc, out)
        if exc is AuthFailedError:
            self._state(self.tracker.on_auth_failed(), out)
        else:
            self._state(self.tracker.on_closed(), out)
        self.phase.move(Phase.CLOSED)
        self.current_host = None

    # ------------------------------------------------------------ bytes out

    def data_to_send(self, now: float, take_requests: bool = True) -> tuple[bytes, list[Output]]:
        """The bytes to write next, in wire order, and the completions of refused requests.

        Hands out the session's own frames (handshake, login, priming, pings) and,
        while open and ``take_requests``, up to :data:`MAX_DRAIN` queued requests
        (then the CloseRequest when the client is stopping). The caller must hold
        its send lock (xids are assigned here) and write the bytes in this order.
        """
        out = self._out
        refused: list[Output] = []
        if self.phase.phase is Phase.OPEN and take_requests and (self.fates.unsent or self._close_requested):
            self._take_unsent(now, refused)
        if not out:
            return b"", refused
        data = bytes(out)
        out.clear()
        return data, refused

    def _take_unsent(self, now: float, refused: list[Output]) -> None:
        proto = self.protocol
        assert proto is not None
        send = proto.send
        unsent = self.fates.unsent
        frames: list[bytes] = []
        closing = False
        for _ in range(MAX_DRAIN):
            try:
                request, result, converter, _t = unsent.popleft()
            except IndexError:
                break
            if request is CLOSE:
                closing = True
                break
            try:
                if type(request) is AuthItem:
                    frames.append(proto.add_auth(request.scheme, request.credential))
                    self._auth_data.append((request.scheme, request.credential))
                    self.fates.auth_waiters.append((result, (request.scheme, request.credential.encode())))
                else:
                    frames.append(send(request, (result, converter)))
            except Exception as error:  # refused before anything was queued
                refused.append(_refusal(result, error))
        if not closing and self._close_requested and not unsent:
            closing = True
        if closing:
            frames.append(send(CloseRequest(), None))
            self.phase.move(Phase.CLOSING)
            self.timers.closing(now)
        if frames:
            self._out += b"".join(frames)

    def encode_direct(self, request: Any, result: Any, converter: Converter | None) -> bytes | None:
        """The frame of a request its caller writes itself, or None if it must be queued.

        None unless the session is open with nothing queued before it. Raises what
        :meth:`ZkProtocol.send` raises for a bad request (nothing is queued then).
        Call it under the transport's send lock.
        """
        if self.phase.phase is not Phase.OPEN or self.fates.unsent or self._out:
            return None
        assert self.protocol is not None
        return self.protocol.send(request, (result, converter))

    def data_sent(self, now: float) -> None:
        """Some bytes went out (the ping deadline moves)."""
        self.timers.sent(now)

    # ------------------------------------------------------------ bytes in

    def receive_data(self, data: bytes | bytearray | memoryview, now: float) -> list[Output]:
        """Feed received bytes; return what follows, in order (a :class:`Drop` ends the
        connection; replies decoded alongside are still completed)."""
        assert self.protocol is not None
        self.timers.received(now)
        out: list[Output] = []
        try:
            events = self.protocol.receive_data(data)
        except ProtocolError as exc:
            log.warning("protocol error from %s, reconnecting: %r", self.current_host, exc)
            dropping = False
            for event in undelivered_events(exc):
                dropping = self._route(event, now, out, dropping)
            if not dropping:
                out.append(Drop(f"protocol error: {exc!r}"))
            return out
        dropping = False
        for event in events:
            if type(event) is Reply:
                ctx = event.pending.context
                if type(ctx) is tuple:
                    out.append(complete_reply(event, ctx))
                    continue
            dropping = self._route(event, now, out, dropping)
        return out

    def _route(self, event: Any, now: float, out: list[Output], dropping: bool) -> bool:
        """Route one event; returns True once the connection must end (a Drop was output).

        After that, only replies are still completed (they are real answers).
        """
        kind = type(event)
        if kind is Reply:
            ctx = event.pending.context
            if type(ctx) is tuple:
                out.append(complete_reply(event, ctx))
            elif dropping:
                pass
            elif ctx is SASL_CONTEXT:
                return self._login_reply(event, now, out)
            elif ctx is None and self.phase.phase is Phase.CLOSING:  # the CloseRequest's answer
                self.phase.move(Phase.CLOSED)
                out.append(Drop("session closed"))
                return True
            return dropping
        if kind is Notification:
            out.append(dispatch_notification(event))
            return dropping
        if dropping:
            return True
        if kind is AuthReply:
            return self._auth_reply(event, out)
        if kind is Connected:
            return self._connected(event, now, out)
        if kind is SessionExpired:
            log.warning("session expired (server %s)", self.current_host)
            self._expired = True
            self._session_lost(out, announced=False)
            out.append(Drop("session expired"))
            return True
        if kind is SetWatchesReply and event.err:
            log.warning("SetWatches failed with error %d", event.err)
        return False

    def _connected(self, event: Connected, now: float, out: list[Output]) -> bool:
        assert self.protocol is not None
        self.timers.negotiated(event.timeout_ms)
        self.timers.received(now)
        if not accept_server(event.read_only, self.read_only):
            out.append(Drop("read-write server required"))
            return True
        if self.tracker.has_session and not event.same_session:
            # The server gave us a new session: the old one is gone.
            self.fates.fail_unsent(SessionExpiredError, out)
            self._state(self.tracker.on_expired(), out)
        self._read_only_server = event.read_only
        if self.login is not None:  # the login first: nothing else is written until it is done
            self.phase.move(Phase.SASL)
            self._out += self.login.begin(self.protocol, now, event.timeout_ms / 1000.0)
            return False
        self._prime(event.timeout_ms, out)
        return False

    def _prime(self, timeout_ms: int, out: list[Output]) -> None:
        """Auth packets then SetWatches go out, the session opens, CONNECTED is told."""
        assert self.protocol is not None
        for entry in self.protocol.auth_data:
            self.fates.auth_waiters.append((None, entry))
        self._out += self.protocol.priming()
        self.phase.move(Phase.OPEN)
        out.append(Opened())
        self._state(self.tracker.on_connected(self._read_only_server, timeout_ms / 1000.0), out)
        candidates = probe_candidates(self._read_only_server, self.planner.hosts, self.current_host)
        if candidates:
            self._probing = True
            out.append(StartProbe(candidates))
        log.info("connected to %s (session 0x%x, timeout %d ms%s)", self.current_host,
                 self.protocol.session_id, timeout_ms, ", read-only" if self._read_only_server else "")

    def _login_reply(self, event: Reply, now: float, out: list[Output]) -> bool:
        assert self.login is not None and self.protocol is not None
        try:
            frame = self.login.on_reply(self.protocol, event)
        except AuthFailedError as exc:
            self._auth_failed(exc, out)
            out.append(Drop("SASL login refused"))
            return True
        if frame is not None:
            self._out += frame
        else:
            self._prime(self.protocol.negotiated_timeout_ms, out)
        return False

    def _auth_reply(self, event: AuthReply, out: list[Output]) -> bool:
        waiters = self.fates.auth_waiters
        waiter, credential = waiters.popleft() if waiters else (None, None)
        if not event.err:
            if waiter is not None:
                out.append(_success(waiter))
            return False
        if credential is not None:  # not re-sent after a restart
            self._auth_data = [a for a in self._auth_data if (a[0], a[1].encode()) != credential]
        error = make_error(event.err)
        failed = isinstance(error, AuthFailedError)
        if failed:
            # State first, so that the caller sees LOST/AUTH_FAILED when woken.
            self._auth_failed(error, out, announce=False)
        if waiter is not None:
            out.append(_refusal(waiter, error))
        if failed:
            out.append(LoginFailed())
            out.append(Drop("authentication failed"))
        return failed

    def _auth_failed(self, exc: Exception, out: list[Output], announce: bool = True) -> None:
        """Authentication failed for good: LOST/AUTH_FAILED, and the run ends."""
        log.error("authentication failed, the client stops connecting: %s", exc)
        self.closed_error = AuthFailedError
        self._state(self.tracker.on_auth_failed(), out)
        if announce:
            out.append(LoginFailed())
        self.phase.move(Phase.CLOSED)

    def _session_lost(self, out: list[Output], announced: bool) -> None:
        """The session is gone: fail everything, forget it, tell listeners LOST."""
        assert self.protocol is not None
        self.fates.fail_written(self.protocol.connection_lost(), SessionExpiredError, out)
        self.fates.fail_unsent(SessionExpiredError, out)
        self.protocol.reset_session()
        if not announced:
            self._state(self.tracker.on_expired(), out)
        else:
            out.append(StateChanged(ZkState.LOST))

    def _state(self, state: ZkState | None, out: list[Output]) -> None:
        if state is not None:
            out.append(StateChanged(state))

    # ------------------------------------------------------------ time

    def tick(self, now: float) -> list[Output]:
        """Apply the deadlines due at ``now`` (read timeout, ping, login, close, moves)."""
        out: list[Output] = []
        phase = self.phase.phase
        if phase is Phase.OPEN:
            timers = self.timers
            assert self.protocol is not None
            timers.note_xid(self.protocol.last_xid, now)
            if timers.read_timed_out(now):
                out.append(Drop(f"no bytes from the server for {timers.read_timeout:.2f} s"))
            elif self._rw_found is not None:
                out.append(Drop("moving to a read-write server"))
            elif timers.ping_due(now):
                self._out += self.protocol.ping()
                timers.sent(now)
        elif phase is Phase.HANDSHAKE or phase is Phase.SASL:
            if self._close_requested:
                self.phase.move(Phase.CLOSED)
                out.append(Drop("stopping"))
            elif phase is Phase.SASL and self.login is not None and now >= self.login.deadline:
                out.append(Drop("SASL exchange timed out"))
            elif phase is Phase.HANDSHAKE and self.timers.read_timed_out(now):
                out.append(Drop(f"no handshake answer for {self.timers.read_timeout:.2f} s"))
        elif phase is Phase.CLOSING:
            deadline = self.timers.closing_deadline
            if deadline is not None and now >= deadline:
                self.phase.move(Phase.CLOSED)
                out.append(Drop("no answer to the CloseRequest"))
        elif phase is Phase.DISCONNECTED:
            self._disconnected_rules(now, out)
        return out

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must run next while connected (None: no deadline)."""
        phase = self.phase.phase
        if phase is Phase.OPEN:
            return self.timers.next_deadline(pinging=True)
        if phase is Phase.HANDSHAKE:
            return self.timers.next_deadline(pinging=False)
        if phase is Phase.SASL and self.login is not None:
            return self.login.deadline
        if phase is Phase.CLOSING:
            return self.timers.closing_deadline
        return None


def _success(result: Any) -> Output:
    return Complete(result, True)


def _refusal(result: Any, error: BaseException) -> Output:
    return Complete(result, None, error)
