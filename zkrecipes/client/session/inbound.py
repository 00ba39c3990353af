"""What received events do to the session: the handshake, the login, auth answers, expiry.

Replies to requests become completions and notifications watch dispatches
(:mod:`.routing`); everything else that arrives moves the session: a
ConnectResponse opens it (refusing a read-only server when not allowed,
declaring the old session LOST if the server gave a new one) and starts the
priming — the SASL login first when configured, then the auth packets and
SetWatches, then CONNECTED; an auth failure ends the run; an expiry is LOST.
Functions over :class:`~zkrecipes.client.session.parts.SessionParts`.
"""

from __future__ import annotations

import logging
from typing import Any

from zkrecipes.client.protocol.errors import request_error
from zkrecipes.client.protocol.events import (
    AuthReply,
    Connected,
    Notification,
    Reply,
    SessionExpired,
    SetWatchesReply,
)
from zkrecipes.client.protocol.session import undelivered_events
from zkrecipes.client.session.login import SASL_CONTEXT
from zkrecipes.client.session.outputs import (
    Complete,
    Drop,
    LoginFailed,
    Opened,
    Output,
    StartProbe,
    StateChanged,
)
from zkrecipes.client.session.parts import SessionParts
from zkrecipes.client.session.readonly import accept_server, probe_candidates
from zkrecipes.client.session.routing import complete_reply, dispatch_notification
from zkrecipes.client.session.state import Phase
from zkrecipes.exceptions import AuthFailedError, ProtocolError, SessionExpiredError
from zkrecipes.observe.connection_event import ConnectionEventKind
from zkrecipes.states import ZkState

__all__ = ["auth_failed", "emit", "receive", "session_lost"]

log = logging.getLogger("zkrecipes.connection")


def emit(state: ZkState | None, out: list[Output]) -> None:
    """Output a state change reported by the tracker (None: no change)."""
    if state is not None:
        out.append(StateChanged(state))


def receive(p: SessionParts, data: bytes | bytearray | memoryview, now: float) -> list[Output]:
    """Feed received bytes; return what follows, in order (a :class:`Drop` ends the
    connection; replies decoded alongside are still completed)."""
    assert p.protocol is not None
    p.timers.received(now)
    out: list[Output] = []
    try:
        events = p.protocol.receive_data(data)
    except ProtocolError as exc:
        log.warning("protocol error from %s, reconnecting: %r", p.current_host, exc)
        if p.phase.phase is Phase.HANDSHAKE:
            p.planner.note_error(p.current_host, f"protocol error: {exc}")
        dropping = False
        delivered = undelivered_events(exc)
        if p.observer is not None:
            p.observer.received(p, delivered, b"", now)  # the replies decoded before the bad frame
        for event in delivered:
            dropping = _route(p, event, now, out, dropping)
        if not dropping:
            out.append(Drop(f"protocol error: {exc!r}"))
        return out
    if p.observer is not None:
        p.observer.received(p, events, data, now)
    dropping = False
    append = out.append
    for event in events:
        if type(event) is Reply:  # the hot path: a request's answer
            ctx = event.pending.context
            if type(ctx) is tuple:
                if ctx[1] is None and not event.err:
                    append(Complete(ctx[0], event.result))
                else:
                    append(complete_reply(event, ctx))
                continue
        dropping = _route(p, event, now, out, dropping)
    return out


def _route(p: SessionParts, event: Any, now: float, out: list[Output], dropping: bool) -> bool:
    """Route one event; True once the connection must end (a Drop was output).

    After that, only replies and notifications are still delivered (they are real).
    """
    kind = type(event)
    if kind is Reply:
        ctx = event.pending.context
        if type(ctx) is tuple:
            out.append(complete_reply(event, ctx))
        elif dropping:
            pass
        elif ctx is SASL_CONTEXT:
            return _login_reply(p, event, out)
        elif ctx is None and p.phase.phase is Phase.CLOSING:  # the CloseRequest's answer
            p.phase.move(Phase.CLOSED)
            out.append(Drop("session closed"))
            return True
        return dropping
    if kind is Notification:
        out.append(dispatch_notification(event))
        return dropping
    if dropping:
        return True
    if kind is AuthReply:
        return _auth_reply(p, event, out)
    if kind is Connected:
        return _connected(p, event, now, out)
    if kind is SessionExpired:
        log.warning("session expired (server %s)", p.current_host)
        p.expired = True
        session_lost(p, out, announced=False)
        out.append(Drop("session expired"))
        return True
    if kind is SetWatchesReply and event.err:
        log.warning("SetWatches failed with error %d", event.err)
    return False


def _connected(p: SessionParts, event: Connected, now: float, out: list[Output]) -> bool:
    assert p.protocol is not None
    p.timers.negotiated(event.timeout_ms)
    p.timers.received(now)
    if not accept_server(event.read_only, p.read_only):
        p.planner.note_error(p.current_host, "read-only server (read-write required)")
        out.append(Drop("read-write server required"))
        return True
    resumed = p.tracker.has_session and event.same_session
    if p.tracker.has_session and not event.same_session:
        # The server gave us a new session: the old one is gone.
        if p.observer is not None:
            p.observer.connection(ConnectionEventKind.EXPIRED, p, now)
        p.fates.fail_unsent(SessionExpiredError, out)
        emit(p.tracker.on_expired(), out)
    if p.observer is not None:
        kind = ConnectionEventKind.RECONNECTED if resumed else ConnectionEventKind.CONNECTED
        p.observer.connection(kind, p, now)
    p.read_only_server = event.read_only
    if p.login is not None:  # the login first: nothing else is written until it is done
        p.phase.move(Phase.SASL)
        p.out += p.login.begin(p.protocol, now, event.timeout_ms / 1000.0)
        return False
    _prime(p, event.timeout_ms, out)
    return False


def _prime(p: SessionParts, timeout_ms: int, out: list[Output]) -> None:
    """Auth packets then SetWatches go out, the session opens, CONNECTED is told."""
    assert p.protocol is not None
    for entry in p.protocol.auth_data:
        p.fates.auth_waiters.append((None, entry))
    p.out += p.protocol.priming()
    p.phase.move(Phase.OPEN)
    out.append(Opened())
    emit(p.tracker.on_connected(p.read_only_server, timeout_ms / 1000.0), out)
    candidates = probe_candidates(p.read_only_server, p.planner.hosts, p.current_host)
    if candidates:
        p.probing = True
        out.append(StartProbe(candidates))
    log.info("connected to %s (session 0x%x, timeout %d ms%s)", p.current_host,
             p.protocol.session_id, timeout_ms, ", read-only" if p.read_only_server else "")


def _login_reply(p: SessionParts, event: Reply, out: list[Output]) -> bool:
    assert p.login is not None and p.protocol is not None
    try:
        frame = p.login.on_reply(p.protocol, event)
    except AuthFailedError as exc:
        auth_failed(p, exc, out)
        out.append(Drop("SASL login refused"))
        return True
    if frame is not None:
        p.out += frame
    else:
        _prime(p, p.protocol.negotiated_timeout_ms, out)
    return False


def _auth_reply(p: SessionParts, event: AuthReply, out: list[Output]) -> bool:
    waiters = p.fates.auth_waiters
    waiter, credential = waiters.popleft() if waiters else (None, None)
    if not event.err:
        if waiter is not None:
            out.append(Complete(waiter, True))
        return False
    if credential is not None:  # not re-sent after a restart
        p.auth_data = [a for a in p.auth_data if (a[0], a[1].encode()) != credential]
    error = request_error(event.err, "auth", None)  # KeeperErrorCode = AuthFailed
    failed = isinstance(error, AuthFailedError)
    if failed:
        # State first, so that the caller sees LOST/AUTH_FAILED when woken.
        auth_failed(p, error, out, announce=False)
    if waiter is not None:
        out.append(Complete(waiter, None, error))
    if failed:
        out.append(LoginFailed())
        out.append(Drop("authentication failed"))
    return failed


def auth_failed(p: SessionParts, exc: Exception, out: list[Output], announce: bool = True) -> None:
    """Authentication failed for good: LOST/AUTH_FAILED, and the run ends."""
    log.error("authentication failed, the client stops connecting: %s", exc)
    p.closed_error = AuthFailedError
    emit(p.tracker.on_auth_failed(), out)
    if announce:
        out.append(LoginFailed())
    p.phase.move(Phase.CLOSED)


def session_lost(p: SessionParts, out: list[Output], announced: bool) -> None:
    """The session is gone: fail everything, forget it, tell listeners LOST."""
    assert p.protocol is not None
    if p.observer is not None:
        p.observer.connection(ConnectionEventKind.EXPIRED, p)
    p.fates.fail_written(p.protocol.connection_lost(), SessionExpiredError, out)
    p.fates.fail_unsent(SessionExpiredError, out)
    p.protocol.reset_session()
    if announced:  # the tracker already moved to LOST (the timeout rule)
        out.append(StateChanged(ZkState.LOST))
    else:
        emit(p.tracker.on_expired(), out)
