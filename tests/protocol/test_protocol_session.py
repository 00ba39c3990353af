"""ZkProtocol fed scripted byte streams (no server, no sockets)."""

from __future__ import annotations

import struct
from collections.abc import Sequence

import pytest
from _protocol_wire import (
    STAT_FIELDS,
    boolean,
    buf,
    connect_response,
    frame,
    i32,
    i64,
    multi_header,
    notification,
    reply,
    stat,
    strings,
    ustr,
)

from zkrecipes.client.protocol import (
    MAX_XID,
    SET_WATCHES_MAX_BYTES,
    AddWatchMode,
    AddWatchRequest,
    AuthReply,
    CheckVersionRequest,
    Connected,
    CreateMode,
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetChildrenRequest,
    GetDataRequest,
    GetEphemeralsRequest,
    MultiRequest,
    Notification,
    PingReply,
    Reply,
    SessionExpired,
    SetDataRequest,
    SetWatchesReply,
    SyncRequest,
    WatcherType,
    WatchKind,
    ZkProtocol,
    undelivered_events,
)
from zkrecipes.client.protocol.pending import XidCounter
from zkrecipes.client.protocol.records import SetWatches, SetWatches2
from zkrecipes.exceptions import (
    BadVersionError,
    DataTooLargeError,
    FrameTooLargeError,
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    MalformedFrameError,
    ProtocolError,
    RolledBackError,
    RuntimeInconsistency,
    UnexpectedReplyError,
)
from zkrecipes.security import OPEN_ACL_UNSAFE
from zkrecipes.states import EventType, KeeperState, ZnodeStat

PASSWORD = bytes(range(16))
CREATED, DELETED, CHANGED, CHILD = 1, 2, 3, 4
SYNC_CONNECTED = 3


def connected(chroot: str | None = None, **kwargs: object) -> ZkProtocol:
    p = ZkProtocol(chroot=chroot, **kwargs)  # type: ignore[arg-type]
    p.connect()
    [event] = p.receive_data(connect_response(8000, 0x55, PASSWORD))
    assert isinstance(event, Connected)
    return p


def only(events: Sequence[object]) -> object:
    assert len(events) == 1, events
    return events[0]


def split_frames(data: bytes) -> list[bytes]:
    frames, off = [], 0
    while off < len(data):
        (length,) = struct.unpack_from(">i", data, off)
        frames.append(data[off + 4:off + 4 + length])
        off += 4 + length
    return frames


class W:
    """A named, hashable watcher for readable assertions."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"W({self.name})"


# ------------------------------------------------------------ connect / expiry


def test_connect_request_bytes_for_a_new_session() -> None:
    p = ZkProtocol(session_timeout_ms=12000, read_only=True)
    expected = frame(i32(0) + i64(0) + i32(12000) + i64(0) + buf(bytes(16)) + boolean(True))
    assert p.connect() == expected
    assert p.awaiting_connect


def test_connected_event_and_session_fields() -> None:
    p = ZkProtocol()
    p.connect()
    event = only(p.receive_data(connect_response(6000, 0x1122, PASSWORD, read_only=True)))
    assert event == Connected(0x1122, 6000, PASSWORD, True, False)
    assert (p.session_id, p.session_password, p.negotiated_timeout_ms, p.read_only_server) == (
        0x1122, PASSWORD, 6000, True)
    assert not p.awaiting_connect


def test_connect_response_without_read_only_byte() -> None:
    p = ZkProtocol()
    p.connect()
    event = only(p.receive_data(connect_response(6000, 9, PASSWORD, read_only=None)))
    assert isinstance(event, Connected) and event.read_only is False


def test_reconnect_resumes_session_with_last_zxid() -> None:
    p = connected()
    p.send(SyncRequest("/"))
    p.receive_data(reply(1, 0x99, 0, ustr("/")))
    assert p.connection_lost() == []
    expected = frame(i32(0) + i64(0x99) + i32(10000) + i64(0x55) + buf(PASSWORD) + boolean(False))
    assert p.connect() == expected
    event = only(p.receive_data(connect_response(8000, 0x55, PASSWORD)))
    assert isinstance(event, Connected) and event.same_session


def test_set_session_is_presented_on_connect() -> None:
    p = ZkProtocol(session_timeout_ms=5000)
    p.set_session(0x7777, b"k" * 16)
    assert p.connect() == frame(i32(0) + i64(0) + i32(5000) + i64(0x7777) + buf(b"k" * 16) + boolean(False))
    with pytest.raises(InvalidTypeError):
        p.set_session(1, "not bytes")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        p.set_session(2**63, b"")


def test_negotiated_timeout_zero_means_expired() -> None:
    p = ZkProtocol()
    p.set_session(0x42, PASSWORD)
    p.connect()
    assert only(p.receive_data(connect_response(0, 0, bytes(16)))) == SessionExpired()
    assert p.session_id == 0 and p.session_password == bytes(16)


def test_constructor_rejects_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError):
        ZkProtocol(session_timeout_ms=0)
    # Issue 10: a chroot is normalised like any path (kazoo), only "." / ".." are refused.
    assert ZkProtocol(chroot="app").chroot == ZkProtocol(chroot="/app/").chroot == "/app"
    with pytest.raises(InvalidPathError):
        ZkProtocol(chroot="/app/..")
    with pytest.raises(InvalidArgumentError):
        ZkProtocol(max_frame_size=10)
    assert ZkProtocol(chroot="/").chroot == ""


# ------------------------------------------------------------ replies and xids


def test_xids_start_at_one_and_replies_match_in_order() -> None:
    p = connected()
    first = p.send(GetDataRequest("/a"), context="first")
    second = p.send(ExistsRequest("/b"), context="second")
    assert struct.unpack_from(">i", first, 4)[0] == 1 and struct.unpack_from(">i", second, 4)[0] == 2
    events = p.receive_data(reply(1, 10, 0, buf(b"x") + stat()) + reply(2, 11, -101))
    assert [(e.pending.xid, e.pending.context, e.err) for e in events] == [  # type: ignore[union-attr]
        (1, "first", 0), (2, "second", -101)]
    assert events[0].result == (b"x", ZnodeStat(*STAT_FIELDS))  # type: ignore[union-attr]
    assert events[1].result is None  # type: ignore[union-attr]
    assert p.last_zxid == 11 and p.pending_count == 0


def test_reply_for_unknown_xid_is_a_protocol_error() -> None:
    p = connected()
    p.send(GetDataRequest("/a"))
    with pytest.raises(UnexpectedReplyError):
        p.receive_data(reply(7, 1, 0, buf(b"") + stat()))
    with pytest.raises(ProtocolError):  # the stream stays broken until reset
        p.receive_data(reply(1, 1, 0, buf(b"") + stat()))
    assert [x.xid for x in p.connection_lost()] == [1]


def test_reply_out_of_order_is_a_protocol_error_and_keeps_pending() -> None:
    p = connected()
    for path in ("/a", "/b", "/c"):
        p.send(SyncRequest(path), context=path)
    with pytest.raises(UnexpectedReplyError) as info:
        p.receive_data(reply(1, 5, 0, ustr("/a")) + reply(3, 6, 0, ustr("/c")))
    delivered = undelivered_events(info.value)
    assert [e.result for e in delivered] == ["/a"]  # type: ignore[union-attr]
    assert [x.context for x in p.connection_lost()] == ["/b", "/c"]


def test_reply_without_any_pending_request() -> None:
    p = connected()
    with pytest.raises(UnexpectedReplyError):
        p.receive_data(reply(1, 5, 0))


def test_reserved_xid_is_a_protocol_error() -> None:
    p = connected()
    with pytest.raises(UnexpectedReplyError):
        p.receive_data(reply(-3, 0, 0))


def test_special_replies() -> None:
    p = connected()
    assert p.ping() == frame(i32(-2) + i32(11))
    events = p.receive_data(reply(-2, 50, 0) + reply(-4, 0, -115) + reply(-8, 0, 0))
    assert events == [PingReply(), AuthReply(-115), SetWatchesReply(0)]
    assert p.last_zxid == 0  # only replies to requests move last_zxid


def test_zxid_of_notification_does_not_move_last_zxid() -> None:
    p = connected()
    p.send(SyncRequest("/"))
    p.receive_data(reply(1, 40, 0, ustr("/")))
    p.receive_data(reply(-1, 90, 0, i32(CHANGED) + i32(SYNC_CONNECTED) + ustr("/x")))
    assert p.last_zxid == 40


def test_xid_wraps_to_one_and_never_hits_reserved_values() -> None:
    counter = XidCounter(MAX_XID - 2)
    assert [counter.next() for _ in range(4)] == [MAX_XID - 1, MAX_XID, 1, 2]
    p = connected()
    p._xids = XidCounter(MAX_XID - 1)  # jump to the edge instead of sending 2**31 requests
    xids = [struct.unpack_from(">i", p.send(SyncRequest("/")), 4)[0] for _ in range(3)]
    assert xids == [MAX_XID, 1, 2]
    events = p.receive_data(b"".join(reply(x, 1, 0, ustr("/")) for x in xids))
    assert [e.pending.xid for e in events] == xids  # type: ignore[union-attr]


def test_every_reply_frame_split_byte_by_byte() -> None:
    p = connected()
    p.send(GetDataRequest("/a"))
    p.send(GetChildrenRequest("/b"))
    stream = reply(1, 3, 0, buf(b"data") + stat()) + reply(2, 4, 0, strings(["x", "y"]))
    events = []
    for index in range(len(stream)):
        events += p.receive_data(stream[index:index + 1])
    assert [e.result for e in events] == [(b"data", ZnodeStat(*STAT_FIELDS)), ["x", "y"]]  # type: ignore[union-attr]


def test_send_refuses_bad_requests_without_queueing() -> None:
    p = ZkProtocol(max_frame_size=4096)
    with pytest.raises(DataTooLargeError):
        p.send(SetDataRequest("/a", b"x" * 5000))
    with pytest.raises(InvalidTypeError):
        p.send("not a request")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        p.send(GetDataRequest("/a", watcher=[]))  # unhashable watcher
    with pytest.raises(InvalidTypeError):
        p.send(GetDataRequest(b"/a"))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        p.send(CreateRequest("/a", b"", OPEN_ACL_UNSAFE, flags=42))
    assert p.pending_count == 0


def test_malformed_reply_body_keeps_request_pending() -> None:
    p = connected()
    p.send(GetDataRequest("/a"), context="a")
    with pytest.raises(MalformedFrameError):
        p.receive_data(reply(1, 3, 0, buf(b"abc")))  # stat missing
    assert [x.context for x in p.connection_lost()] == ["a"]


def test_connection_lost_returns_pending_in_send_order_and_clears_buffer() -> None:
    p = connected()
    for name in "abc":
        p.send(SyncRequest("/" + name), context=name)
    p.receive_data(reply(1, 3, 0, ustr("/a"))[:7])  # a partial frame stays buffered
    assert [x.context for x in p.connection_lost()] == ["a", "b", "c"]
    assert p.pending_count == 0 and p.connection_lost() == []
    p.connect()
    assert isinstance(only(p.receive_data(connect_response(8000, 0x55, PASSWORD))), Connected)


# ------------------------------------------------------------ watches


def watch_everything(p: ZkProtocol) -> dict[str, W]:
    """Register data, exist, child, persistent and recursive watches through real replies."""
    w = {name: W(name) for name in ("data", "exist", "child", "pers", "rec_root", "rec_a", "rec_other")}
    p.send(GetDataRequest("/a/b", w["data"]))
    p.send(ExistsRequest("/a/b", w["exist"]))
    p.send(GetChildrenRequest("/a/b", w["child"]))
    p.send(AddWatchRequest("/a/b", AddWatchMode.PERSISTENT, w["pers"]))
    p.send(AddWatchRequest("/", AddWatchMode.PERSISTENT_RECURSIVE, w["rec_root"]))
    p.send(AddWatchRequest("/a", AddWatchMode.PERSISTENT_RECURSIVE, w["rec_a"]))
    p.send(AddWatchRequest("/z", AddWatchMode.PERSISTENT_RECURSIVE, w["rec_other"]))
    p.receive_data(
        reply(1, 5, 0, buf(b"") + stat()) + reply(2, 5, -101) + reply(3, 5, 0, strings([]))
        + reply(4, 5, 0) + reply(5, 5, 0) + reply(6, 5, 0) + reply(7, 5, 0))
    return w


def names(event: object) -> list[str]:
    assert isinstance(event, Notification)
    return [w.name for w in event.watchers]  # type: ignore[attr-defined]


def test_watches_are_registered_from_replies() -> None:
    p = connected()
    watch_everything(p)
    paths = p.watched_paths()
    assert (paths.data, paths.exist, paths.child) == (["/a/b"], ["/a/b"], ["/a/b"])
    assert (paths.persistent, paths.persistent_recursive) == (["/a/b"], ["/", "/a", "/z"])


def test_failed_reads_register_no_watch() -> None:
    p = connected()
    p.send(GetDataRequest("/x", W("d")))
    p.send(GetChildrenRequest("/x", W("c")))
    p.send(AddWatchRequest("/x", AddWatchMode.PERSISTENT, W("p")))
    p.receive_data(reply(1, 1, -101) + reply(2, 1, -101) + reply(3, 1, -102))
    assert not p.watched_paths()


@pytest.mark.parametrize(
    ("event_type", "expected", "left_one_shot"),
    [
        (CREATED, ["data", "exist", "pers", "rec_a", "rec_root"], ["child"]),
        (CHANGED, ["data", "exist", "pers", "rec_a", "rec_root"], ["child"]),
        (DELETED, ["data", "exist", "child", "pers", "rec_a", "rec_root"], []),
        (CHILD, ["child", "pers"], ["data", "exist"]),
    ],
)
def test_notification_routing(event_type: int, expected: list[str], left_one_shot: list[str]) -> None:
    p = connected()
    watch_everything(p)
    event = only(p.receive_data(notification(event_type, SYNC_CONNECTED, "/a/b")))
    assert isinstance(event, Notification) and event.path == "/a/b" and event.state is KeeperState.CONNECTED
    assert names(event) == expected
    paths = p.watched_paths()
    remaining = [kind for kind, lst in (("data", paths.data), ("exist", paths.exist), ("child", paths.child))
                 if lst]
    assert remaining == left_one_shot  # the one-shot watches that fired are gone
    assert paths.persistent == ["/a/b"] and paths.persistent_recursive == ["/", "/a", "/z"]
    # the same event again reaches only the persistent ones
    again = only(p.receive_data(notification(event_type, SYNC_CONNECTED, "/a/b")))
    assert names(again) == [n for n in expected if n in ("pers", "rec_a", "rec_root")]


def test_recursive_watch_on_descendants_but_not_for_child_events() -> None:
    p = connected()
    watch_everything(p)
    deep = only(p.receive_data(notification(CREATED, SYNC_CONNECTED, "/a/b/c/d")))
    assert names(deep) == ["rec_a", "rec_root"]
    assert names(only(p.receive_data(notification(CHILD, SYNC_CONNECTED, "/a/q")))) == []
    event = only(p.receive_data(notification(DELETED, SYNC_CONNECTED, "/")))
    assert names(event) == ["rec_root"]


def test_event_type_mapping() -> None:
    p = connected()
    types = [only(p.receive_data(notification(t, SYNC_CONNECTED, "/n"))).type  # type: ignore[attr-defined]
             for t in (CREATED, DELETED, CHANGED, CHILD, -1)]
    assert types == [EventType.CREATED, EventType.DELETED, EventType.CHANGED, EventType.CHILD, EventType.NONE]


def test_unknown_event_type_is_malformed() -> None:
    p = connected()
    with pytest.raises(MalformedFrameError):
        p.receive_data(notification(99, SYNC_CONNECTED, "/n"))


def test_watcher_registered_twice_fires_once() -> None:
    p = connected()
    w = W("same")
    p.send(GetDataRequest("/n", w))
    p.send(GetChildrenRequest("/n", w))
    p.send(AddWatchRequest("/", AddWatchMode.PERSISTENT_RECURSIVE, w))
    p.receive_data(reply(1, 1, 0, buf(b"") + stat()) + reply(2, 1, 0, strings([])) + reply(3, 1, 0))
    assert only(p.receive_data(notification(DELETED, SYNC_CONNECTED, "/n"))).watchers == [w]  # type: ignore


def test_remove_watchers_locally() -> None:
    p = connected()
    w = watch_everything(p)
    assert p.remove_watchers("/a/b", WatcherType.DATA) == [w["data"], w["exist"]]
    assert p.remove_watchers("/a/b", WatcherType.CHILDREN, W("unknown")) == []
    assert p.remove_watchers("/a/b", WatcherType.ANY, w["child"]) == [w["child"]]
    assert p.remove_watchers("/a", WatcherType.PERSISTENT_RECURSIVE) == [w["rec_a"]]
    assert p.watchers(WatchKind.PERSISTENT, "/a/b") == [w["pers"]]
    with pytest.raises(InvalidArgumentError):
        p.remove_watchers("/a/b", 77)


def test_reset_session_returns_watchers_and_keeps_auth() -> None:
    p = connected()
    w = watch_everything(p)
    p.add_auth("digest", "u:p")
    dropped = p.reset_session()
    assert set(dropped) == set(w.values()) and len(dropped) == len(w)
    assert not p.watched_paths() and p.session_id == 0 and p.last_zxid == 5
    assert p.auth_data == [("digest", b"u:p")]


# ------------------------------------------------------------ priming


def parse_priming(data: bytes) -> list[tuple[int, int, object]]:
    """(xid, opcode, decoded body) per frame of a priming blob."""
    out: list[tuple[int, int, object]] = []
    for body in split_frames(data):
        xid, opcode = struct.unpack_from(">ii", body, 0)
        payload = body[8:]
        if opcode == 101:
            out.append((xid, opcode, SetWatches.read(payload)[0]))
        elif opcode == 105:
            out.append((xid, opcode, SetWatches2.read(payload)[0]))
        else:
            out.append((xid, opcode, payload))
    return out


def test_priming_sends_auth_then_set_watches2_with_last_zxid() -> None:
    p = connected(chroot="/app")
    auth_frame = p.add_auth("digest", "user:pw")
    assert auth_frame == frame(i32(-4) + i32(100) + i32(0) + ustr("digest") + buf(b"user:pw"))
    p.add_auth("digest", "user:pw")  # remembered once
    watch_everything(p)
    packets = parse_priming(p.priming())
    assert [(x, op) for x, op, _ in packets] == [(-4, 100), (-8, 105)]
    assert packets[0][2] == i32(0) + ustr("digest") + buf(b"user:pw")
    assert packets[1][2] == SetWatches2(5, ["/app/a/b"], ["/app/a/b"], ["/app/a/b"], ["/app/a/b"],
                                        ["/app", "/app/a", "/app/z"])


def test_priming_uses_set_watches_without_persistent_watches() -> None:
    p = connected()
    p.send(GetDataRequest("/d", W("d")))
    p.send(ExistsRequest("/e", W("e")))
    p.send(GetChildrenRequest("/c", W("c")))
    p.receive_data(reply(1, 8, 0, buf(b"") + stat()) + reply(2, 9, -101) + reply(3, 10, 0, strings([])))
    [(xid, opcode, body)] = parse_priming(p.priming())
    assert (xid, opcode, body) == (-8, 101, SetWatches(10, ["/d"], ["/e"], ["/c"]))


def test_priming_without_watches_or_auth_is_empty() -> None:
    assert connected().priming() == b""


def test_priming_splits_watches_in_batches() -> None:
    p = connected()
    long_paths = [f"/{'x' * 1000}/{i:05d}" for i in range(400)]  # ~400 KB of paths
    for index, path in enumerate(long_paths):
        kind_request = (GetDataRequest(path, W("d")) if index % 3 == 0
                        else GetChildrenRequest(path, W("c")) if index % 3 == 1
                        else AddWatchRequest(path, AddWatchMode.PERSISTENT, W("p")))
        p.send(kind_request)
    replies = b""
    for xid in range(1, 401):
        body = buf(b"") + stat() if xid % 3 == 1 else strings([]) if xid % 3 == 2 else b""
        replies += reply(xid, 77, 0, body)
    p.receive_data(replies)
    blob = p.priming()
    bodies = split_frames(blob)
    assert len(bodies) >= 4
    assert all(len(body) <= SET_WATCHES_MAX_BYTES for body in bodies)
    packets = parse_priming(blob)
    assert all((x, op) == (-8, 105) for x, op, _ in packets)
    records = [r for _, _, r in packets if isinstance(r, SetWatches2)]
    assert len(records) == len(packets)
    assert all(r.relative_zxid == 77 for r in records)
    assert sorted(p for r in records for p in r.data) == sorted(long_paths[0::3])
    assert sorted(p for r in records for p in r.child) == sorted(long_paths[1::3])
    assert sorted(p for r in records for p in r.persistent) == sorted(long_paths[2::3])


# ------------------------------------------------------------ multi and chroot


def test_multi_whose_third_op_fails_through_the_session() -> None:
    p = connected()
    p.send(MultiRequest([CreateRequest("/a", b"", OPEN_ACL_UNSAFE), DeleteRequest("/b"),
                         CheckVersionRequest("/c", 4), SetDataRequest("/d", b"")]))
    body = (multi_header(-1, False, 0) + i32(0) + multi_header(-1, False, 0) + i32(0)
            + multi_header(-1, False, -103) + i32(-103) + multi_header(-1, False, -2) + i32(-2)
            + multi_header(-1, True, -1))
    event = only(p.receive_data(reply(1, 30, 0, body)))
    assert isinstance(event, Reply) and event.err == 0
    assert [type(r) for r in event.result] == [RolledBackError, RolledBackError, BadVersionError,
                                               RuntimeInconsistency]


def test_chroot_is_stripped_everywhere() -> None:
    p = connected(chroot="/app")
    w = W("w")
    p.send(CreateRequest("/seq-", b"", OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL))
    p.send(CreateRequest("/n", b"", OPEN_ACL_UNSAFE, include_stat=True))
    p.send(SyncRequest("/"))
    p.send(GetEphemeralsRequest("/"))
    p.send(MultiRequest([CreateRequest("/m", b"", OPEN_ACL_UNSAFE)]))
    p.send(GetDataRequest("/n", w))
    events = p.receive_data(
        reply(1, 1, 0, ustr("/app/seq-0000000007"))
        + reply(2, 2, 0, ustr("/app/n") + stat())
        + reply(3, 3, 0, ustr("/app"))
        + reply(4, 4, 0, strings(["/app/seq-0000000007", "/apple/x"]))
        + reply(5, 5, 0, multi_header(1, False, 0) + ustr("/app/m") + multi_header(-1, True, -1))
        + reply(6, 6, 0, buf(b"") + stat())
        + notification(CHANGED, SYNC_CONNECTED, "/app/n"))
    results = [e.result for e in events[:6]]  # type: ignore[union-attr]
    assert results[:5] == ["/seq-0000000007", ("/n", ZnodeStat(*STAT_FIELDS)), "/", ["/seq-0000000007"],
                           ["/m"]]
    note = events[6]
    assert isinstance(note, Notification) and note.path == "/n" and note.watchers == [w]
    root = only(p.receive_data(notification(DELETED, SYNC_CONNECTED, "/app")))
    assert root.path == "/"  # type: ignore[attr-defined]


def test_exists_nonode_registers_exist_watch_under_chroot() -> None:
    p = connected(chroot="/app")
    w = W("e")
    p.send(ExistsRequest("/n", w))
    p.receive_data(reply(1, 1, -101))
    assert p.watched_paths().exist == ["/n"]
    [(_, _, body)] = parse_priming(p.priming())
    assert body == SetWatches(1, [], ["/app/n"], [])
    assert names(only(p.receive_data(notification(CREATED, SYNC_CONNECTED, "/app/n")))) == ["e"]


def test_framing_error_after_good_frames_keeps_their_events() -> None:
    p = connected()
    p.send(SyncRequest("/a"), context="a")
    p.send(SyncRequest("/b"), context="b")
    with pytest.raises(FrameTooLargeError) as info:
        p.receive_data(reply(1, 1, 0, ustr("/a")) + i32(-7) + b"junk")
    assert [e.pending.context for e in undelivered_events(info.value)] == ["a"]  # type: ignore[union-attr]
    assert [x.context for x in p.connection_lost()] == ["b"]
    assert undelivered_events(ValueError()) == []


def test_read_only_server_refusing_a_new_session_is_a_specific_error() -> None:
    """A 3.8 read-only server without local sessions answers a new session's
    ConnectRequest with a bare ReplyHeader (xid 0, zxid, NOTREADONLY -119)."""
    from zkrecipes.exceptions import ConnectRefusedError

    p = ZkProtocol(read_only=True)
    p.connect()
    with pytest.raises(ConnectRefusedError) as info:
        p.receive_data(reply(0, 0x1234, -119))
    assert info.value.code == -119
    assert isinstance(info.value, ProtocolError)  # the connection layer drops and moves on
    assert p.session_id == 0 and p.pending_count == 0
    with pytest.raises(ProtocolError):  # the stream stays broken until the next connect
        p.receive_data(b"")
    p.connection_lost()
    p.connect()  # the next server can still give a session
    [event] = p.receive_data(connect_response(8000, 0x77, PASSWORD, read_only=True))
    assert isinstance(event, Connected) and event.read_only and event.session_id == 0x77


def test_a_short_connect_reply_without_an_error_is_malformed() -> None:
    p = ZkProtocol()
    p.connect()
    with pytest.raises(MalformedFrameError):
        p.receive_data(reply(0, 0, 0))
