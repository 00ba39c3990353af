"""``AsyncioTransport``: the session's bytes and timers on an asyncio event loop.

It drives the same :class:`~zkrecipes.client.session.machine.SessionMachine` as
:class:`~zkrecipes.client.transport.threaded.ThreadedTransport` and decides
nothing. One task runs the disconnected part of the life cycle (``poll``:
connect, wait, finish); while connected, everything is callbacks on the loop:

* ``data_received`` feeds ``receive_data`` and applies the outputs at once;
* :meth:`AsyncioTransport.submit` writes the frame at once when the session
  is open, nothing is queued and few replies are awaited (an awaited call
  saves a loop turn); otherwise it queues the request in the session behind
  one flush per loop iteration, which writes every queued frame in one
  ``write`` (:class:`._aio_writer.FrameWriter`);
* one ``loop.call_at`` timer (:class:`._aio_timer.DeadlineTimer`) is armed at
  the session's next deadline, re-armed only when the deadline moves earlier:
  no busy loop, no timer churn per reply.

Guarantees:

* every session method runs on the loop's thread, so xids are assigned in wire
  order with no lock; :meth:`submit`/:meth:`add_auth` from another thread are
  handed over with ``call_soon_threadsafe``;
* completions resolve ``asyncio.Future``\\ s on the loop thread; a future that
  is already done (its awaiting task was cancelled or timed out) is left alone:
  its request stays pending in the session and its late reply is discarded,
  so a cancellation never shifts a reply onto another request;
* no user code runs here: watch callbacks go to ``on_watch(watcher, event)``
  and state changes to ``on_state(state)``, which must only queue work;
* every request completes or fails (the session's request fates); after
  :meth:`stop` whatever is left fails with ``ConnectionClosedError``.

TLS uses :func:`zkrecipes.client.handlers._sockets.build_ssl_context`, the
function the threaded handlers build their context with (same options).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zkrecipes.client.handlers._sockets import build_ssl_context
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
)
from zkrecipes.client.session.pacing import connect_error_text
from zkrecipes.client.session.state import Phase
from zkrecipes.client.transport._aio_link import Link, SocketOpener, open_link
from zkrecipes.client.transport._aio_probe import ProbeSlot
from zkrecipes.client.transport._aio_timer import DeadlineTimer
from zkrecipes.client.transport._aio_writer import FrameWriter
from zkrecipes.exceptions import ZkException
from zkrecipes.observe.log_context import bind_session
from zkrecipes.states import KeeperState, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.retry import RetryPolicy

__all__ = ["AsyncioTransport", "SocketOpener"]

log = logging.getLogger("zkrecipes.connection")

class AsyncioTransport:
    """Drives one :class:`SessionMachine` on the running event loop (see the module docstring).

    Same facade as ``ThreadedTransport`` minus the handler: ``stop`` is a
    coroutine, ``live`` an :class:`asyncio.Event`, results are futures, and
    watch callbacks are handed to ``on_watch``.
    """

    def __init__(
        self,
        *,
        hosts: list[HostPort],
        chroot: str,
        session_timeout: float,
        on_state: Callable[[ZkState], None],
        on_auth_failed: Callable[[], None],
        on_watch: Callable[[Any, WatchedEvent], None],
        connection_retry: RetryPolicy | None = None,
        client_id: tuple[int, bytes] | None = None,
        read_only: bool = False,
        randomize_hosts: bool = True,
        auth_data: Sequence[tuple[str, str]] = (),
        ssl_options: Mapping[str, Any] | None = None,
        max_frame_size: int | None = None,
        sasl: SaslConfig | None = None,
        open_socket: SocketOpener | None = None,
    ) -> None:
        self._session = SessionMachine(
            hosts=hosts, chroot=chroot, session_timeout=session_timeout,
            connection_retry=connection_retry, client_id=client_id, read_only=read_only,
            randomize_hosts=randomize_hosts, auth_data=auth_data, max_frame_size=max_frame_size,
            sasl=sasl)
        self._on_state = on_state
        self._on_auth_failed = on_auth_failed
        self._on_watch = on_watch
        self._ssl_options = dict(ssl_options or {})
        self._ssl_context: ssl.SSLContext | None = None
        self._open_socket = open_socket
        self.live = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._unwinding: asyncio.Task[None] | None = None  # an aborted connect task not ended yet
        self._closed = True  # True while not running: submit() fails at once
        self._link: Link | None = None
        self._writer: FrameWriter | None = None
        self._timer: DeadlineTimer | None = None
        self._wake: asyncio.Event | None = None
        self._probe = ProbeSlot()
        self._current: tuple[HostPort, tuple[Any, ...]] | None = None

    # ------------------------------------------------------------ facade

    @property
    def running(self) -> bool:
        """True between :meth:`start` and the end of the connect task (False at once after :meth:`abort`)."""
        return not self._closed and self._task is not None

    @property
    def state(self) -> ZkState:
        return self._session.state

    @property
    def keeper_state(self) -> KeeperState:
        return self._session.keeper_state

    @property
    def session_timeout(self) -> float:
        """The negotiated session timeout (the requested one before the first session)."""
        return self._session.session_timeout

    @property
    def client_id(self) -> tuple[int, bytes] | None:
        """``(session_id, password)`` while a session exists (CONNECTED or SUSPENDED)."""
        return None if self._closed else self._session.client_id

    @property
    def last_zxid(self) -> int:
        return self._session.last_zxid

    @property
    def pending_count(self) -> int:
        """Requests written and awaiting their reply (tests and diagnostics)."""
        return self._session.pending_count

    @property
    def connect_errors(self) -> dict[HostPort, str]:
        """Each host whose latest connection attempt failed, and its last error (read-only copy)."""
        return self._session.connect_errors

    @property
    def current_server(self) -> tuple[HostPort, tuple[Any, ...]] | None:
        return self._current

    def set_hosts(self, hosts: list[HostPort], randomize: bool | None = None) -> None:
        self._session.set_hosts(hosts, randomize)

    def remove_local_watchers(self, path: str, watcher_type: int, watcher: object | None) -> None:
        """Forget local watch registrations; call it only from a converter."""
        self._session.remove_local_watchers(path, watcher_type, watcher)

    def start(self) -> None:
        """Start the connect task on the running loop (a new session unless ``client_id``); idempotent."""
        if not self._closed:
            return
        loop = asyncio.get_running_loop()
        if self._ssl_options.get("use_ssl") and self._ssl_context is None:
            options = {k: v for k, v in self._ssl_options.items() if k != "use_ssl"}
            self._ssl_context = build_ssl_context(ssl, **options)
        if self._loop is not loop:
            self.live = asyncio.Event()  # an Event belongs to the loop it is first awaited on
        self._loop = loop
        self._timer = DeadlineTimer(loop, self._tick_now)
        self._writer = FrameWriter(loop, self._session, self._timer, lambda: self._link, self._apply,
                                   self._arm_timer)
        self._thread = threading.get_ident()
        self._wake = asyncio.Event()
        self._session.start(time.monotonic())
        self._closed = False
        self._task = loop.create_task(self._run(), name="zkrecipes-connect")

    async def stop(self, timeout: float) -> bool:
        """Close the session (CloseSession if connected) and end the connect task.

        Requests queued before are sent first when connected; what remains fails
        with ``ConnectionClosedError``. False if the task did not end within
        ``timeout`` seconds (then it is cancelled, which fails everything too).
        """
        task = self._task
        if task is None:
            return True
        self._session.close()
        self._kick()
        if self._link is not None and self._loop is not None:
            self._loop.call_soon(self._tick_now)  # a handshake in progress ends now
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return False
        self._task = None
        return True

    def abort(self) -> None:
        """End at once without CloseSession (``close()``): every written or queued request
        fails with ``ConnectionClosedError`` when the connect task unwinds, on this loop
        iteration's next turn. Idempotent; a later :meth:`start` opens a new session."""
        task = self._task
        if task is None:
            return
        self._session.close()
        self._task = None
        self._unwinding = task
        task.cancel()

    def set_observer(self, hub: Any) -> None:
        """Report to ``hub`` (a :class:`zkrecipes.observe.hub.ObserverHub`; None: nobody listens)."""
        self._session.observer = hub

    async def settle(self) -> None:
        """Wait until an aborted connect task has unwound (its requests failed); call before
        :meth:`start` so that a start right after :meth:`abort` opens a new session."""
        task, self._unwinding = self._unwinding, None
        if task is not None and not task.done():
            await asyncio.wait({task})

    def submit(self, request: Any, result: asyncio.Future[Any], converter: Converter | None = None) -> None:
        """Send ``request``; ``result`` completes with its reply (or an error). Never blocks."""
        if self._closed:
            result.set_exception(self._session.refusal(*request_names(request)))
            return
        link, writer = self._link, self._writer
        if link is not None and writer is not None and threading.get_ident() == self._thread:
            if writer.scheduled:  # pipelining: queued behind the others, for the scheduled flush
                self._session.submit(request, result, converter, time.monotonic())
                return
            if writer.try_direct(link, request, result, converter):
                return
            self._session.submit(request, result, converter, time.monotonic())
            writer.schedule()
            return
        self._session.submit(request, result, converter, time.monotonic())
        self._kick()

    def add_auth(self, scheme: str, credential: str, result: asyncio.Future[Any]) -> None:
        """Send an auth packet; ``result`` becomes True, or fails with AuthFailedError."""
        if self._closed:
            result.set_exception(self._session.refusal("auth"))
            return
        self._session.add_auth(scheme, credential, result, time.monotonic())
        self._kick()

    # ------------------------------------------------------------ wake-ups and flushes

    def _kick(self) -> None:
        """Something was queued: flush (connected) or wake the connect task (not connected)."""
        if threading.get_ident() != self._thread:
            loop = self._loop
            if loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop is closed
                    loop.call_soon_threadsafe(self._kick)
            return
        if self._link is not None:
            self._schedule_flush()
        elif self._wake is not None:
            self._wake.set()

    def _schedule_flush(self) -> None:
        if self._writer is not None:
            self._writer.schedule()

    def _flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    # ------------------------------------------------------------ timers

    def _arm_timer(self) -> None:
        """Make sure the timer fires no later than the session's next deadline."""
        if self._timer is not None:
            self._timer.arm(self._session.next_deadline())

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _tick_now(self) -> None:
        """Apply what is due now (also run at once after an input that ``tick`` acts on:
        a close during the handshake, a read-write server found)."""
        link = self._link
        if link is None or link.ended.done():
            return
        if self._apply(self._session.tick(time.monotonic())):
            link.abort()
            return
        if self._session.has_data_to_send:
            self._flush()  # a ping
        else:
            self._arm_timer()

    # ------------------------------------------------------------ bytes in

    def _on_data(self, link: Link, data: memoryview) -> None:
        session = self._session
        phase = session.parts.phase  # the session's one ConnectionPhase (moved, never replaced)
        was_open = phase.phase is Phase.OPEN
        if self._apply(session.receive_data(data, time.monotonic())):
            link.abort()
            return
        if session.has_data_to_send:
            self._schedule_flush()
        timer = self._timer
        # Open before and after, a receive only moves the deadlines later (the read
        # timeout restarts; the ping and close deadlines do not move): an armed timer
        # fires early at worst and re-arms from tick. Anything else re-arms now.
        if not (was_open and phase.phase is Phase.OPEN and timer is not None and timer.armed):
            self._arm_timer()

    # ------------------------------------------------------------ outputs

    def _apply(self, outputs: list[Output]) -> bool:
        """Carry out the session's outputs in order; True if one was a :class:`Drop`."""
        if self._session.parts.observer is not None:  # zkrecipes.observe
            self._session.parts.observer.outputs(outputs)
        dropped = False
        for output in outputs:
            kind = type(output)
            if kind is Complete:
                future = output.result  # type: ignore[union-attr]
                if future is None or future.done():
                    continue  # cancelled or timed out by its awaiter: the late reply is dropped
                if output.error is None:  # type: ignore[union-attr]
                    future.set_result(output.value)  # type: ignore[union-attr]
                else:
                    future.set_exception(output.error)  # type: ignore[union-attr]
            elif kind is Dispatch:
                for watcher in output.watchers:  # type: ignore[union-attr]
                    self._on_watch(watcher, output.event)  # type: ignore[union-attr]
            elif kind is StateChanged:
                self._emit(output.state)  # type: ignore[union-attr]
            elif kind is Opened:
                self._schedule_flush()
            elif kind is Drop:
                log.info("connection to %s dropped: %s", self._session.current_host,
                         output.reason)  # type: ignore[union-attr]
                dropped = True
            elif kind is LoginFailed:
                try:
                    self._on_auth_failed()
                except Exception:
                    log.exception("auth-failed callback failed")
            elif kind is StartProbe:
                self._probe.start(output.candidates, self._ssl_context,  # type: ignore[union-attr]
                                  self._on_rw_found)
            elif kind is StopProbe:
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

    def _on_rw_found(self, host: HostPort) -> None:
        self._session.read_write_server_found(host)
        if self._link is not None and self._loop is not None:
            self._loop.call_soon(self._tick_now)  # drop this connection, move there

    # ------------------------------------------------------------ the connect task

    async def _run(self) -> None:
        bind_session(self._session)  # this task's records name its session (zkrecipes.observe)
        try:
            await self._connect_loop()
        except BaseException as exc:
            if not isinstance(exc, asyncio.CancelledError):
                log.exception("connection task crashed")
            self._apply(self._session.abort())
            if not isinstance(exc, (Exception, asyncio.CancelledError)):
                raise
        finally:
            self._finish()

    def _finish(self) -> None:
        self._probe.stop()
        self._cancel_timer()
        self._closed = True
        self._apply(self._session.abandon_unsent())
        self.live.clear()
        self._current = None
        self._link = None

    async def _connect_loop(self) -> None:
        session = self._session
        wake = self._wake
        assert wake is not None
        while True:
            action, outputs = session.poll(time.monotonic())
            self._apply(outputs)
            if type(action) is Finished:
                return
            if type(action) is ConnectTo:
                await self._attempt(action)
                continue
            until = action.until  # type: ignore[union-attr]
            wake.clear()  # no await since poll(): nothing set it that poll did not see
            timeout = None if until is None else max(0.0, until - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)

    async def _attempt(self, action: ConnectTo) -> None:
        """Connect to the host the session chose and serve the connection until it ends."""
        session = self._session
        host = action.host
        try:
            transport, link = await open_link(host, action.timeout, self._ssl_context, self._open_socket,
                                              self._on_data, self._schedule_flush)
        except (OSError, TimeoutError, ssl.SSLError, ZkException) as exc:
            log.info("connect to %s failed: %s", host, exc)
            self._apply(session.connect_failed(time.monotonic(), connect_error_text(exc)))
            return
        closed_by_peer = False
        try:
            peer = transport.get_extra_info("peername")
            self._current = (host, tuple(peer) if peer else ())
            self._link = link
            session.connection_made(time.monotonic())
            self._flush()
            closed_by_peer = await link.ended
        finally:
            self._link = None
            self._cancel_timer()
            transport.abort()
            self._current = None
        self._apply(session.connection_lost(time.monotonic(), closed_by_peer))
