"""FaultProxy: a loopback TCP proxy that passes, stalls, drops or blackholes traffic on command.

One background thread runs a ``selectors`` loop over non-blocking sockets (no
gevent, no asyncio), so it works under any client handler. Commands are run
by that thread and return only once applied: after ``proxy.stall()`` returns,
no further byte is forwarded.
"""

from __future__ import annotations

import enum
import itertools
import queue
import selectors
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

from zkrecipes.exceptions import HarnessError, InvalidArgumentError

_T = TypeVar("_T")
_CHUNK = 65536
_COMMAND_TIMEOUT = 10.0


class ProxyMode(str, enum.Enum):
    """What the proxy does with traffic.

    ``PASS`` forwards both ways. ``STALL`` holds bytes in both directions (read into
    bounded buffers, then back-pressure), the connection stays open; ``PASS`` delivers
    what was held. ``DROP`` closes both sides now (as a global mode, new connections
    are accepted and closed at once). ``BLACKHOLE``: new connections are accepted
    but never connected upstream nor answered (their bytes are discarded, forever);
    an existing connection put in BLACKHOLE discards traffic both ways until ``PASS``.
    ``STALL_REPLIES`` forwards client→server but holds server→client bytes: the
    server applies the client's requests while their replies are held back (a
    reply lost with the connection); ``PASS`` delivers what was held.
    """

    PASS = "pass"
    STALL = "stall"
    DROP = "drop"
    BLACKHOLE = "blackhole"
    STALL_REPLIES = "stall_replies"


@dataclass(eq=False)
class _Connection:
    ident: int
    client: socket.socket
    mode: ProxyMode
    upstream: socket.socket | None = None
    connecting: bool = False
    blackholed: bool = False  # accepted in BLACKHOLE: never connected upstream
    to_upstream: bytearray = field(default_factory=bytearray)
    to_client: bytearray = field(default_factory=bytearray)
    client_eof: bool = False
    upstream_eof: bool = False
    upstream_shut: bool = False
    client_shut: bool = False


class FaultProxy:
    """A loopback TCP proxy in front of ``target_host:target_port``.

    ``hosts``/``listen_port`` say where clients connect. Modes apply to every
    connection (and new ones) or to one connection id (see :meth:`connection_ids`).
    Buffers are bounded by ``buffer_size`` bytes per direction. ``close()`` stops
    the thread and closes every socket; usable as a context manager.
    """

    def __init__(self, target_host: str, target_port: int, *, listen_port: int = 0,
                 buffer_size: int = 256 * 1024) -> None:
        if buffer_size < 1:
            raise InvalidArgumentError(f"buffer_size must be positive, got {buffer_size}")
        self._target = (target_host, int(target_port))
        self._buffer_size = buffer_size
        self._mode = ProxyMode.PASS
        self._conns: dict[int, _Connection] = {}
        self._ids = itertools.count(1)
        self._accepted = 0
        self._changed = threading.Condition()
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._selector = selectors.DefaultSelector()
        self._interest: dict[socket.socket, int] = {}
        self._closing = False
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind(("127.0.0.1", listen_port))
            self._listener.listen(128)
        except OSError as exc:
            self._listener.close()
            raise HarnessError(f"FaultProxy cannot listen on 127.0.0.1:{listen_port}: {exc}") from exc
        self._listener.setblocking(False)
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._run, name=f"FaultProxy:{self.listen_port}", daemon=True)
        self._thread.start()

    @classmethod
    def in_front_of(cls, hosts: str, **kwargs: int) -> FaultProxy:
        """A proxy in front of the first ``host:port`` of a connect string."""
        from zkrecipes.testing.fourletter import split_hostport

        first = hosts.split("/", 1)[0].split(",")[0]
        host, port = split_hostport(first)
        return cls(host, port, **kwargs)

    # ------------------------------------------------------------ public API

    @property
    def listen_port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def hosts(self) -> str:
        """Connect string of the proxy: ``"127.0.0.1:<listen_port>"``."""
        return f"127.0.0.1:{self.listen_port}"

    @property
    def target(self) -> tuple[str, int]:
        return self._target

    @property
    def mode(self) -> ProxyMode:
        """The global mode (applied to new connections)."""
        return self._mode

    @property
    def connections(self) -> int:
        """Number of connections open right now."""
        with self._changed:
            return len(self._conns)

    @property
    def accepted(self) -> int:
        """Number of connections accepted since the proxy started."""
        with self._changed:
            return self._accepted

    def connection_ids(self) -> list[int]:
        """Ids of the open connections, oldest first."""
        with self._changed:
            return sorted(self._conns)

    def wait_for_connections(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` connections are open; False after ``timeout`` s."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._conns) >= count, timeout)

    def wait_for_no_connections(self, timeout: float = 10.0) -> bool:
        """Block until no connection is open; False after ``timeout`` s."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._conns, timeout)

    def wait_for_accepted(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` connections have been accepted in total; False after ``timeout`` s."""
        with self._changed:
            return self._changed.wait_for(lambda: self._accepted >= count, timeout)

    def set_mode(self, mode: ProxyMode | str, connection: int | None = None) -> None:
        """Apply ``mode`` to every connection (and new ones) or only to ``connection``.

        Returns once applied. Raises InvalidArgumentError for an unknown mode or
        a connection id that is not open.
        """
        try:
            new_mode = ProxyMode(mode)
        except ValueError:
            raise InvalidArgumentError(f"unknown proxy mode {mode!r}") from None
        self._call(lambda: self._apply_mode(new_mode, connection))

    def resume(self, connection: int | None = None) -> None:
        """Mode PASS: forward again, delivering held bytes."""
        self.set_mode(ProxyMode.PASS, connection)

    pass_through = resume

    def stall(self, connection: int | None = None) -> None:
        """Mode STALL: hold bytes both ways; connections stay open."""
        self.set_mode(ProxyMode.STALL, connection)

    def drop(self, connection: int | None = None) -> None:
        """Mode DROP: close both sides now (globally: refuse new connections until ``resume``)."""
        self.set_mode(ProxyMode.DROP, connection)

    def close_connections(self) -> None:
        """Close every open connection once, keeping the global mode (new connections pass)."""
        def apply() -> None:
            for conn in list(self._conns.values()):
                self._close(conn)

        self._call(apply)

    def held_to_server(self) -> bytes:
        """The bytes clients sent that the proxy holds back from the server (stall mode).

        A consistent snapshot taken on the proxy's own thread: the point where a
        test knows that a client has written its requests but the server has not
        seen them.
        """
        held: list[bytes] = []

        def snapshot() -> None:
            held.extend(bytes(conn.to_upstream) for conn in self._conns.values())

        self._call(snapshot)
        return b"".join(held)

    def stall_replies(self, connection: int | None = None) -> None:
        """Mode STALL_REPLIES: forward requests to the server, hold its replies back."""
        self.set_mode(ProxyMode.STALL_REPLIES, connection)

    def blackhole(self, connection: int | None = None) -> None:
        """Mode BLACKHOLE: accept but never answer new connections; discard traffic."""
        self.set_mode(ProxyMode.BLACKHOLE, connection)

    def set_target(self, host: str, port: int) -> None:
        """Send new connections to ``host:port`` (open ones keep their upstream)."""
        target = (host, int(port))

        def apply() -> None:
            self._target = target

        self._call(apply)

    def close(self) -> None:
        """Stop the proxy thread and close every socket. Safe to call twice."""
        if not self._thread.is_alive():
            return
        self._closing = True
        self._wake()
        self._thread.join(_COMMAND_TIMEOUT)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FaultProxy {self.hosts} -> {self._target[0]}:{self._target[1]} {self._mode.value}>"

    # ------------------------------------------------------------ commands

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _call(self, func: Callable[[], None]) -> None:
        if threading.current_thread() is self._thread:
            func()
            return
        if not self._thread.is_alive():
            raise HarnessError("FaultProxy is closed")
        done = threading.Event()
        errors: list[BaseException] = []

        def command() -> None:
            try:
                func()
            except BaseException as exc:  # handed back to the caller
                errors.append(exc)
            finally:
                done.set()

        self._commands.put(command)
        self._wake()
        if not done.wait(_COMMAND_TIMEOUT):
            raise HarnessError("FaultProxy did not apply a command in time (thread stuck or closed)")
        if errors:
            raise errors[0]

    def _apply_mode(self, mode: ProxyMode, ident: int | None) -> None:
        if ident is not None:
            conn = self._conns.get(ident)
            if conn is None:
                raise InvalidArgumentError(f"no open proxy connection {ident}; open: {sorted(self._conns)}")
            targets = [conn]
        else:
            self._mode = mode
            targets = list(self._conns.values())
        for conn in targets:
            if mode is ProxyMode.DROP:
                self._close(conn)
            else:
                conn.mode = mode
                if mode is ProxyMode.BLACKHOLE:
                    conn.to_upstream.clear()
                    conn.to_client.clear()
                self._update(conn)

    # ------------------------------------------------------------ loop

    def _run(self) -> None:
        try:
            while not self._closing:
                for key, events in self._selector.select(timeout=1.0):
                    sock = key.fileobj
                    if sock is self._listener:
                        self._accept()
                    elif sock is self._wake_r:
                        self._drain_wake()
                    else:
                        conn = key.data
                        assert isinstance(conn, _Connection)
                        if conn.ident in self._conns:
                            self._service(conn, sock, events)  # type: ignore[arg-type]
                self._run_commands()
        finally:
            for conn in list(self._conns.values()):
                self._close(conn)
            self._run_commands()
            self._selector.close()
            for sock in (self._listener, self._wake_r, self._wake_w):
                sock.close()

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            command()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            client.setblocking(False)
            with self._changed:
                self._accepted += 1
                self._changed.notify_all()
            if self._mode is ProxyMode.DROP:
                client.close()
                continue
            conn = _Connection(next(self._ids), client, self._mode)
            if self._mode is ProxyMode.BLACKHOLE:
                conn.blackholed = True
            else:
                self._connect_upstream(conn)
            with self._changed:
                self._conns[conn.ident] = conn
                self._changed.notify_all()
            if conn.upstream is None and not conn.blackholed:
                self._close(conn)
            else:
                self._update(conn)

    def _connect_upstream(self, conn: _Connection) -> None:
        try:
            upstream = socket.socket(socket.AF_INET6 if ":" in self._target[0] else socket.AF_INET,
                                     socket.SOCK_STREAM)
        except OSError:
            return
        upstream.setblocking(False)
        code = upstream.connect_ex(self._target)
        if code not in (0, 115, 36, 10035):  # 0, EINPROGRESS (Linux, macOS), WSAEWOULDBLOCK
            upstream.close()
            return
        conn.upstream = upstream
        conn.connecting = code != 0

    def _service(self, conn: _Connection, sock: socket.socket, events: int) -> None:
        try:
            if sock is conn.upstream and conn.connecting:
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    self._close(conn)
                    return
                conn.connecting = False
            elif events & selectors.EVENT_READ:
                self._read(conn, sock)
            if events & selectors.EVENT_WRITE and conn.ident in self._conns:
                self._write(conn, sock)
        except OSError:
            self._close(conn)
            return
        if conn.ident in self._conns:
            self._update(conn)

    def _read(self, conn: _Connection, sock: socket.socket) -> None:
        from_client = sock is conn.client
        buffer = conn.to_upstream if from_client else conn.to_client
        room = self._buffer_size - len(buffer)
        data = sock.recv(max(1, min(_CHUNK, room)))
        if not data:
            if from_client:
                conn.client_eof = True
            else:
                conn.upstream_eof = True
        elif conn.mode is not ProxyMode.BLACKHOLE and not conn.blackholed:
            buffer.extend(data)

    def _write(self, conn: _Connection, sock: socket.socket) -> None:
        buffer = conn.to_client if sock is conn.client else conn.to_upstream
        if buffer:
            sent = sock.send(buffer)
            del buffer[:sent]

    def _update(self, conn: _Connection) -> None:
        """Propagate EOFs, close finished connections and set each socket's interest."""
        forwarding = conn.mode is ProxyMode.PASS and not conn.blackholed
        forwarding_up = forwarding or (conn.mode is ProxyMode.STALL_REPLIES and not conn.blackholed)
        upstream = conn.upstream
        if forwarding_up and upstream is not None and not conn.connecting:
            try:
                if conn.client_eof and not conn.to_upstream and not conn.upstream_shut:
                    upstream.shutdown(socket.SHUT_WR)
                    conn.upstream_shut = True
                if forwarding and conn.upstream_eof and not conn.to_client and not conn.client_shut:
                    conn.client.shutdown(socket.SHUT_WR)
                    conn.client_shut = True
            except OSError:
                self._close(conn)
                return
        if (conn.upstream_shut and conn.client_shut) or (conn.blackholed and conn.client_eof):
            self._close(conn)
            return
        discard = conn.mode is ProxyMode.BLACKHOLE or conn.blackholed
        client_events = 0
        if not conn.client_eof and (discard or len(conn.to_upstream) < self._buffer_size):
            client_events |= selectors.EVENT_READ
        if forwarding and conn.to_client:
            client_events |= selectors.EVENT_WRITE
        self._set_interest(conn.client, client_events, conn)
        if upstream is not None:
            upstream_events = 0
            if conn.connecting:
                upstream_events = selectors.EVENT_WRITE
            else:
                if not conn.upstream_eof and (discard or len(conn.to_client) < self._buffer_size):
                    upstream_events |= selectors.EVENT_READ
                if forwarding_up and conn.to_upstream:
                    upstream_events |= selectors.EVENT_WRITE
            self._set_interest(upstream, upstream_events, conn)

    def _set_interest(self, sock: socket.socket, events: int, conn: _Connection) -> None:
        current = self._interest.get(sock, 0)
        if events == current:
            return
        if current == 0:
            self._selector.register(sock, events, conn)
        elif events == 0:
            self._selector.unregister(sock)
        else:
            self._selector.modify(sock, events, conn)
        if events:
            self._interest[sock] = events
        else:
            self._interest.pop(sock, None)

    def _close(self, conn: _Connection) -> None:
        for sock in (conn.client, conn.upstream):
            if sock is None:
                continue
            if self._interest.pop(sock, 0):
                self._selector.unregister(sock)
            sock.close()
        with self._changed:
            self._conns.pop(conn.ident, None)
            self._changed.notify_all()
