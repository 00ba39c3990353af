"""A tiny loopback TCP echo server, a known peer for testing :class:`FaultProxy`."""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class EchoServer:
    """Echoes every byte back on each connection; half-closes when the client does.

    One thread accepts, one thread per connection echoes. ``accepted`` counts
    connections; ``close()`` stops everything (bounded joins).
    """

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._lock = threading.Condition()
        self._accepted = 0
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept_loop, name="EchoServer", daemon=True)
        self._acceptor.start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def accepted(self) -> int:
        with self._lock:
            return self._accepted

    def wait_accepted(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` connections were accepted; False after ``timeout`` s."""
        with self._lock:
            return self._lock.wait_for(lambda: self._accepted >= count, timeout)

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._accepted += 1
                self._clients.append(conn)
                self._lock.notify_all()
            thread = threading.Thread(target=self._echo, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    @staticmethod
    def _echo(conn: socket.socket) -> None:
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    conn.shutdown(socket.SHUT_WR)
                    return
                conn.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients = list(self._clients)
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for conn in clients:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self._acceptor.join(5.0)
        for thread in self._threads:
            thread.join(5.0)

    def __enter__(self) -> EchoServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
