"""A scripted peer for client tests without a server.

:class:`ScriptedHandler` gives the client one end of a socketpair whenever it
connects and hands the test the other end (``handler.peers``), so the test
plays the server: it reads the client's frames and sends exactly the bytes it
wants, and decides when a connection drops. Import it as ``from _scripted_peer
import …`` (tests/ is on sys.path the same way as for the test modules).
"""

from __future__ import annotations

import queue
import socket
import struct
from typing import Any

from zkrecipes import ZkClient, ZkState
from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse
from zkrecipes.handlers import SequentialThreadingHandler

__all__ = [
    "LEN",
    "PASSWORD",
    "SESSION",
    "WAIT",
    "ScriptedHandler",
    "accept_session",
    "frame",
    "next_state",
    "read_exactly",
    "read_frame",
    "scripted_client",
]

#: Bound for every wait on the client or the peer socket.
WAIT = 10.0
#: The session id and password :func:`accept_session` grants by default.
SESSION = 0x42
PASSWORD = b"p" * 16
#: A jute int (frame length prefix, buffer length).
LEN = struct.Struct(">i")


class ScriptedHandler(SequentialThreadingHandler):
    """create_connection hands the client one end of a socketpair; the test gets the other."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: queue.Queue[socket.socket] = queue.Queue()

    def create_connection(self, address: Any, timeout: Any = None, **kwargs: Any) -> socket.socket:
        ours, theirs = socket.socketpair()
        theirs.settimeout(WAIT)
        self.peers.put(theirs)
        return ours


def read_exactly(sock: socket.socket, n: int) -> bytes:
    """``n`` bytes from ``sock``; EOFError if the client closes first (WAIT-bounded reads)."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("client closed the connection")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> bytes:
    """The body of the next length-prefixed frame the client sent."""
    (length,) = LEN.unpack(read_exactly(sock, 4))
    return read_exactly(sock, length)


def frame(body: bytes) -> bytes:
    """``body`` with its length prefix, ready to send."""
    return LEN.pack(len(body)) + body


def accept_session(handler: ScriptedHandler, session_id: int = SESSION, timeout_ms: int = 3000) -> tuple[
        socket.socket, ConnectRequest]:
    """Take the next connection, read its ConnectRequest and grant ``session_id``.

    Returns the peer socket and the client's request (to check what it asked for).
    """
    peer = handler.peers.get(timeout=WAIT)
    request, _ = ConnectRequest.read(read_frame(peer))
    peer.sendall(frame(ConnectResponse(0, timeout_ms, session_id, PASSWORD, False).to_bytes()))
    return peer, request


def scripted_client(handler: ScriptedHandler, **kwargs: Any) -> tuple[ZkClient, queue.Queue[ZkState]]:
    """A (not started) client on ``handler`` with fast reconnects, and a queue of its states."""
    client = ZkClient("127.0.0.1:9", handler=handler, timeout=3.0,
                      connection_retry={"delay": 0.01, "max_jitter": 0.0}, **kwargs)
    states: queue.Queue[ZkState] = queue.Queue()
    client.add_listener(states.put)
    return client, states


def next_state(states: queue.Queue[ZkState]) -> ZkState:
    """The client's next state change (WAIT-bounded)."""
    return states.get(timeout=WAIT)
