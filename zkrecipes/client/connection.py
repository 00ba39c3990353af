"""The I/O loop: connect, handshake, read/write, ping, read timeout, reconnect.

One :class:`Connection` per client. Its loop runs in ``handler.spawn`` (a
thread or a greenlet), reads every byte and owns (re)connects; the sans-IO
:class:`~zkrecipes.client.protocol.session.ZkProtocol` is touched only here.
:meth:`Connection.submit` takes one of two routes:

* **direct** — when connected over plain TCP with a handler whose ``caller_may_write()`` says yes, nothing is
  queued or waiting to be written, fewer than ``DIRECT_MAX_IN_FLIGHT``
  requests await replies and the send lock is free, the calling thread
  (gevent: a greenlet of the hub thread) assigns the xid and writes the frame
  itself, under the send lock that also orders xid assignment, so wire order
  is pending order. A sync call then skips handing its request to the I/O
  thread (a wake-up byte, a thread switch and a loop turn); the reply is still
  read by the loop;
* **queued** — otherwise a deque append plus, when the loop is not already
  awake, one byte on a wake-up socketpair; the loop sends queued requests in
  submission order, before any later direct write.

Guarantees:

* queued requests go out in one ``send`` of the concatenated frames (partial
  writes, direct or not, keep the rest for the loop's next writable event);
  reads are taken in 256 KiB chunks; requests of one thread reach the server
  in the order they were submitted, whichever route each took;
* the loop never runs user code: replies complete :class:`AsyncResult`\\ s (whose
  linked callbacks run on the COMPLETION queue), watch callbacks go to the
  WATCH queue and state changes to ``on_state`` (the client dispatches them on
  the SESSION queue);
* every request completes or fails: ``ConnectionLoss`` when its connection
  drops (direct writes stop, under the send lock, before the connection's
  pending requests are failed) or when it waited unsent for a whole session timeout,
  ``SessionExpiredError`` when the session is lost, ``ConnectionClosedError``
  on stop, ``AuthFailedError`` after an authentication failure;
* a ``ProtocolError`` from the core drops the connection (the session
  survives) and the loop reconnects.

The send side lives in :mod:`.connection_io`; event routing and request fates
in :mod:`.connection_events`.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from zkrecipes.client.connection_events import _CLOSE, SessionEvents, _Drop, _Expired, _Stop
from zkrecipes.client.connection_io import (
    WOULD_BLOCK,
    Poller,
    is_tls_socket,
)
from zkrecipes.client.hosts import HostIterator, HostPort
from zkrecipes.client.protocol.events import (
    Connected,
    SessionExpired,
)
from zkrecipes.client.protocol.requests import CloseRequest
from zkrecipes.client.protocol.session import ZkProtocol, undelivered_events
from zkrecipes.client.rw_probe import ReadWriteProbe
from zkrecipes.client.sasl import SaslAuthenticator
from zkrecipes.client.session_state import SessionStateTracker
from zkrecipes.exceptions import (
    AuthFailedError,
    ConnectionClosedError,
    ConnectionLoss,
    ProtocolError,
    ZkException,
)
from zkrecipes.retry import ExponentialBackoff
from zkrecipes.states import KeeperState, ZkState

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import AsyncResult, Handler, Joinable


log = logging.getLogger("zkrecipes.connection")

READ_CHUNK: Final = 256 * 1024
MAX_DRAIN: Final = 20_000  # requests taken from the queue per loop turn
MAX_OUTBUF: Final = 4 * 1024 * 1024  # stop taking requests while this much is unsent

Converter = Callable[[int, Any], Any]
"""Turns ``(err, result)`` of a reply into the value to set (or raises the error)."""


class _AuthItem:
    __slots__ = ("credential", "scheme")

    def __init__(self, scheme: str, credential: str) -> None:
        self.scheme = scheme
        self.credential = credential


class Connection(SessionEvents):
    """Owns the session's TCP connection(s) and the protocol core.

    ``on_state(state)`` is called from the loop on each :class:`ZkState`
    change and must not block (the client queues its listeners).
    """

    def __init__(
        self,
        handler: Handler,
        hosts: list[HostPort],
        chroot: str,
        session_timeout: float,
        *,
        on_state: Callable[[ZkState], None],
        retry_policy: Any = None,
        client_id: tuple[int, bytes] | None = None,
        read_only: bool = False,
        randomize_hosts: bool = True,
        auth_data: list[tuple[str, str]] | None = None,
        ssl_options: dict[str, Any] | None = None,
        max_frame_size: int | None = None,
        sasl: SaslAuthenticator | None = None,
    ) -> None:
        self.handler = handler
        self._hosts = HostIterator(hosts, randomize_hosts)
        self.chroot = chroot
        self.session_timeout = session_timeout
        self._on_state = on_state
        self.retry_policy = retry_policy
        self._client_id = client_id
        self.read_only = read_only
        self._auth_data = list(auth_data or [])
        self._ssl = dict(ssl_options or {})
        self._max_frame_size = max_frame_size
        self._sasl = sasl
        self.tracker = SessionStateTracker(session_timeout)
        self.live = handler.event_object()
        self.protocol: ZkProtocol | None = None
        self.current_host: HostPort | None = None
        self.current_peer: tuple[Any, ...] | None = None
        self._queue: deque[tuple[Any, Any, Converter | None, float]] = deque()
        self._closed = True  # True while not started: submit() fails at once
        self._closed_exc: type[ZkException] = ConnectionClosedError
        self._stopping = False
        self._wake_pending = False
        self._wake_r: Any = None
        self._wake_w: Any = None
        self._loop: Joinable | None = None
        # One entry per auth packet on the wire: (result or None, (scheme, credential)).
        self._auth_waiters: deque[tuple[AsyncResult | None, tuple[str, bytes]]] = deque()
        self._rw_probe: ReadWriteProbe | None = None
        self._rw_found: HostPort | None = None
        self._init_direct_writer(handler)

    # ------------------------------------------------------------------ public

    @property
    def running(self) -> bool:
        """True between :meth:`start` and the end of the loop."""
        return not self._closed

    def set_hosts(self, hosts: list[HostPort]) -> None:
        """Use these hosts from the next connection attempt on."""
        self._hosts.set_hosts(hosts)

    def start(self) -> None:
        """Start the I/O loop (a new session unless ``client_id`` was given)."""
        if not self._closed:
            return
        proto = ZkProtocol(
            session_timeout_ms=int(self.session_timeout * 1000),
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
        self.tracker = SessionStateTracker(self.session_timeout)
        self._wake_r, self._wake_w = self.handler.socketpair()
        self._wake_r.setblocking(False)
        self._wake_pending = False
        self._stopping = False
        self._closed_exc = ConnectionClosedError
        self._auth_waiters.clear()
        self._fail_queue(ConnectionClosedError)  # leftovers of the last run (a close marker)
        self._closed = False
        self._loop = self.handler.spawn(self._run)

    def stop(self, timeout: float) -> bool:
        """Close the session (CloseSession if connected) and end the loop.

        Requests queued before this call are sent first when connected; what
        remains fails with ``ConnectionClosedError``. Returns False if the loop
        did not end within ``timeout`` seconds.
        """
        loop = self._loop
        if loop is None:
            return True
        self._stopping = True
        self._queue.append((_CLOSE, None, None, 0.0))
        self._wake()
        loop.join(timeout)
        finished = self._closed
        if finished:
            self._loop = None
        return finished

    def submit(self, request: Any, result: AsyncResult, converter: Converter | None = None) -> None:
        """Queue ``request``; ``result`` completes with its reply (or an error).

        Safe from any thread. Never blocks.
        """
        if self._closed:
            result.set_exception(self._closed_exc("Connection has been closed"))
            return
        if (self._direct is not None and not self._queue and type(request) is not _AuthItem
                and self._try_direct(request, result, converter)):
            return
        self._queue.append((request, result, converter, time.monotonic()))
        if self._closed:
            self._fail_queue(self._closed_exc)
            return
        if not self._wake_pending:
            self._wake()

    def add_auth(self, scheme: str, credential: str, result: AsyncResult) -> None:
        """Queue an auth packet; ``result`` becomes True, or fails with AuthFailedError."""
        self.submit(_AuthItem(scheme, credential), result)

    # ---------------------------------------------------------------- helpers

    def _wake(self) -> None:
        self._wake_pending = True
        try:
            self._wake_w.send(b"\0")
        except (OSError, AttributeError):
            pass

    # --------------------------------------------------------------- the loop

    def _run(self) -> None:
        try:
            self._connect_loop()
        except _Stop:
            pass
        except BaseException:
            log.exception("connection loop crashed")
        finally:
            self._finish()

    def _finish(self) -> None:
        if self._rw_probe is not None:
            self._rw_probe.cancel()
            self._rw_probe = None
        exc = self._closed_exc
        if self.protocol is not None:
            self._fail_pending(exc)
        self._closed = True
        self._fail_queue(exc)
        if exc is AuthFailedError:
            self._emit(self.tracker.on_auth_failed())
        else:
            self._emit(self.tracker.on_closed())
        self.live.clear()
        self.current_host = self.current_peer = None
        for sock in (self._wake_r, self._wake_w):
            with contextlib.suppress(Exception):
                sock.close()

    def _backoff(self) -> ExponentialBackoff:
        policy = self.retry_policy
        if policy is None:
            return ExponentialBackoff()
        return ExponentialBackoff(policy.delay, policy.backoff, policy.max_jitter, policy.max_delay)

    def _connect_loop(self) -> None:
        """Try the hosts round after round until stopped.

        After a connection that reached a session drops, the loop pauses for one
        backoff delay before the next attempt (like ZooKeeper's Java client, so
        that two clients presenting the same session do not fight over it);
        failed attempts move straight to the next host, and a round where every
        host failed ends with a backoff delay. Delays are capped at a third of
        the session timeout so that a server back in time is found in time.
        """
        backoff = self._backoff()
        pause = 0.0
        while not self._stopping:
            hosts = self._hosts.round()
            target, self._rw_found = self._rw_found, None
            if target is not None:
                hosts = [target] + [h for h in hosts if h != target]
                pause = 0.0
            established = False
            for host in hosts:
                if pause > 0:
                    self._idle_wait(pause)
                    pause = 0.0
                if self._stopping:
                    return
                now = time.monotonic()
                self._expire_queue(now)
                self._check_lost(now)
                served = self._attempt(host)
                if served is not None:
                    established = True
                    if served > self.tracker.session_timeout / 3:
                        backoff.reset()
                    if self._rw_found is not None:
                        break
                    pause = self._next_pause(backoff)
            if not established:
                pause = self._next_pause(backoff)

    def _next_pause(self, backoff: ExponentialBackoff) -> float:
        return min(backoff.next_delay(), max(0.1, self.tracker.session_timeout / 3))

    def _idle_wait(self, seconds: float) -> None:
        """Wait while disconnected: expire old requests, apply the LOST rule, watch for stop."""
        end = time.monotonic() + seconds
        while not self._stopping:
            now = time.monotonic()
            self._expire_queue(now)
            self._check_lost(now)
            remaining = end - now
            if remaining <= 0:
                return
            deadline = self.tracker.lost_deadline()
            timeout = remaining if deadline is None else max(0.0, min(remaining, deadline - now))
            if self._queue:
                oldest = self._queue[0][3] + self.tracker.session_timeout
                timeout = max(0.0, min(timeout, oldest - now))
            readable, _, _ = self.handler.select([self._wake_r], [], [], timeout)
            if readable:
                self._drain_wake()

    def _drain_wake(self) -> None:
        """Empty the wake-up socket, then clear ``_wake_pending``.

        In that order: a submitter that saw the flag still set (and sent no byte)
        appended its request before the flag was cleared, so the loop's next
        queue check, which follows, finds it. Clearing first would let such a
        submitter's byte be drained with the flag left set: no later submitter
        would wake the loop (a lost wake-up until the next reply or ping).
        """
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            pass
        self._wake_pending = False

    def _attempt(self, host: HostPort) -> float | None:
        """Connect to ``host`` and serve it; returns seconds served, or None if no session."""
        assert self.protocol is not None
        self.tracker.on_connecting()
        n_hosts = max(1, len(self._hosts.hosts))
        connect_timeout = max(self.tracker.session_timeout / n_hosts, 1.0)
        try:
            sock = self.handler.create_connection(
                (host.host, host.port), connect_timeout, server_hostname=host.host, **self._ssl
            )
        except (OSError, ZkException) as exc:
            log.info("connect to %s failed: %s", host, exc)
            return None
        started = time.monotonic()
        try:
            sock.setblocking(False)
            self.current_host = host
            try:
                self.current_peer = sock.getpeername()
            except OSError:
                self.current_peer = None
            self._serve(sock, connect_timeout)
        except _Drop as exc:
            log.info("connection to %s dropped: %s", host, exc)
        except ProtocolError as exc:
            log.warning("protocol error from %s, reconnecting: %r", host, exc)
        except (OSError, ssl.SSLError) as exc:
            log.info("connection to %s failed: %s", host, exc)
        except _Expired:
            log.warning("session expired (server %s)", host)
            with contextlib.suppress(Exception):
                sock.close()
            self._session_lost()
            return 0.0
        finally:
            with contextlib.suppress(Exception):
                sock.close()
            self.current_host = self.current_peer = None
            if self._rw_probe is not None:
                self._rw_probe.cancel()
                self._rw_probe = None
        served = time.monotonic() - started
        if self.tracker.state is ZkState.CONNECTED:
            self._fail_pending(ConnectionLoss)
            self._emit(self.tracker.on_disconnected(time.monotonic()))
            return served
        self._fail_pending(ConnectionLoss)
        return None

    def _serve(self, sock: Any, connect_timeout: float) -> None:
        """Handshake then serve requests until the connection drops or stop (always raises)."""
        assert self.protocol is not None
        proto = self.protocol
        poller = Poller(self.handler, sock, self._wake_r)
        try:
            self._serve_loop(sock, proto, connect_timeout, poller)
        except (_Drop, OSError, ProtocolError):
            if self._stopping:
                raise _Stop from None
            raise
        finally:
            self._close_direct(clear_out=True)
            poller.close()

    def _serve_loop(self, sock: Any, proto: ZkProtocol, connect_timeout: float, poller: Poller) -> None:
        out = self._out  # mutated under the send lock once direct writes are open
        self._close_direct(clear_out=True)
        self._write_error = None
        out += proto.connect()
        connected = False
        closing_deadline: float | None = None
        now = time.monotonic()
        last_recv = last_send = now
        read_timeout = connect_timeout
        ping_interval = connect_timeout
        is_tls = is_tls_socket(sock)
        seen_xid = proto.last_xid
        while True:
            # 1. take queued work once connected (bounded per turn, backpressure on out)
            if connected and closing_deadline is None:
                if self._queue and len(out) < MAX_OUTBUF:
                    if self._take_queue(out):
                        closing_deadline = time.monotonic() + min(read_timeout, 5.0)
                elif self._stopping:
                    self._close_direct()
                    self._append_out(proto.send(CloseRequest(), None))
                    closing_deadline = time.monotonic() + min(read_timeout, 5.0)
            # 2. write what is ready before waiting
            if out and self._flush(sock):
                last_send = time.monotonic()
            # 3. wait
            now = time.monotonic()
            if closing_deadline is not None:
                timeout = closing_deadline - now
            else:
                timeout = min(last_recv + read_timeout, last_send + ping_interval) - now
                if connected and self._queue and len(out) < MAX_OUTBUF:
                    timeout = 0.0
            if not connected and self._stopping:
                raise _Stop
            can_read, _can_write, woken = poller.wait(bool(out), max(0.0, timeout))
            if woken:
                self._drain_wake()
            if self._write_error is not None:
                raise _Drop(f"writing to the server failed: {self._write_error}")
            # 4. read
            if can_read or (is_tls and sock.pending()):
                while True:
                    try:
                        data = sock.recv(READ_CHUNK)
                    except WOULD_BLOCK:
                        break
                    if not data:
                        raise _Drop("server closed the connection")
                    last_recv = time.monotonic()
                    try:
                        events = proto.receive_data(data)
                    except ProtocolError as exc:
                        for event in undelivered_events(exc):
                            self._handle_event(event, out)
                        raise
                    for event in events:
                        if self._handle_event(event, out):
                            if closing_deadline is not None:
                                raise _Stop
                        elif type(event) is Connected:
                            connected = True
                            if not self._on_connected(event, out, sock):
                                raise _Drop("read-write server required")
                            read_timeout = event.timeout_ms / 1000.0 * 2 / 3
                            ping_interval = event.timeout_ms / 1000.0 / 3
                        elif type(event) is SessionExpired:
                            raise _Expired
                    if is_tls:
                        if not sock.pending():
                            break
                    elif len(data) < READ_CHUNK:
                        break
            # 5. write (handshake follow-ups, or the socket became writable)
            if out and self._flush(sock):
                last_send = time.monotonic()
            # 6. timers
            now = time.monotonic()
            if proto.last_xid != seen_xid:  # callers wrote directly: the connection is not idle
                seen_xid = proto.last_xid
                last_send = now
            if closing_deadline is not None:
                if now >= closing_deadline:
                    raise _Stop
                continue
            if now - last_recv >= read_timeout:
                raise _Drop(f"no bytes from the server for {read_timeout:.2f} s")
            if connected:
                if now - last_send >= ping_interval and not out:
                    self._append_out(proto.ping())
                if self._rw_found is not None:
                    raise _Drop("moving to a read-write server")
            elif self._stopping:
                raise _Stop

    def _take_queue(self, out: bytearray) -> bool:
        """Move queued requests into ``out`` (under the send lock); True when a close was sent."""
        assert self.protocol is not None
        proto = self.protocol
        send = proto.send
        queue = self._queue
        frames: list[bytes] = []
        refused: list[tuple[Any, Exception]] = []
        closing = False
        lock = self._send_lock
        lock.acquire()
        try:
            for _ in range(MAX_DRAIN):
                try:
                    item = queue.popleft()
                except IndexError:
                    break
                request, result, converter, _t = item
                if request is _CLOSE:
                    frames.append(send(CloseRequest(), None))
                    self._direct = None
                    closing = True
                    break
                try:
                    if type(request) is _AuthItem:
                        frames.append(proto.add_auth(request.scheme, request.credential))
                        self._auth_data.append((request.scheme, request.credential))
                        self._auth_waiters.append((result, (request.scheme, request.credential.encode())))
                    else:
                        frames.append(send(request, (result, converter)))
                except Exception as error:
                    refused.append((result, error))
            if frames:
                out += b"".join(frames)
        finally:
            lock.release()
        for waiter, reason in refused:
            waiter.set_exception(reason)
        return closing

    @property
    def keeper_state(self) -> KeeperState:
        """ZooKeeper's own view of the connection (``client_state``)."""
        return self.tracker.keeper_state
