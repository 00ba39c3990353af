"""Helpers shared by the client integration tests (integration/client/).

Every wait here is bounded and works on both handlers: ``WAIT``,
``wait_until`` and ``Recorder`` come from integration/_waits.py (shared with
the recipe tests) and wait with the client's own handler.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

from _waits import WAIT, Recorder, wait_until

from zkrecipes import WatchedEvent, ZkState

__all__ = [
    "WAIT",
    "GarbagePeer",
    "InjectingProxy",
    "Recorder",
    "StateRecorder",
    "fence",
    "proxy_drop",
    "proxy_pass",
    "proxy_stall",
    "request_pattern",
    "wait_held",
    "wait_until",
    "watch_recorder",
]


class StateRecorder(Recorder[ZkState]):
    """A state listener that records every ZkState it is given."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        client.add_listener(self)

    def __call__(self, item: ZkState) -> None:  # listeners must not return True
        super().__call__(item)

    def wait_state(self, state: ZkState, start: int = 0, timeout: float = WAIT) -> int:
        """Wait for ``state`` at index >= ``start``; return the index after it."""
        items = self.wait_for(lambda items: state in items[start:], timeout, f"state {state}")
        return items.index(state, start) + 1


def watch_recorder(client: Any) -> Recorder[WatchedEvent]:
    """A Recorder typed for watch events."""
    return Recorder[WatchedEvent](client)


def fence(writer: Any, watcher: Any, path: str, timeout: float = WAIT) -> None:
    """Make sure every notification for ``watcher`` triggered before now was delivered.

    Sets a one-shot watch on a fresh fence node with ``watcher``, has ``writer``
    create it, and waits for its CREATED event.  Notifications reach the client
    in server order and run on one FIFO watch queue, so any earlier event for
    ``watcher`` has been delivered by the time the fence event is.
    """
    seen = watch_recorder(watcher)
    watcher.exists(path, watch=seen)
    writer.create(path, b"")
    seen.wait_count(1, timeout)


class GarbagePeer:
    """A tiny TCP server that answers whatever it receives with fixed junk bytes.

    It keeps each connection open after answering (so that the junk, not an
    EOF, is what the client must deal with) until the client closes it or the
    peer is closed.  Runs on its own OS thread with plain sockets.
    """

    def __init__(self, junk: bytes) -> None:
        self.junk = junk
        self.connections = 0
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="garbage-peer", daemon=True)
        self._thread.start()

    @property
    def hosts(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        open_conns: list[socket.socket] = []
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = self._sock.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                self.connections += 1
                conn.settimeout(5.0)
                try:
                    data = conn.recv(65536)
                    self.requests.append(data)
                    if data:
                        conn.sendall(self.junk)
                except OSError:
                    pass
                open_conns.append(conn)
        finally:
            for conn in open_conns:
                conn.close()

    def close(self) -> None:
        """Stop accepting, close every connection, join the thread (bounded)."""
        self._stop.set()
        self._sock.close()
        self._thread.join(5.0)

    def __enter__(self) -> GarbagePeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------ FaultProxy glue
# The harness's FaultProxy is driven through these three functions only, so
# that the tests read the same whatever the proxy's method names are.


def proxy_stall(proxy: Any) -> None:
    """Hold every byte in both directions on all connections (they stay open)."""
    proxy.stall()


def proxy_pass(proxy: Any) -> None:
    """Resume forwarding on all connections (held bytes are delivered)."""
    proxy.resume()


def proxy_drop(proxy: Any) -> None:
    """Close both sides of every current connection once; new connections pass."""
    proxy.close_connections()


def wait_held(client: Any, proxy: Any, needle: bytes, count: int = 1, timeout: float = WAIT) -> None:
    """Wait until a stalled proxy holds ``count`` occurrences of ``needle`` sent by the client.

    This is the "the I/O loop has written these requests" sync point: the bytes
    have left the client and sit in the proxy.  Waits with the client's handler
    (so a gevent client's loop keeps running).
    """
    wait_until(client, lambda: proxy.held_to_server().count(needle) >= count, timeout,
               f"{count} held request(s) {needle!r}")


def request_pattern(opcode: int, server_path: str) -> bytes:
    """A request's opcode followed by its path as sent on the wire (``server_path``:
    the full path the server sees, chroot included)."""
    raw = server_path.encode()
    return opcode.to_bytes(4, "big", signed=True) + len(raw).to_bytes(4, "big") + raw


class _Pair:
    """One proxied connection: the client side, the server side, and its switches."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.to_client = threading.Lock()  # keeps an injection out of a forwarded chunk
        self.swallow_replies = False


class InjectingProxy:
    """A pass-through TCP proxy that can inject bytes towards the client on command.

    Each accepted connection gets two pump threads (plain sockets).  ``inject``
    writes ``junk`` to every client-side socket between two forwarded chunks
    (a lock keeps it from landing inside a chunk), which is how a server-side
    bug or a corrupting middlebox would look to the client mid-session.
    ``swallow_replies`` makes the current connections forward requests but
    discard what the server answers (a reply lost on the way back), and
    ``close_connections`` ends the current connections (new ones pass).
    """

    def __init__(self, target: str) -> None:
        host, _, port = target.split(",")[0].rpartition(":")
        self._target = (host, int(port))
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self.accepted = 0
        self._pairs: list[_Pair] = []
        self._retired: list[_Pair] = []  # shut down by close_connections; closed by close
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._start(self._accept_loop)

    @property
    def hosts(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _start(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="injecting-proxy")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target, timeout=5.0)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            pair = _Pair(client, upstream)
            with self._guard:
                self.accepted += 1
                self._pairs.append(pair)
            self._start(self._pump, client, upstream, None)
            self._start(self._pump, upstream, client, pair)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, pair: _Pair | None) -> None:
        """Forward src → dst; ``pair`` is given for the server → client direction."""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if pair is None:
                    dst.sendall(data)
                else:
                    with pair.to_client:
                        if not pair.swallow_replies:
                            dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def swallow_replies(self) -> int:
        """From now on, discard what the server sends on the current connections; return how many."""
        with self._guard:
            pairs = list(self._pairs)
        for pair in pairs:
            with pair.to_client:  # no chunk is half-forwarded when this returns
                pair.swallow_replies = True
        return len(pairs)

    def close_connections(self) -> None:
        """Shut down both sides of every current connection (new connections pass)."""
        with self._guard:
            pairs, self._pairs = self._pairs, []
            self._retired.extend(pairs)
        for pair in pairs:
            for sock in (pair.client, pair.upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def inject(self, junk: bytes) -> int:
        """Send ``junk`` to every connected client; return how many got it."""
        sent = 0
        with self._guard:
            pairs = list(self._pairs)
        for pair in pairs:
            with pair.to_client:
                try:
                    pair.client.sendall(junk)
                    sent += 1
                except OSError:
                    pass
        return sent

    def close(self) -> None:
        """Stop accepting, close every socket, join the threads (bounded)."""
        self._stop.set()
        self._sock.close()
        with self._guard:
            for pair in self._pairs + self._retired:
                for sock in (pair.client, pair.upstream):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)  # wakes a pump blocked in recv
                    except OSError:
                        pass
                    sock.close()
        for thread in self._threads:
            thread.join(5.0)

    def __enter__(self) -> InjectingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
