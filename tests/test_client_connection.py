"""The I/O loop against a scripted peer on a socketpair (no ZooKeeper server).

The test plays the server with the protocol's own records, so it can send
exactly the bytes a fault needs (a reply for an unknown xid, silence).
"""

from __future__ import annotations

import queue
import socket
import struct
import time
from typing import Any

import pytest

from zkrecipes import ZkClient, ZkState
from zkrecipes.client.connection import Connection
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse, ReplyHeader
from zkrecipes.exceptions import ConnectionClosedError, ConnectionLoss, SessionExpiredError
from zkrecipes.handlers import SequentialThreadingHandler

WAIT = 10.0
_LEN = struct.Struct(">i")


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


def read_frame(sock: socket.socket) -> bytes:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            assert chunk, "client closed the connection"
            data += chunk
        return data

    (length,) = _LEN.unpack(exactly(4))
    return exactly(length)


def frame(body: bytes) -> bytes:
    return _LEN.pack(len(body)) + body


def accept_session(handler: ScriptedHandler, session_id: int = 0x42, timeout_ms: int = 3000) -> tuple[
        socket.socket, ConnectRequest]:
    peer = handler.peers.get(timeout=WAIT)
    request, _ = ConnectRequest.read(read_frame(peer))
    response = ConnectResponse(0, timeout_ms, session_id, b"p" * 16, False)
    peer.sendall(frame(response.to_bytes()))
    return peer, request


@pytest.fixture
def scripted() -> Any:
    handler = ScriptedHandler()
    client = ZkClient("127.0.0.1:9", handler=handler, timeout=3.0,
                      connection_retry={"delay": 0.01, "max_jitter": 0.0})
    states: queue.Queue[ZkState] = queue.Queue()
    client.add_listener(states.put)
    yield handler, client, states
    client.stop()


def next_state(states: queue.Queue[ZkState]) -> ZkState:
    return states.get(timeout=WAIT)


def test_protocol_error_drops_the_connection_but_keeps_the_session(scripted: Any) -> None:
    handler, client, states = scripted
    client.start_async()
    peer, first = accept_session(handler)
    assert first.session_id == 0
    assert next_state(states) is ZkState.CONNECTED
    outstanding = client.get_async("/a")
    read_frame(peer)  # the GetData request
    peer.sendall(frame(ReplyHeader(999, 1, 0).to_bytes()))  # a reply for an xid never sent
    assert outstanding.wait(WAIT)
    assert isinstance(outstanding.exception, ConnectionLoss)
    assert next_state(states) is ZkState.SUSPENDED
    peer2, second = accept_session(handler)
    assert second.session_id == 0x42 and second.password == b"p" * 16  # resumes the session
    assert next_state(states) is ZkState.CONNECTED
    peer.close()
    peer2.close()


def test_silent_server_is_dropped_after_the_read_timeout(scripted: Any) -> None:
    handler, client, states = scripted
    client.start_async()
    peer, _ = accept_session(handler, timeout_ms=600)
    assert next_state(states) is ZkState.CONNECTED
    # The client pings (idle a third of the timeout) and, unanswered, gives up on the connection.
    ping = read_frame(peer)
    assert struct.unpack(">ii", ping[:8]) == (-2, 11)
    assert next_state(states) is ZkState.SUSPENDED
    peer2, again = accept_session(handler, timeout_ms=600)
    assert again.session_id == 0x42
    assert next_state(states) is ZkState.CONNECTED
    peer.close()
    peer2.close()


def test_expired_session_is_lost_then_a_new_session_opens(scripted: Any) -> None:
    handler, client, states = scripted
    client.start_async()
    peer, _ = accept_session(handler)
    assert next_state(states) is ZkState.CONNECTED
    peer.close()  # connection dropped
    assert next_state(states) is ZkState.SUSPENDED
    peer2 = handler.peers.get(timeout=WAIT)
    read_frame(peer2)
    queued = client.get_async("/a")
    peer2.sendall(frame(ConnectResponse(0, 0, 0, b"\0" * 16, False).to_bytes()))  # timeout 0: expired
    assert next_state(states) is ZkState.LOST
    assert queued.wait(WAIT) and isinstance(queued.exception, SessionExpiredError)
    peer3, fresh = accept_session(handler, session_id=0x43)
    assert fresh.session_id == 0
    assert next_state(states) is ZkState.CONNECTED
    assert client.client_id == (0x43, b"p" * 16)
    peer2.close()
    peer3.close()


def test_submit_before_start_fails_at_once() -> None:
    handler = SequentialThreadingHandler()
    conn = Connection(handler, [HostPort("127.0.0.1", 9)], "", 3.0, on_state=lambda s: None)
    result = handler.async_result()
    conn.submit(object(), result)
    assert result.ready() and isinstance(result.exception, ConnectionClosedError)


def test_expire_queue_fails_only_requests_older_than_the_session_timeout() -> None:
    handler = SequentialThreadingHandler()
    conn = Connection(handler, [HostPort("127.0.0.1", 9)], "", 3.0, on_state=lambda s: None)
    now = time.monotonic()
    old, young = handler.async_result(), handler.async_result()
    conn._queue.append((object(), old, None, now - 5.0))
    conn._queue.append((object(), young, None, now - 1.0))
    conn._expire_queue(now)
    assert isinstance(old.exception, ConnectionLoss)
    assert not young.ready() and len(conn._queue) == 1
