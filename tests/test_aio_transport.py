"""AsyncioTransport and AsyncZkClient against a scripted peer (no server).

The test plays the server on the other end of a socketpair (``open_socket``
hands the client its end), with the protocol's own records; each test runs in
its own ``asyncio.run`` (the plugin's runner). Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from _scripted_peer import LEN, PASSWORD, SESSION, frame

from zkrecipes import ZkState
from zkrecipes.aio import AsyncZkClient
from zkrecipes.client.config import ClientConfig
from zkrecipes.client.hosts import HostPort
from zkrecipes.client.protocol.records import ConnectRequest, ConnectResponse, ReplyHeader
from zkrecipes.exceptions import ConnectionClosedError, ConnectionLoss

WAIT = 10.0
_STAT = struct.pack(">qqqqiiiqiiq", 1, 2, 3, 4, 0, 0, 0, 0, 1, 0, 5)
_GET_DATA = 4
_PING_XID, _PING_OP = -2, 11
_CLOSE = -11


class Peer:
    """The server's end of each connection the client opens (a queue of sockets)."""

    def __init__(self) -> None:
        self.sockets: asyncio.Queue[socket.socket] = asyncio.Queue()
        self.sock: socket.socket | None = None

    async def open_socket(self, host: HostPort, timeout: float) -> socket.socket:
        ours, theirs = socket.socketpair()
        theirs.setblocking(False)
        await self.sockets.put(theirs)
        return ours

    async def read_exactly(self, n: int) -> bytes:
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        data = b""
        while len(data) < n:
            chunk = await asyncio.wait_for(loop.sock_recv(self.sock, n - len(data)), WAIT)
            if not chunk:
                raise EOFError("client closed the connection")
            data += chunk
        return data

    async def read_frame(self) -> bytes:
        (length,) = LEN.unpack(await self.read_exactly(4))
        return await self.read_exactly(length)

    async def read_request(self) -> tuple[int, int, bytes]:
        """(xid, opcode, body) of the next request, pings skipped."""
        while True:
            body = await self.read_frame()
            xid, opcode = struct.unpack_from(">ii", body, 0)
            if xid != _PING_XID:
                return xid, opcode, body[8:]
            await self.send(ReplyHeader(-2, 1, 0).to_bytes())

    async def send(self, body: bytes) -> None:
        assert self.sock is not None
        await asyncio.get_running_loop().sock_sendall(self.sock, frame(body))

    async def accept(self, session_id: int = SESSION, timeout_ms: int = 3000) -> ConnectRequest:
        self.sock = await asyncio.wait_for(self.sockets.get(), WAIT)
        request, _ = ConnectRequest.read(await self.read_frame())
        await self.send(ConnectResponse(0, timeout_ms, session_id, PASSWORD, False).to_bytes())
        return request

    async def reply_get(self, xid: int, data: bytes) -> None:
        await self.send(ReplyHeader(xid, 100 + xid, 0).to_bytes() + LEN.pack(len(data)) + data + _STAT)


def _config(**kwargs: Any) -> ClientConfig:
    return ClientConfig.from_kazoo_args(
        "127.0.0.1:9", 3.0, None, None, None, None, None, True,
        {"delay": 0.01, "max_jitter": 0.0}, None, None, None, None, None, False, True, False, **kwargs)


@asynccontextmanager
async def scripted() -> AsyncIterator[tuple[AsyncZkClient, Peer]]:
    peer = Peer()
    client = AsyncZkClient.from_config(_config(), open_socket=peer.open_socket)
    starting = asyncio.ensure_future(client.start(timeout=WAIT))
    await peer.accept()
    await asyncio.wait_for(starting, WAIT)
    try:
        yield client, peer
    finally:
        client.close()
        if peer.sock is not None:
            peer.sock.close()


async def _get_xid(peer: Peer, path: str) -> int:
    xid, opcode, body = await peer.read_request()
    assert opcode == _GET_DATA
    (length,) = LEN.unpack_from(body, 0)
    assert body[4:4 + length].decode() == path
    return xid


async def test_handshake_and_a_get_round_trip() -> None:
    async with scripted() as (zk, peer):
        assert zk.connected and zk.client_id == (SESSION, PASSWORD)
        got = asyncio.ensure_future(zk.get("/a"))
        xid = await _get_xid(peer, "/a")
        await peer.reply_get(xid, b"A")
        data, stat = await asyncio.wait_for(got, WAIT)
        assert data == b"A" and stat.version == 0


async def test_a_cancelled_get_keeps_the_xid_order_and_its_late_reply_is_dropped() -> None:
    async with scripted() as (zk, peer):
        first = asyncio.ensure_future(zk.get("/first"))
        second = asyncio.ensure_future(zk.get("/second"))
        xid1 = await _get_xid(peer, "/first")
        xid2 = await _get_xid(peer, "/second")
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert zk.transport.pending_count == 2  # the cancelled one stays pending
        await peer.reply_get(xid1, b"late")
        await peer.reply_get(xid2, b"mine")
        assert (await asyncio.wait_for(second, WAIT))[0] == b"mine"
        assert zk.transport.pending_count == 0 and zk.connected


async def test_a_timed_out_await_then_more_requests() -> None:
    async with scripted() as (zk, peer):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(zk.get("/slow"), 0.05)
        xid1 = await _get_xid(peer, "/slow")
        nxt = asyncio.ensure_future(zk.get("/next"))
        xid2 = await _get_xid(peer, "/next")
        assert xid2 == xid1 + 1
        await peer.reply_get(xid1, b"slow")
        await peer.reply_get(xid2, b"next")
        assert (await asyncio.wait_for(nxt, WAIT))[0] == b"next"


async def test_stop_fails_pending_calls_with_connection_closed() -> None:
    async with scripted() as (zk, peer):
        pending = [asyncio.ensure_future(zk.get(f"/p{i}")) for i in range(3)]
        for i in range(3):
            await _get_xid(peer, f"/p{i}")
        stopping = asyncio.ensure_future(zk.stop())
        _, opcode, _ = await peer.read_request()
        assert opcode == _CLOSE
        assert peer.sock is not None
        peer.sock.close()
        peer.sock = None
        await asyncio.wait_for(stopping, WAIT)
        outcomes = await asyncio.gather(*pending, return_exceptions=True)
        assert all(isinstance(o, ConnectionClosedError) for o in outcomes), outcomes
        assert zk.state is ZkState.LOST and not zk.transport.running


async def test_close_fails_pending_and_queued_calls() -> None:
    async with scripted() as (zk, peer):
        written = asyncio.ensure_future(zk.get("/w"))
        await _get_xid(peer, "/w")
        queued = asyncio.ensure_future(zk.get("/q"))
        zk.close()
        outcomes = await asyncio.wait_for(asyncio.gather(written, queued, return_exceptions=True), WAIT)
        assert all(isinstance(o, ConnectionClosedError) for o in outcomes), outcomes


async def test_unknown_xid_drops_the_connection_and_resumes_the_session() -> None:
    async with scripted() as (zk, peer):
        states = zk.states()
        got = asyncio.ensure_future(zk.get("/a"))
        await _get_xid(peer, "/a")
        await peer.send(ReplyHeader(999, 1, 0).to_bytes())
        with pytest.raises(ConnectionLoss):
            await asyncio.wait_for(got, WAIT)
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.SUSPENDED
        again = await peer.accept()
        assert (again.session_id, again.password) == (SESSION, PASSWORD)
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.CONNECTED


async def test_an_idle_connection_pings_then_a_silent_server_is_dropped() -> None:
    peer = Peer()
    zk = AsyncZkClient.from_config(_config(), open_socket=peer.open_socket)
    starting = asyncio.ensure_future(zk.start(timeout=WAIT))
    await peer.accept(timeout_ms=600)
    await asyncio.wait_for(starting, WAIT)
    states = zk.states()
    try:
        ping = await peer.read_frame()  # nothing sent: the timer asked for a ping
        assert struct.unpack(">ii", ping[:8]) == (_PING_XID, _PING_OP)
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.SUSPENDED
        await peer.accept(timeout_ms=600)
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.CONNECTED
    finally:
        zk.close()


async def test_requests_made_before_the_session_opens_are_sent_after_the_handshake() -> None:
    peer = Peer()
    zk = AsyncZkClient.from_config(_config(), open_socket=peer.open_socket)
    starting = asyncio.ensure_future(zk.start(timeout=WAIT))
    await asyncio.sleep(0)
    early = asyncio.ensure_future(zk.get("/early"))
    await peer.accept()
    xid = await _get_xid(peer, "/early")
    await peer.reply_get(xid, b"e")
    assert (await asyncio.wait_for(early, WAIT))[0] == b"e"
    await asyncio.wait_for(starting, WAIT)
    zk.close()


async def test_listeners_run_in_order_and_coroutines_are_awaited() -> None:
    async with scripted() as (zk, peer):
        seen: list[str] = []
        done = asyncio.Event()

        async def slow(state: ZkState) -> None:
            await asyncio.sleep(0.01)
            seen.append(f"slow:{state}")

        def plain(state: ZkState) -> bool:
            seen.append(f"plain:{state}")
            done.set()
            return True  # removed after this call

        zk.add_listener(slow)
        zk.add_listener(plain)
        assert peer.sock is not None
        peer.sock.close()
        peer.sock = None
        await asyncio.wait_for(done.wait(), WAIT)
        assert seen == ["slow:SUSPENDED", "plain:SUSPENDED"]
        assert zk.state_listeners == [slow]


async def test_submit_from_another_thread_is_handed_to_the_loop() -> None:
    async with scripted() as (zk, peer):
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        from zkrecipes.client.protocol.requests import GetDataRequest

        await loop.run_in_executor(None, zk.transport.submit, GetDataRequest("/t", None), future, None)
        xid = await _get_xid(peer, "/t")
        await peer.reply_get(xid, b"t")
        assert (await asyncio.wait_for(future, WAIT))[0] == b"t"


async def test_a_peer_sending_garbage_is_dropped_and_the_session_resumed() -> None:
    async with scripted() as (zk, peer):
        states = zk.states()
        got = asyncio.ensure_future(zk.get("/g"))
        await _get_xid(peer, "/g")
        assert peer.sock is not None
        await asyncio.get_running_loop().sock_sendall(peer.sock, LEN.pack(-5) + b"\xff" * 32)
        with pytest.raises(ConnectionLoss):
            await asyncio.wait_for(got, WAIT)
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.SUSPENDED
        again = await peer.accept()
        assert again.session_id == SESSION
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.CONNECTED
        after = asyncio.ensure_future(zk.get("/g"))
        xid = await _get_xid(peer, "/g")
        await peer.reply_get(xid, b"ok")
        assert (await asyncio.wait_for(after, WAIT))[0] == b"ok"


async def test_a_bad_request_is_refused_before_anything_is_sent() -> None:
    async with scripted() as (zk, peer):
        from zkrecipes.exceptions import InvalidTypeError

        with pytest.raises(InvalidTypeError):
            await zk.get(42)  # type: ignore[arg-type]
        got = asyncio.ensure_future(zk.get("/fine"))
        xid = await _get_xid(peer, "/fine")
        await peer.reply_get(xid, b"f")
        assert (await asyncio.wait_for(got, WAIT))[0] == b"f"


async def test_a_cancelled_start_stops_connecting() -> None:
    peer = Peer()
    zk = AsyncZkClient.from_config(_config(), open_socket=peer.open_socket)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(zk.start(timeout=WAIT), 0.05)  # the peer never answers
    for _ in range(100):
        if not zk.transport.running:
            break
        await asyncio.sleep(0.01)
    assert not zk.transport.running and zk.state is ZkState.LOST
    with pytest.raises(ConnectionClosedError):
        await zk.get("/")


def test_the_asyncio_client_has_every_public_member_of_the_sync_client() -> None:
    from zkrecipes import ZkClient

    recipes = {"PatientChildrenWatch"}  # no asyncio factory: its twin is aio/recipes/_patient.py
    not_for_asyncio = {"start_async", "handler"}  # the loop is the handler; start() is a coroutine
    names = {n for n in dir(ZkClient) if not n.startswith("_") and not n.endswith("_async")}
    missing = sorted(n for n in names - recipes - not_for_asyncio if not hasattr(AsyncZkClient, n))
    assert missing == []


async def test_a_read_only_server_is_left_once_the_probe_finds_a_read_write_one() -> None:
    async def answer_rw(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if await reader.read(4) == b"isro":
            writer.write(b"rw")
        writer.close()

    probe_target = await asyncio.start_server(answer_rw, "127.0.0.1", 0)
    rw_port = probe_target.sockets[0].getsockname()[1]
    peer = Peer()
    config = ClientConfig.from_kazoo_args(
        f"127.0.0.1:9,127.0.0.1:{rw_port}", 3.0, None, None, None, None, True, False,
        {"delay": 0.01, "max_jitter": 0.0}, None, None, None, None, None, False, True, False)
    zk = AsyncZkClient.from_config(config, open_socket=peer.open_socket)
    states = zk.states()
    try:
        starting = asyncio.ensure_future(zk.start(timeout=WAIT))
        peer.sock = await asyncio.wait_for(peer.sockets.get(), WAIT)
        first, _ = ConnectRequest.read(await peer.read_frame())
        assert first.read_only
        await peer.send(ConnectResponse(0, 3000, SESSION, PASSWORD, True).to_bytes())  # read-only
        await asyncio.wait_for(starting, WAIT)
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.CONNECTED
        from zkrecipes import KeeperState

        assert zk.client_state is KeeperState.CONNECTED_RO
        # The probe finds 127.0.0.1:<rw_port> read-write: the client moves there.
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.SUSPENDED
        again = await peer.accept()
        assert again.session_id == SESSION
        assert await asyncio.wait_for(states.__anext__(), WAIT) is ZkState.CONNECTED
        assert zk.client_state is KeeperState.CONNECTED
        assert zk.transport.current_server is not None
        assert zk.transport.current_server[0].port == rw_port
    finally:
        zk.close()
        probe_target.close()


async def test_stop_during_the_handshake_ends_at_once() -> None:
    peer = Peer()
    zk = AsyncZkClient.from_config(_config(), open_socket=peer.open_socket)
    starting = asyncio.ensure_future(zk.start(timeout=WAIT))
    peer.sock = await asyncio.wait_for(peer.sockets.get(), WAIT)
    await peer.read_frame()  # the ConnectRequest, never answered
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.wait_for(zk.stop(), WAIT)
    assert loop.time() - began < 1.0  # not the read timeout
    with pytest.raises(ConnectionClosedError):
        await asyncio.wait_for(starting, 1.0)  # woken by stop(), not its own timeout


async def test_a_listener_may_stop_the_client_and_a_restart_serves_listeners_again() -> None:
    async with scripted() as (zk, peer):
        seen: list[ZkState] = []
        stopped = asyncio.Event()

        async def listener(state: ZkState) -> None:
            seen.append(state)
            if state is ZkState.SUSPENDED:
                await zk.stop()  # from inside the SESSION queue
                stopped.set()

        zk.add_listener(listener)
        assert peer.sock is not None
        peer.sock.close()
        peer.sock = None
        await asyncio.wait_for(stopped.wait(), WAIT)
        assert not zk.transport.running and zk.state is ZkState.LOST
        while not peer.sockets.empty():  # an immediate reconnect may have begun before the stop
            peer.sockets.get_nowait().close()
        starting = asyncio.ensure_future(zk.start(timeout=WAIT))
        await peer.accept(session_id=0x77)
        await asyncio.wait_for(starting, WAIT)
        assert zk.client_id is not None and zk.client_id[0] == 0x77
        for _ in range(100):
            if seen[-1:] == [ZkState.CONNECTED]:
                break
            await asyncio.sleep(0.01)
        assert seen == [ZkState.SUSPENDED, ZkState.LOST, ZkState.CONNECTED]


async def test_a_cancelled_add_auth_keeps_the_session_in_order() -> None:
    async with scripted() as (zk, peer):
        auth = asyncio.ensure_future(zk.add_auth("digest", "user:pw"))
        xid, opcode, _ = await peer.read_request()
        assert (xid, opcode) == (-4, 100)
        auth.cancel()
        with pytest.raises(asyncio.CancelledError):
            await auth
        got = asyncio.ensure_future(zk.get("/after"))
        get_xid = await _get_xid(peer, "/after")
        await peer.send(ReplyHeader(-4, 0, 0).to_bytes())  # the auth's late answer
        await peer.reply_get(get_xid, b"ok")
        assert (await asyncio.wait_for(got, WAIT))[0] == b"ok"
        assert zk.connected
