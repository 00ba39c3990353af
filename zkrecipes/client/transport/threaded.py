"""``ThreadedTransport``: the session's bytes and timers on OS threads or gevent greenlets.

It decides nothing (the :class:`~zkrecipes.client.session.machine.SessionMachine`
does); it resolves DNS and opens TCP/TLS per attempt (``handler.create_connection``),
writes everything queued in one ``send``, reads in 256 KiB chunks, waits until
the deadline the session asks for, runs the read-only probe's socket I/O, and
applies the session's outputs. Its loop runs in ``handler.spawn`` (a thread or
a greenlet). :meth:`ThreadedTransport.submit` takes one of two routes:

* **direct** — when the session is open over plain TCP with a handler whose
  ``caller_may_write()`` says yes, nothing is queued or waiting to be written,
  fewer than ``DIRECT_MAX_IN_FLIGHT`` requests await replies and the send lock
  is free, the calling thread (gevent: a greenlet of the hub thread) has the
  session assign the xid and writes the frame itself, under the send lock that
  also orders xid assignment, so wire order is pending order. A sync call then
  skips handing its request to the I/O thread; the reply is still read by the loop;
* **queued** — otherwise a deque append plus, when the loop is not already
  awake, one byte on a wake-up socketpair; the loop sends queued requests in
  submission order, before any later direct write.

Guarantees:

* requests of one thread reach the server in the order they were submitted,
  whichever route each took; partial writes keep the rest for the loop;
* the loop never runs user code: completions set :class:`AsyncResult`\\ s (whose
  linked callbacks run on the COMPLETION queue), watch callbacks go to the
  WATCH queue and state changes to ``on_state`` (the client queues its listeners);
* every request completes or fails (the session layer's request fates):
  direct writes stop, under the send lock, before a lost connection's pending
  requests are failed.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.request_base import request_names
from zkrecipes.client.sasl import SaslConfig
from zkrecipes.client.session.fates import Converter
from zkrecipes.client.session.machine import SessionMachine
from zkrecipes.client.session.outputs import (
    Complete,
    ConnectTo,
    Dispatch,
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
from zkrecipes.client.session.pacing import connect_error_text
from zkrecipes.client.transport._poller import WOULD_BLOCK, Poller, direct_write_check, is_tls_socket
from zkrecipes.client.transport._probe import ProbeRunner
from zkrecipes.client.transport._writer import (
    DIRECT_MAX_IN_FLIGHT,
    LEFT_TO_LOOP,
    NOT_TAKEN,
    WRITTEN,
    SendSide,
)
from zkrecipes.exceptions import ZkException
from zkrecipes.observe.log_context import bind_session
from zkrecipes.states import KeeperState, ZkState

if TYPE_CHECKING:
    from zkrecipes.client.handlers.interface import AsyncResult, Handler, Joinable
    from zkrecipes.retry import RetryPolicy

__all__ = ["DIRECT_MAX_IN_FLIGHT", "ThreadedTransport"]

log = logging.getLogger("zkrecipes.connection")

READ_CHUNK: Final = 256 * 1024
MAX_OUTBUF: Final = 4 * 1024 * 1024  # stop taking requests while this much is unsent



class ThreadedTransport:
    """Drives one :class:`SessionMachine` over the handler's sockets (see the module docstring).

    ``on_state(state)`` is called from the loop on each :class:`ZkState` change
    and must not block; ``on_auth_failed()`` once when authentication fails for good.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        hosts: list[HostPort],
        chroot: str,
        session_timeout: float,
        on_state: Callable[[ZkState], None],
        on_auth_failed: Callable[[], None],
        connection_retry: RetryPolicy | None = None,
        client_id: tuple[int, bytes] | None = None,
        read_only: bool = False,
        randomize_hosts: bool = True,
        auth_data: Sequence[tuple[str, str]] = (),
        ssl_options: Mapping[str, Any] | None = None,
        max_frame_size: int | None = None,
        sasl: SaslConfig | None = None,
    ) -> None:
        self.handler = handler
        self._session = SessionMachine(
            hosts=hosts, chroot=chroot, session_timeout=session_timeout,
            connection_retry=connection_retry, client_id=client_id, read_only=read_only,
            randomize_hosts=randomize_hosts, auth_data=auth_data, max_frame_size=max_frame_size,
            sasl=sasl)
        self._unsent = self._session.unsent  # emptiness checked before a direct write (order)
        self._on_state = on_state
        self._on_auth_failed = on_auth_failed
        self._ssl = dict(ssl_options or {})
        self._writer = SendSide(handler.lock_object())
        self.live = handler.event_object()
        self._closed = True  # True while not running: submit() fails at once
        self._wake_pending = False
        self._wake_r: Any = None
        self._wake_w: Any = None
        self._loop: Joinable | None = None
        self._probe = ProbeRunner(handler, self._ssl, self._on_rw_found)
        self._current: tuple[HostPort, tuple[Any, ...]] | None = None
        self._sock: Any = None
        self._observer: Any = None  # an ObserverHub while someone observes (zkrecipes.observe)

    # ------------------------------------------------------------ facade

    @property
    def running(self) -> bool:
        """True between :meth:`start` and the end of the loop."""
        return not self._closed

    @property
    def state(self) -> ZkState:
        return self._session.state

    @property
    def keeper_state(self) -> KeeperState:
        """ZooKeeper's own view of the connection (``client_state``)."""
        return self._session.keeper_state

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout in seconds (the requested one before the first session)."""
        return self._session.session_timeout

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` while a session exists (CONNECTED or SUSPENDED)."""
        return None if self._closed else self._session.client_id

    @property
    def last_zxid(self) -> int:
        return self._session.last_zxid

    @property
    def connect_errors(self) -> dict[HostPort, str]:
        """Each host whose latest connection attempt failed, and its last error (read-only copy)."""
        return self._session.connect_errors

    @property
    def current_server(self) -> tuple[HostPort, tuple[Any, ...]] | None:
        """``(host, peer address)`` of the current connection, None when there is none."""
        return self._current

    def set_hosts(self, hosts: list[HostPort], randomize: bool | None = None) -> None:
        """Use these hosts from the next round of connection attempts on."""
        self._session.set_hosts(hosts, randomize)

    def set_observer(self, hub: Any) -> None:
        """Report to ``hub`` (a :class:`zkrecipes.observe.hub.ObserverHub`; None: nobody listens)."""
        self._session.observer = hub
        self._observer = hub

    def remove_local_watchers(self, path: str, watcher_type: int, watcher: object | None) -> None:
        """Forget local watch registrations; call it only from a converter (the I/O side)."""
        self._session.remove_local_watchers(path, watcher_type, watcher)

    def start(self) -> None:
        """Start the I/O loop (a new session unless ``client_id`` was given); idempotent."""
        if not self._closed:
            return
        self._session.start(time.monotonic())
        self._wake_r, self._wake_w = self.handler.socketpair()
        self._wake_r.setblocking(False)
        self._wake_pending = False
        self._closed = False
        self._loop = self.handler.spawn(self._run)

    def stop(self, timeout: float) -> bool:
        """Close the session (CloseSession if connected) and end the loop.

        Requests queued before this call are sent first when connected; what
        remains fails with ``ConnectionClosedError``. Returns False if the loop
        did not end within ``timeout`` seconds (True if it never started).
        """
        loop = self._loop
        if loop is None:
            return True
        self._session.close()
        self._wake()
        loop.join(timeout)
        finished = self._closed
        if finished:
            self._loop = None
        return finished

    def submit(self, request: Any, result: AsyncResult, converter: Converter | None = None) -> None:
        """Send ``request``; ``result`` completes with its reply (or an error).

        Safe from any thread. Never blocks.
        """
        if self._closed:
            result.set_exception(self._session.refusal(*request_names(request)))
            return
        if (self._writer.sock is not None and not self._unsent
                and self._try_direct(request, result, converter)):
            return
        self._session.submit(request, result, converter, time.monotonic())
        if self._closed:  # the loop ended meanwhile: nothing will send it
            self._apply(self._session.abandon_unsent())
            return
        if not self._wake_pending:
            self._wake()

    def add_auth(self, scheme: str, credential: str, result: AsyncResult) -> None:
        """Send an auth packet; ``result`` becomes True, or fails with AuthFailedError."""
        if self._closed:
            result.set_exception(self._session.refusal("auth"))
            return
        self._session.add_auth(scheme, credential, result, time.monotonic())
        if self._closed:
            self._apply(self._session.abandon_unsent())
            return
        self._wake()

    # ------------------------------------------------------------ direct route

    def _try_direct(self, request: Any, result: AsyncResult, converter: Converter | None) -> bool:
        """Write ``request`` from the calling thread if the direct route is open; True if done.

        False (nothing done) when the route closed meanwhile, something is queued or
        waiting to be written (order), the lock is busy, or this thread may not write.
        """
        outcome = self._writer.try_direct(self._session, request, result, converter)
        if outcome is WRITTEN:
            return True
        if outcome is NOT_TAKEN:
            return False
        if outcome is LEFT_TO_LOOP:
            self._wake()  # the loop writes the rest (or drops after a failed write)
        else:
            result.set_exception(outcome)  # refused before anything was queued
        return True

    # ------------------------------------------------------------ wake-ups

    def _wake(self) -> None:
        self._wake_pending = True
        try:
            self._wake_w.send(b"\0")
        except (OSError, AttributeError):
            pass

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

    # ------------------------------------------------------------ outputs

    def _apply(self, outputs: list[Output]) -> bool:
        """Carry out the session's outputs in order; True if one was a :class:`Drop`."""
        if self._observer is not None:
            self._observer.outputs(outputs)
        dropped = False
        complete = Complete
        for output in outputs:
            if type(output) is complete:
                if output.error is None:
                    output.result.set(output.value)
                else:
                    output.result.set_exception(output.error)
            elif type(output) is Dispatch:
                dispatch = self.handler.dispatch_callback
                for watcher in output.watchers:
                    dispatch(CallbackKind.WATCH, watcher, output.event)
            elif type(output) is StateChanged:
                self._emit(output.state)
            elif type(output) is Opened:
                self._open_route()
            elif type(output) is Drop:
                log.info("connection to %s dropped: %s", self._session.current_host, output.reason)
                dropped = True
            elif type(output) is LoginFailed:
                try:
                    self._on_auth_failed()
                except Exception:
                    log.exception("auth-failed callback failed")
            elif type(output) is StartProbe:
                self._probe.start(output.candidates)
            elif type(output) is StopProbe:
                self._probe.stop()
        return dropped

    def _emit(self, state: ZkState) -> None:
        if state is ZkState.CONNECTED:
            self.live.set()
        else:
            self.live.clear()
        try:
            self._on_state(state)
        except Exception:
            log.exception("state callback failed")

    def _open_route(self) -> None:
        """The session opened: its priming goes out first, then callers may write."""
        writer = self._writer
        sock = self._sock
        with writer.lock:
            data, _ = self._session.data_to_send(time.monotonic(), take_requests=False)
            writer.out += data
        check = direct_write_check(self.handler, sock)
        if check is not None and sock is not None:
            writer.open(sock, check)

    def _on_rw_found(self, host: HostPort) -> None:
        self._session.read_write_server_found(host)
        self._wake()

    # ------------------------------------------------------------ the loop

    def _run(self) -> None:
        bind_session(self._session)  # this loop's records name its session (zkrecipes.observe)
        try:
            self._connect_loop()
        except BaseException:
            log.exception("connection loop crashed")
            self._apply(self._session.abort())
        finally:
            self._finish()

    def _finish(self) -> None:
        self._probe.stop()
        self._closed = True
        self._apply(self._session.abandon_unsent())
        self.live.clear()
        self._current = None
        for sock in (self._wake_r, self._wake_w):
            with contextlib.suppress(Exception):
                sock.close()

    def _connect_loop(self) -> None:
        session = self._session
        while True:
            action, outputs = session.poll(time.monotonic())
            self._apply(outputs)
            if type(action) is Finished:
                return
            if type(action) is ConnectTo:
                self._attempt(action)
                continue
            assert type(action) is Wait
            until = action.until
            timeout = None if until is None else max(0.0, until - time.monotonic())
            readable, _, _ = self.handler.select([self._wake_r], [], [], timeout)
            if readable:
                self._drain_wake()

    def _attempt(self, action: ConnectTo) -> None:
        """Connect to the host the session chose and serve the connection until it ends."""
        session = self._session
        host = action.host
        try:
            sock = self.handler.create_connection(
                (host.host, host.port), action.timeout, server_hostname=host.host, **self._ssl)
        except (OSError, ZkException) as exc:
            log.info("connect to %s failed: %s", host, exc)
            self._apply(session.connect_failed(time.monotonic(), connect_error_text(exc)))
            return
        closed_by_peer = False
        try:
            sock.setblocking(False)
            try:
                peer = sock.getpeername()
            except OSError:
                peer = None
            self._current = (host, peer)
            self._sock = sock
            session.connection_made(time.monotonic())
            closed_by_peer = self._serve(sock)
        except (OSError, ssl.SSLError) as exc:
            log.info("connection to %s failed: %s", host, exc)
        finally:
            self._writer.close(clear_out=True)  # no caller is mid-write after this
            with contextlib.suppress(Exception):
                sock.close()
            self._current = self._sock = None
        self._apply(session.connection_lost(time.monotonic(), closed_by_peer))

    def _serve(self, sock: Any) -> bool:
        """Serve one connection until the session drops it; True if the server closed it."""
        poller = Poller(self.handler, sock, self._wake_r)
        try:
            return self._serve_loop(sock, poller)
        finally:
            poller.close()

    def _serve_loop(self, sock: Any, poller: Poller) -> bool:
        session = self._session
        writer = self._writer
        out = writer.out  # mutated under the send lock once direct writes are open
        lock = writer.lock
        is_tls = is_tls_socket(sock)
        monotonic = time.monotonic
        while True:
            # 1. take what the session has to send (bounded: backpressure on out)
            if session.has_data_to_send:
                with lock:
                    data, refused = session.data_to_send(monotonic(), len(out) < MAX_OUTBUF)
                    out += data
                if refused:
                    self._apply(refused)
            # 2. write what is ready before waiting
            if out and writer.flush(sock):
                session.data_sent(monotonic())
            # 3. wait
            now = monotonic()
            deadline = session.next_deadline()
            timeout = 0.0 if deadline is None else max(0.0, deadline - now)
            if session.wants_to_send and len(out) < MAX_OUTBUF:
                timeout = 0.0
            can_read, _can_write, woken = poller.wait(bool(out), timeout)
            if woken:
                self._drain_wake()
            if writer.write_error is not None:
                log.info("writing to the server failed: %s", writer.write_error)
                return False
            # 4. read
            if can_read or (is_tls and sock.pending()):
                while True:
                    try:
                        chunk = sock.recv(READ_CHUNK)
                    except WOULD_BLOCK:
                        break
                    if not chunk:
                        log.info("connection to %s closed by the server", session.current_host)
                        return True
                    if self._apply(session.receive_data(chunk, monotonic())):
                        return False
                    if is_tls:
                        if not sock.pending():
                            break
                    elif len(chunk) < READ_CHUNK:
                        break
            # 5. deadlines
            if self._apply(session.tick(monotonic())):
                return False
