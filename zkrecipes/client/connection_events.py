"""The session side of a :class:`~zkrecipes.client.connection.Connection`: what the I/O
loop does with the protocol core's events, and how requests end.

Reply events complete their :class:`AsyncResult`; notifications go to the
WATCH queue; auth replies complete ``add_auth`` callers (or stop the loop on
AUTH_FAILED); a finished handshake primes the session (SASL, auth packets,
SetWatches) and opens the direct route. The ``_fail_*`` methods give every
request that cannot complete its specific exception: nothing is dropped.
Runs only on the I/O loop (a mixin of ``Connection``, like
:class:`~zkrecipes.client.connection_io.DirectWriter`).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, Final

from zkrecipes.client.connection_io import DirectWriter
from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.client.hosts import HostIterator, HostPort
from zkrecipes.client.protocol.events import (
    AuthReply,
    Connected,
    Notification,
    PingReply,
    Reply,
    SetWatchesReply,
)
from zkrecipes.client.rw_probe import ReadWriteProbe
from zkrecipes.client.sasl import SaslAuthenticator
from zkrecipes.client.session_state import SessionStateTracker
from zkrecipes.exceptions import (
    AuthFailedError,
    ConnectionDropped,
    ConnectionLoss,
    SessionExpiredError,
    ZkException,
    make_error,
)
from zkrecipes.states import WatchedEvent, ZkState

if TYPE_CHECKING:
    from collections.abc import Callable

    from zkrecipes.client.handlers.interface import AsyncResult

log = logging.getLogger("zkrecipes.connection")

_CLOSE: Final[Any] = object()
"""Queue marker: send the CloseRequest (stop())."""


class _Drop(Exception):
    """Internal: drop this TCP connection and reconnect."""


class _Expired(Exception):
    """Internal: the server says the session expired."""


class _Stop(Exception):
    """Internal: the loop must end (stop() or auth failure)."""


class SessionEvents(DirectWriter):
    """Event routing and request fates of a connection (see the module docstring)."""

    tracker: SessionStateTracker
    live: Any
    read_only: bool
    current_host: HostPort | None
    _on_state: Callable[[ZkState], None]
    _hosts: HostIterator
    _ssl: dict[str, Any]
    _sasl: SaslAuthenticator | None
    _auth_data: list[tuple[str, str]]
    _auth_waiters: deque[tuple[AsyncResult | None, tuple[str, bytes]]]
    _closed_exc: type[ZkException]
    _rw_probe: ReadWriteProbe | None
    _rw_found: HostPort | None

    def _emit(self, state: ZkState | None) -> None:
        if state is None:
            return
        if state is ZkState.CONNECTED:
            self.live.set()
        else:
            self.live.clear()
        try:
            self._on_state(state)
        except Exception:
            log.exception("state callback failed")

    def _fail_queue(self, exc_type: type[ZkException]) -> None:
        queue = self._queue
        while True:
            try:
                _request, result, _conv, _t = queue.popleft()
            except IndexError:
                return
            if result is not None:
                result.set_exception(exc_type())

    def _expire_queue(self, now: float) -> None:
        """Fail requests that have waited unsent for a whole session timeout."""
        queue = self._queue
        limit = now - self.tracker.session_timeout
        while queue:
            item = queue[0]
            if item[0] is _CLOSE or item[3] > limit:
                return
            queue.popleft()
            if item[1] is not None:
                item[1].set_exception(ConnectionLoss("not sent within the session timeout"))

    def _fail_pending(self, exc_type: type[ZkException]) -> None:
        assert self.protocol is not None
        for pending in self.protocol.connection_lost():
            ctx = pending.context
            if ctx is not None:
                ctx[0].set_exception(exc_type())
        while self._auth_waiters:
            waiter, _ = self._auth_waiters.popleft()
            if waiter is not None:
                waiter.set_exception(exc_type())

    def _session_lost(self) -> None:
        """The session is gone: fail everything, forget it, tell listeners LOST."""
        assert self.protocol is not None
        self._fail_pending(SessionExpiredError)
        self._fail_queue(SessionExpiredError)
        self.protocol.reset_session()
        self._emit(self.tracker.on_expired())

    def _check_lost(self, now: float) -> None:
        deadline = self.tracker.lost_deadline()
        if deadline is not None and now >= deadline:
            log.warning("disconnected for the whole session timeout: session considered lost")
            self._session_lost()

    def _on_connected(self, event: Connected, out: bytearray, sock: Any) -> bool:
        """Handshake done: priming, the direct route, state; False if this r/o server is
        unacceptable. The route opens after the priming is queued (auth goes first) and
        before CONNECTED is announced (a listener's first request may take it)."""
        assert self.protocol is not None
        if event.read_only and not self.read_only:
            return False
        if self.tracker.has_session and not event.same_session:
            # The server gave us a new session: the old one is gone.
            self._fail_queue(SessionExpiredError)
            self._emit(self.tracker.on_expired())
        if self._sasl is not None:  # SASL login first: nothing else is sent until it is done
            try:
                self._sasl.authenticate(self.handler, sock, self.protocol, event.timeout_ms / 1500.0,
                                        lambda ev: self._handle_event(ev, out))
            except AuthFailedError as exc:
                log.error("SASL authentication failed, the client stops connecting: %s", exc)
                self._closed_exc = AuthFailedError
                self._emit(self.tracker.on_auth_failed())
                self._sasl.failed()
                raise _Stop from None
            except ConnectionDropped as exc:
                raise _Drop(str(exc)) from None
        for entry in self.protocol.auth_data:
            self._auth_waiters.append((None, entry))
        out += self.protocol.priming()
        self._open_direct(sock)
        self._emit(self.tracker.on_connected(event.read_only, event.timeout_ms / 1000.0))
        if event.read_only and len(self._hosts.hosts) > 1:
            self._start_rw_probe()
        log.info(
            "connected to %s (session 0x%x, timeout %d ms%s)",
            self.current_host, event.session_id, event.timeout_ms, ", read-only" if event.read_only else "",
        )
        return True

    def _handle_event(self, event: Any, out: bytearray) -> bool:
        """Route one event; returns True only for the reply to our CloseRequest."""
        kind = type(event)
        if kind is Reply:
            ctx = event.pending.context
            if ctx is None:
                return True  # CloseRequest
            result, converter = ctx
            if converter is None:
                if event.err:
                    result.set_exception(make_error(event.err))
                else:
                    result.set(event.result)
            else:
                try:
                    value = converter(event.err, event.result)
                except Exception as exc:
                    result.set_exception(exc)
                else:
                    result.set(value)
        elif kind is Notification:
            watched = WatchedEvent(event.type, event.state, event.path)
            dispatch = self.handler.dispatch_callback
            for watcher in event.watchers:
                dispatch(CallbackKind.WATCH, watcher, watched)
        elif kind is PingReply:
            pass
        elif kind is AuthReply:
            waiter, credential = self._auth_waiters.popleft() if self._auth_waiters else (None, None)
            if event.err:
                if credential is not None:
                    # Not re-sent after a restart.
                    self._auth_data = [
                        a for a in self._auth_data if (a[0], a[1].encode()) != credential
                    ]
                error = make_error(event.err)
                if isinstance(error, AuthFailedError):
                    # State first, so that the caller sees LOST/AUTH_FAILED when woken.
                    log.error("authentication failed: the client stops connecting")
                    self._closed_exc = AuthFailedError
                    self._emit(self.tracker.on_auth_failed())
                if waiter is not None:
                    waiter.set_exception(error)
                if isinstance(error, AuthFailedError):
                    raise _Stop
            elif waiter is not None:
                waiter.set(True)
        elif kind is SetWatchesReply and event.err:
            log.warning("SetWatches failed with error %d", event.err)
        return False

    # ------------------------------------------------------- read-only mode

    def _start_rw_probe(self) -> None:
        current = self.current_host
        candidates = [h for h in self._hosts.hosts if h != current]
        probe = ReadWriteProbe(self.handler, candidates, self._ssl, self._on_rw_found)
        self._rw_probe = probe
        probe.start()

    def _on_rw_found(self, host: HostPort) -> None:
        self._rw_found = host
        self._wake()
