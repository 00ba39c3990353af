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
from _scripted_peer import (
    LEN,
    WAIT,
    ScriptedHandler,
    accept_session,
    frame,
    next_state,
    read_frame,
    scripted_client,
)

from zkrecipes import ZkClient, ZkState
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.records import ConnectResponse, ReplyHeader
from zkrecipes.client.transport.threaded import ThreadedTransport
from zkrecipes.exceptions import ConnectionClosedError, ConnectionLoss, SessionExpiredError
from zkrecipes.handlers import SequentialThreadingHandler

_LEN = LEN


@pytest.fixture
def scripted() -> Any:
    handler = ScriptedHandler()
    client, states = scripted_client(handler)
    yield handler, client, states
    client.stop()


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
    conn = ThreadedTransport(handler, hosts=[HostPort("127.0.0.1", 9)], chroot="", session_timeout=3.0,
                             on_state=lambda s: None, on_auth_failed=lambda: None)
    result = handler.async_result()
    conn.submit(object(), result)
    assert result.ready() and isinstance(result.exception, ConnectionClosedError)


def test_expire_queue_fails_only_requests_older_than_the_session_timeout() -> None:
    handler = SequentialThreadingHandler()
    conn = ThreadedTransport(handler, hosts=[HostPort("127.0.0.1", 9)], chroot="", session_timeout=3.0,
                             on_state=lambda s: None, on_auth_failed=lambda: None)
    session = conn._session  # the unsent queue and its expiry live in the session layer now
    session.start(time.monotonic())
    now = time.monotonic()
    old, young = handler.async_result(), handler.async_result()
    session.submit(object(), old, None, now - 5.0)
    session.submit(object(), young, None, now - 1.0)
    conn._apply(session.tick(now))
    assert isinstance(old.exception, ConnectionLoss)
    assert not young.ready() and session.unsent_count == 1


class _WakeSocketWithHook:
    """The loop's end of the wake-up pair; ``hook`` runs inside the first ``recv``."""

    def __init__(self, sock: socket.socket, hook: Any) -> None:
        self._sock = sock
        self._hook = hook

    def recv(self, size: int) -> bytes:
        hook, self._hook = self._hook, None
        if hook is not None:
            hook()
        return self._sock.recv(size)


def test_a_wake_up_sent_while_the_loop_drains_is_not_lost() -> None:
    # A submitter that queues while the loop empties the wake-up socket must leave the
    # loop either woken again or with the flag clear (so that the next submitter wakes it).
    handler = SequentialThreadingHandler()
    conn = ThreadedTransport(handler, hosts=[HostPort("127.0.0.1", 9)], chroot="", session_timeout=3.0,
                             on_state=lambda s: None, on_auth_failed=lambda: None)
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    conn._wake_r, conn._wake_w = reader, writer
    try:
        conn._wake()  # the wake-up the loop is answering
        conn._wake_r = _WakeSocketWithHook(reader, conn._wake)  # a submitter races the drain
        conn._drain_wake()
        conn._wake_r = reader
        try:
            byte_pending = reader.recv(1) == b"\0"
        except BlockingIOError:
            byte_pending = False
        assert byte_pending or not conn._wake_pending
    finally:
        reader.close()
        writer.close()


# ------------------------------------------------------------ the direct route

_GET_DATA = 4
_STAT = struct.pack(">qqqqiiiqiiq", 1, 2, 3, 4, 0, 0, 0, 0, 1, 0, 5)


def get_data_reply(xid: int, data: bytes = b"v") -> bytes:
    return frame(ReplyHeader(xid, 100 + xid, 0).to_bytes() + _LEN.pack(len(data)) + data + _STAT)


def parse_get_data(request: bytes) -> tuple[int, str]:
    xid, opcode, length = struct.unpack_from(">iii", request, 0)
    assert opcode == _GET_DATA
    return xid, request[12:12 + length].decode()


def wait_for(states: queue.Queue[ZkState], wanted: ZkState) -> None:
    while next_state(states) is not wanted:
        pass


def count_direct(conn: ThreadedTransport) -> list[int]:
    """Wrap ``conn._try_direct`` to count the requests it wrote itself."""
    taken = [0]
    original = conn._try_direct

    def counting(*args: Any) -> bool:
        done = original(*args)
        taken[0] += done
        return done

    conn._try_direct = counting  # type: ignore[method-assign,assignment]
    return taken


def test_requests_from_many_threads_reach_the_wire_in_submission_order(scripted: Any) -> None:
    import threading

    handler, client, states = scripted
    client.start_async()
    peer, _ = accept_session(handler)
    wait_for(states, ZkState.CONNECTED)
    direct = count_direct(client._connection)
    threads, per_thread = 4, 150
    seen: list[tuple[int, str]] = []

    def serve() -> None:
        for _ in range(threads * per_thread):
            xid, path = parse_get_data(read_frame(peer))
            seen.append((xid, path))
            peer.sendall(get_data_reply(xid, path.encode()))

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    results: dict[str, Any] = {}

    def work(name: str) -> None:
        for index in range(per_thread):
            path = f"/{name}/{index:04d}"
            results[path] = client.get_async(path)
            if index % 3 == 0:
                results[path].get(timeout=WAIT)  # mix waiting calls with pipelined ones

    workers = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)
    server.join(WAIT)
    assert not server.is_alive()
    assert len(results) == threads * per_thread
    for path, result in results.items():
        assert result.get(timeout=WAIT)[0] == path.encode()  # each reply matched its request
    xids = [xid for xid, _ in seen]
    assert xids == list(range(xids[0], xids[0] + len(xids)))  # wire order == xid order
    for n in range(threads):
        mine = [path for _, path in seen if path.startswith(f"/t{n}/")]
        assert mine == sorted(mine)  # each thread's requests went out in its order
    assert direct[0] > 0  # the direct route was used
    peer.close()


def test_a_queued_request_stays_ahead_of_a_later_direct_one(scripted: Any) -> None:
    handler, client, states = scripted
    client.start_async()
    peer, _ = accept_session(handler)
    wait_for(states, ZkState.CONNECTED)
    conn = client._connection
    conn._writer.lock.acquire()  # the direct route is busy: the first request is queued
    try:
        first = client.get_async("/first")
        assert conn._session.unsent_count == 1
    finally:
        conn._writer.lock.release()
    second = client.get_async("/second")
    xid1, path1 = parse_get_data(read_frame(peer))
    xid2, path2 = parse_get_data(read_frame(peer))
    assert (path1, path2) == ("/first", "/second") and xid2 == xid1 + 1
    peer.sendall(get_data_reply(xid1, b"1") + get_data_reply(xid2, b"2"))
    assert first.get(timeout=WAIT)[0] == b"1"
    assert second.get(timeout=WAIT)[0] == b"2"
    peer.close()


def test_a_drop_fails_written_requests_and_keeps_unsent_ones_for_the_next_connection(
        scripted: Any) -> None:
    handler, client, states = scripted
    client.start_async()
    peer, _ = accept_session(handler)
    wait_for(states, ZkState.CONNECTED)
    conn = client._connection
    written = client.get_async("/written")
    assert parse_get_data(read_frame(peer))[1] == "/written"
    peer.close()
    wait_for(states, ZkState.SUSPENDED)
    assert written.wait(WAIT) and isinstance(written.exception, ConnectionLoss)
    assert conn._writer.sock is None
    unsent = client.get_async("/unsent")
    peer2, again = accept_session(handler)
    assert again.session_id == 0x42
    xid, path = parse_get_data(read_frame(peer2))
    assert path == "/unsent"
    peer2.sendall(get_data_reply(xid, b"later"))
    assert unsent.get(timeout=WAIT)[0] == b"later"
    peer2.close()


class FlakySocket:
    """A socket whose ``send`` can be made to fail (the rest is the real socket's)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.fail_sends = False

    def send(self, data: Any) -> int:
        if self.fail_sends:
            raise ConnectionResetError("injected write failure")
        return self.sock.send(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class FlakyHandler(ScriptedHandler):
    def __init__(self) -> None:
        super().__init__()
        self.sockets: queue.Queue[FlakySocket] = queue.Queue()

    def create_connection(self, address: Any, timeout: Any = None, **kwargs: Any) -> Any:
        sock = FlakySocket(super().create_connection(address, timeout, **kwargs))
        self.sockets.put(sock)
        return sock


def test_a_failed_direct_write_drops_the_connection_and_fails_the_request() -> None:
    handler = FlakyHandler()
    client = ZkClient("127.0.0.1:9", handler=handler, timeout=3.0,
                      connection_retry={"delay": 0.01, "max_jitter": 0.0})
    states: queue.Queue[ZkState] = queue.Queue()
    client.add_listener(states.put)
    try:
        client.start_async()
        peer, _ = accept_session(handler)
        wait_for(states, ZkState.CONNECTED)
        handler.sockets.get(timeout=WAIT).fail_sends = True
        doomed = client.get_async("/doomed")
        assert doomed.wait(WAIT) and isinstance(doomed.exception, ConnectionLoss)
        wait_for(states, ZkState.SUSPENDED)
        peer2, again = accept_session(handler)
        assert again.session_id == 0x42
        wait_for(states, ZkState.CONNECTED)
        fine = client.get_async("/fine")
        xid, path = parse_get_data(read_frame(peer2))
        assert path == "/fine"
        peer2.sendall(get_data_reply(xid))
        assert fine.get(timeout=WAIT)[0] == b"v"
        peer.close()
        peer2.close()
    finally:
        client.stop()


def test_a_server_refusing_the_session_is_left_for_the_next_attempt(scripted: Any) -> None:
    handler, client, states = scripted
    client.start_async()
    refusing = handler.peers.get(timeout=WAIT)
    read_frame(refusing)  # the ConnectRequest
    refusing.sendall(frame(ReplyHeader(0, 7, -119).to_bytes()))  # NOTREADONLY, as a 3.8 r/o server
    assert refusing.recv(1) == b""  # the client hung up on it
    peer, request = accept_session(handler)
    assert request.session_id == 0
    wait_for(states, ZkState.CONNECTED)
    assert client.client_id == (0x42, b"p" * 16)
    refusing.close()
    peer.close()
