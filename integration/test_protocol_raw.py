"""The sans-IO protocol core against a real ZooKeeper, through a plain blocking socket.

No client, no handler: these tests prove that the bytes the core writes are
what the server expects and that it decodes what the server answers.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from zkrecipes.client.protocol import (
    AddWatchMode,
    AddWatchRequest,
    CheckVersionRequest,
    CloseRequest,
    Connected,
    CreateMode,
    CreateRequest,
    DeleteRequest,
    Event,
    ExistsRequest,
    GetAllChildrenNumberRequest,
    GetChildren2Request,
    GetChildrenRequest,
    GetDataRequest,
    GetEphemeralsRequest,
    MultiReadRequest,
    MultiRequest,
    Notification,
    PingReply,
    Reply,
    SessionExpired,
    SetDataRequest,
    SetWatchesReply,
    SyncRequest,
    WhoAmIRequest,
    ZkProtocol,
)
from zkrecipes.exceptions import (
    BadVersionError,
    NodeExistsError,
    NoNodeError,
    RolledBackError,
    RuntimeInconsistency,
)
from zkrecipes.security import OPEN_ACL_UNSAFE
from zkrecipes.states import EventType, ZnodeStat

IO_TIMEOUT = 20.0


def _address(hosts: str) -> tuple[str, int]:
    first = hosts.split(",")[0].split("/")[0]
    host, _, port = first.rpartition(":")
    return host.strip("[]"), int(port)


class RawConnection:
    """One TCP connection driven by a ZkProtocol; every read has a timeout."""

    def __init__(self, hosts: str, protocol: ZkProtocol) -> None:
        self.protocol = protocol
        self.sock = socket.create_connection(_address(hosts), timeout=IO_TIMEOUT)
        self.backlog: list[Event] = []
        self.other: list[Event] = []

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_events(self) -> list[Event]:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        return self.protocol.receive_data(chunk)

    def handshake(self) -> Connected | SessionExpired:
        self.write(self.protocol.connect())
        event = self.next_event()
        assert isinstance(event, (Connected, SessionExpired))
        return event

    def next_event(self) -> Event:
        while not self.backlog:
            self.backlog.extend(self.read_events())
        return self.backlog.pop(0)

    def wait_for(self, kind: type, count: int = 1) -> list[Event]:
        """Read until ``count`` events of ``kind`` arrived; return every event read (in order)."""
        seen: list[Event] = []
        while sum(isinstance(e, kind) for e in seen) < count:
            seen.append(self.next_event())
        return seen

    def call(self, request: object) -> Reply:
        """Send one request and return its reply (other events go to ``self.other``)."""
        self.write(self.protocol.send(request))  # type: ignore[arg-type]
        while True:
            event = self.next_event()
            if isinstance(event, Reply):
                return event
            self.other.append(event)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def node_path() -> str:
    return f"/zkr-proto-{uuid.uuid4().hex}"


@pytest.fixture
def conn(zk_hosts: str) -> Iterator[RawConnection]:
    connection = RawConnection(zk_hosts, ZkProtocol(session_timeout_ms=10000))
    assert isinstance(connection.handshake(), Connected)
    yield connection
    connection.close()


def _cleanup(conn: RawConnection, path: str) -> None:
    reply = conn.call(GetChildrenRequest(path))
    if reply.err == 0:
        for child in reply.result:
            _cleanup(conn, f"{path}/{child}")
    conn.call(DeleteRequest(path))


def test_connect_create_get_watch_change_close(zk_hosts: str, node_path: str) -> None:
    protocol = ZkProtocol(session_timeout_ms=10000)
    conn = RawConnection(zk_hosts, protocol)
    try:
        connected = conn.handshake()
        assert isinstance(connected, Connected)
        assert connected.session_id != 0 and connected.timeout_ms > 0
        assert not connected.same_session

        created = conn.call(CreateRequest(node_path, b"v1", OPEN_ACL_UNSAFE))
        assert (created.err, created.result) == (0, node_path)
        zxid_after_create = protocol.last_zxid
        assert zxid_after_create > 0

        fired: list[str] = []

        def watcher() -> None:
            fired.append("x")

        got = conn.call(GetDataRequest(node_path, watcher=watcher))
        assert got.err == 0
        data, stat = got.result
        assert data == b"v1" and isinstance(stat, ZnodeStat) and stat.version == 0

        conn.write(protocol.send(SetDataRequest(node_path, b"v2", version=0)))
        events = conn.wait_for(Notification)
        while not any(isinstance(e, Reply) for e in events):
            events.append(conn.next_event())
        [note] = [e for e in events if isinstance(e, Notification)]
        assert (note.type, note.path, note.watchers) == (EventType.CHANGED, node_path, [watcher])
        [set_reply] = [e for e in events if isinstance(e, Reply)]
        assert set_reply.err == 0 and set_reply.result.version == 1
        assert protocol.last_zxid > zxid_after_create

        conn.write(protocol.ping())
        assert any(isinstance(e, PingReply) for e in conn.wait_for(PingReply))

        assert conn.call(DeleteRequest(node_path)).err == 0
        closed = conn.call(CloseRequest())
        assert closed.err == 0 and closed.result is None
        assert conn.sock.recv(1) == b""  # the server closes after closeSession
    finally:
        conn.close()


def test_errors_exists_watch_children_and_sync(conn: RawConnection, node_path: str) -> None:
    proto = conn.protocol
    missing = conn.call(GetDataRequest(node_path))
    assert missing.err == NoNodeError.code and missing.result is None

    def exist_watch() -> None: ...

    assert conn.call(ExistsRequest(node_path, watcher=exist_watch)).err == NoNodeError.code
    assert proto.watched_paths().exist == [node_path]

    conn.write(proto.send(CreateRequest(node_path, b"", OPEN_ACL_UNSAFE, include_stat=True)))
    events = conn.wait_for(Reply)
    [note] = [e for e in events if isinstance(e, Notification)]
    assert (note.type, note.path, note.watchers) == (EventType.CREATED, node_path, [exist_watch])
    [reply] = [e for e in events if isinstance(e, Reply)]
    path, stat = reply.result
    assert path == node_path and stat.czxid == proto.last_zxid

    again = conn.call(CreateRequest(node_path, b"", OPEN_ACL_UNSAFE))
    assert again.err == NodeExistsError.code

    seq = conn.call(CreateRequest(f"{node_path}/s-", b"x", OPEN_ACL_UNSAFE,
                                  flags=CreateMode.EPHEMERAL_SEQUENTIAL))
    assert seq.err == 0 and seq.result == f"{node_path}/s-0000000000"
    kids = conn.call(GetChildren2Request(node_path))
    assert kids.result[0] == ["s-0000000000"] and kids.result[1].numChildren == 1
    assert conn.call(GetAllChildrenNumberRequest(node_path)).result == 1
    assert conn.call(GetEphemeralsRequest(node_path)).result == [f"{node_path}/s-0000000000"]
    assert conn.call(SyncRequest(node_path)).result == node_path
    who = conn.call(WhoAmIRequest())
    assert who.err == 0 and all(info.auth_scheme for info in who.result)
    _cleanup(conn, node_path)


def test_multi_failure_and_multi_read(conn: RawConnection, node_path: str) -> None:
    ok = conn.call(MultiRequest([
        CreateRequest(node_path, b"a", OPEN_ACL_UNSAFE),
        CreateRequest(f"{node_path}/c", b"b", OPEN_ACL_UNSAFE),
        SetDataRequest(node_path, b"a2", version=0),
    ]))
    assert ok.err == 0
    assert ok.result[:2] == [node_path, f"{node_path}/c"] and ok.result[2].version == 1

    failed = conn.call(MultiRequest([
        SetDataRequest(node_path, b"x"),
        DeleteRequest(f"{node_path}/c"),
        CheckVersionRequest(node_path, version=99),
        DeleteRequest(node_path),
    ]))
    kinds = [type(r) for r in failed.result]
    assert kinds == [RolledBackError, RolledBackError, BadVersionError, RuntimeInconsistency]

    read = conn.call(MultiReadRequest([
        GetDataRequest(node_path), GetChildrenRequest(node_path), GetDataRequest(f"{node_path}/nope"),
    ]))
    assert read.result[0][0] == b"a2" and read.result[1] == ["c"]
    assert isinstance(read.result[2], NoNodeError)
    _cleanup(conn, node_path)


def test_chroot_and_persistent_recursive_watch(zk_hosts: str, conn: RawConnection, node_path: str) -> None:
    assert conn.call(CreateRequest(node_path, b"", OPEN_ACL_UNSAFE)).err == 0
    chrooted = RawConnection(zk_hosts, ZkProtocol(chroot=node_path))
    try:
        assert isinstance(chrooted.handshake(), Connected)

        def on_any() -> None: ...

        assert chrooted.call(AddWatchRequest("/", AddWatchMode.PERSISTENT_RECURSIVE, on_any)).err == 0
        made = chrooted.call(
            CreateRequest("/a", b"", OPEN_ACL_UNSAFE, flags=CreateMode.PERSISTENT_SEQUENTIAL))
        assert made.result == "/a0000000000"
        notes = [e for e in chrooted.other if isinstance(e, Notification)]  # sent before the reply
        assert [(n.type, n.path, n.watchers) for n in notes] == [
            (EventType.CREATED, "/a0000000000", [on_any])]
        assert conn.call(GetDataRequest(f"{node_path}/a0000000000")).err == 0
    finally:
        chrooted.close()
    _cleanup(conn, node_path)


def test_reconnect_same_session_restores_watches(zk_hosts: str, conn: RawConnection, node_path: str) -> None:
    assert conn.call(CreateRequest(node_path, b"", OPEN_ACL_UNSAFE)).err == 0
    first = RawConnection(zk_hosts, ZkProtocol(session_timeout_ms=20000))
    assert isinstance(first.handshake(), Connected)
    proto = first.protocol

    def data_watch() -> None: ...

    def persistent() -> None: ...

    assert first.call(GetDataRequest(node_path, watcher=data_watch)).err == 0
    assert first.call(AddWatchRequest(node_path, AddWatchMode.PERSISTENT, persistent)).err == 0
    first.close()  # drop the TCP connection; the session lives on
    assert proto.connection_lost() == []

    # Change the node while the watcher's session has no connection.
    assert conn.call(SetDataRequest(node_path, b"changed")).err == 0

    second = RawConnection(zk_hosts, proto)
    try:
        connected = second.handshake()
        assert isinstance(connected, Connected) and connected.same_session
        second.write(proto.priming())
        events = second.wait_for(SetWatchesReply)
        while not any(isinstance(e, Notification) for e in events):
            events.append(second.next_event())
        assert [e.err for e in events if isinstance(e, SetWatchesReply)] == [0]
        [note] = [e for e in events if isinstance(e, Notification)]
        assert note.type == EventType.CHANGED and note.path == node_path
        assert set(note.watchers) == {data_watch, persistent}
        assert proto.watched_paths().persistent == [node_path] and proto.watched_paths().data == []
        second.call(CloseRequest())
    finally:
        second.close()
    _cleanup(conn, node_path)
