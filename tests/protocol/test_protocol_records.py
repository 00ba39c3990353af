"""Known-bytes and round-trip tests for every record and request body.

Expected bytes come from the field layouts in zookeeper.jute, written by hand
(``_protocol_wire``), never from the encoder under test.
"""

from __future__ import annotations

import struct

import pytest
from _protocol_wire import (
    OPEN_ACL_BYTES,
    STAT_FIELDS,
    boolean,
    buf,
    i32,
    i64,
    multi_header,
    request,
    stat,
    strings,
    ustr,
)

from zkrecipes.client.protocol import (
    AddWatchMode,
    AddWatchRequest,
    CheckVersionRequest,
    CheckWatchesRequest,
    ClientInfo,
    CloseRequest,
    CreateMode,
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetACLRequest,
    GetAllChildrenNumberRequest,
    GetChildren2Request,
    GetChildrenRequest,
    GetDataRequest,
    GetEphemeralsRequest,
    MultiReadRequest,
    MultiRequest,
    OpCode,
    ReconfigRequest,
    RemoveWatchesRequest,
    Request,
    SASLRequest,
    SetACLRequest,
    SetDataRequest,
    SyncRequest,
    WatcherType,
    WhoAmIRequest,
)
from zkrecipes.client.protocol.records import (
    AuthPacket,
    ConnectRequest,
    ConnectResponse,
    MultiHeader,
    ReplyHeader,
    RequestHeader,
    SetWatches,
    SetWatches2,
    WatcherEvent,
)
from zkrecipes.exceptions import (
    BadVersionError,
    InvalidArgumentError,
    InvalidTypeError,
    MalformedFrameError,
    NoNodeError,
    RolledBackError,
    RuntimeInconsistency,
)
from zkrecipes.security import ACL, OPEN_ACL_UNSAFE, Id, Permissions
from zkrecipes.states import ZnodeStat

STAT = ZnodeStat(*STAT_FIELDS)
NOTHING = object()


def watcher() -> None:
    """A stand-in watcher."""


# ------------------------------------------------------------ session records


def test_connect_request_bytes_and_round_trip() -> None:
    record = ConnectRequest(0, 0x1234, 30000, 0x0102030405060708, b"p" * 16, True)
    expected = i32(0) + i64(0x1234) + i32(30000) + i64(0x0102030405060708) + buf(b"p" * 16) + boolean(True)
    assert record.to_bytes() == expected
    assert ConnectRequest.read(expected) == (record, len(expected))


def test_connect_response_with_and_without_read_only_byte() -> None:
    base = i32(0) + i32(4000) + i64(77) + buf(b"s" * 16)
    assert ConnectResponse.read(base + boolean(True))[0] == ConnectResponse(0, 4000, 77, b"s" * 16, True)
    # Older servers omit the trailing readOnly byte: tolerated, read as False.
    assert ConnectResponse.read(base) == (ConnectResponse(0, 4000, 77, b"s" * 16, False), len(base))
    assert ConnectResponse(0, 4000, 77, b"s" * 16, True).to_bytes() == base + boolean(True)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (RequestHeader(5, 4), i32(5) + i32(4)),
        (ReplyHeader(-1, 0x7FFF_FFFF_FFFF, -101), i32(-1) + i64(0x7FFF_FFFF_FFFF) + i32(-101)),
        (WatcherEvent(3, 3, "/a/b"), i32(3) + i32(3) + ustr("/a/b")),
        (AuthPacket(0, "digest", b"u:p"), i32(0) + ustr("digest") + buf(b"u:p")),
        (MultiHeader(-1, True, -1), i32(-1) + boolean(True) + i32(-1)),
        (SetWatches(9, ["/d"], ["/e"], ["/c1", "/c2"]),
         i64(9) + strings(["/d"]) + strings(["/e"]) + strings(["/c1", "/c2"])),
        (SetWatches2(9, [], ["/e"], [], ["/p"], ["/r"]),
         i64(9) + strings([]) + strings(["/e"]) + strings([]) + strings(["/p"]) + strings(["/r"])),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, bytes) else "",
)
def test_session_record_bytes_and_round_trip(record: object, expected: bytes) -> None:
    assert record.to_bytes() == expected  # type: ignore[attr-defined]
    decoded, end = type(record).read(expected)  # type: ignore[attr-defined]
    assert decoded == record and end == len(expected)


def test_client_info_round_trip() -> None:
    raw = ustr("ip") + ustr("127.0.0.1")
    assert ClientInfo.read(raw) == (ClientInfo("ip", "127.0.0.1"), len(raw))


# ------------------------------------------------------------ request bodies

ACL2 = [ACL(Permissions.READ, Id("digest", "u:h")), ACL(Permissions.ALL, Id("world", "anyone"))]
ACL2_BYTES = i32(2) + i32(1) + ustr("digest") + ustr("u:h") + i32(31) + ustr("world") + ustr("anyone")

REQUEST_CASES: list[tuple[Request, int, bytes]] = [
    (CreateRequest("/n", b"xy", OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL), 1,
     ustr("/n") + buf(b"xy") + OPEN_ACL_BYTES + i32(1)),
    (CreateRequest("/n", b"", ACL2, CreateMode.PERSISTENT_SEQUENTIAL, include_stat=True), 15,
     ustr("/n") + buf(b"") + ACL2_BYTES + i32(2)),
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE, CreateMode.CONTAINER), 19,
     ustr("/n") + buf(b"") + OPEN_ACL_BYTES + i32(4)),
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttl=5000), 21,
     ustr("/n") + buf(b"") + OPEN_ACL_BYTES + i32(5) + i64(5000)),
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl=1), 21,
     ustr("/n") + buf(b"") + OPEN_ACL_BYTES + i32(6) + i64(1)),
    (DeleteRequest("/n", 3), 2, ustr("/n") + i32(3)),
    (ExistsRequest("/n"), 3, ustr("/n") + boolean(False)),
    (ExistsRequest("/n", watcher), 3, ustr("/n") + boolean(True)),
    (GetDataRequest("/n", watcher), 4, ustr("/n") + boolean(True)),
    (GetDataRequest("/ü"), 4, ustr("/ü") + boolean(False)),
    (SetDataRequest("/n", b"v", 7), 5, ustr("/n") + buf(b"v") + i32(7)),
    (GetACLRequest("/n"), 6, ustr("/n")),
    (SetACLRequest("/n", ACL2, -1), 7, ustr("/n") + ACL2_BYTES + i32(-1)),
    (GetChildrenRequest("/n", watcher), 8, ustr("/n") + boolean(True)),
    (SyncRequest("/n"), 9, ustr("/n")),
    (GetChildren2Request("/n"), 12, ustr("/n") + boolean(False)),
    (CheckVersionRequest("/n", 2), 13, ustr("/n") + i32(2)),
    (ReconfigRequest("server.4=h:1:2;3", None, None, 0x10), 16,
     ustr("server.4=h:1:2;3") + ustr(None) + ustr(None) + i64(0x10)),
    (CheckWatchesRequest("/n", WatcherType.DATA), 17, ustr("/n") + i32(2)),
    (RemoveWatchesRequest("/n", WatcherType.ANY), 18, ustr("/n") + i32(3)),
    (SASLRequest(b"tok"), 102, buf(b"tok")),
    (GetEphemeralsRequest("/e"), 103, ustr("/e")),
    (GetAllChildrenNumberRequest("/n"), 104, ustr("/n")),
    (AddWatchRequest("/n", AddWatchMode.PERSISTENT_RECURSIVE, watcher), 106, ustr("/n") + i32(1)),
    (WhoAmIRequest(), 107, b""),
    (CloseRequest(), -11, b""),
    (MultiRequest([CreateRequest("/m", b"d", OPEN_ACL_UNSAFE), DeleteRequest("/o", 1),
                   SetDataRequest("/s", b"", -1), CheckVersionRequest("/c", 4)]), 14,
     multi_header(1, False, -1) + ustr("/m") + buf(b"d") + OPEN_ACL_BYTES + i32(0)
     + multi_header(2, False, -1) + ustr("/o") + i32(1)
     + multi_header(5, False, -1) + ustr("/s") + buf(b"") + i32(-1)
     + multi_header(13, False, -1) + ustr("/c") + i32(4)
     + multi_header(-1, True, -1)),
    (MultiReadRequest([GetDataRequest("/a"), GetChildrenRequest("/b")]), 22,
     multi_header(4, False, -1) + ustr("/a") + boolean(False)
     + multi_header(8, False, -1) + ustr("/b") + boolean(False)
     + multi_header(-1, True, -1)),
]


@pytest.mark.parametrize(("req", "opcode", "body"), REQUEST_CASES, ids=lambda v: type(v).__name__)
def test_request_frame_bytes(req: Request, opcode: int, body: bytes) -> None:
    req.validate()
    assert req.opcode == opcode
    assert req.to_frame(42, "") == request(42, opcode, body)


@pytest.mark.parametrize(("req", "opcode", "body"), REQUEST_CASES, ids=lambda v: type(v).__name__)
def test_write_body_matches_frame(req: Request, opcode: int, body: bytes) -> None:
    out = bytearray()
    req.write_body(out, "")
    assert bytes(out) == body


def test_chroot_is_added_to_request_paths() -> None:
    assert GetDataRequest("/a").to_frame(1, "/app") == request(1, 4, ustr("/app/a") + boolean(False))
    assert GetDataRequest("/").to_frame(1, "/app") == request(1, 4, ustr("/app") + boolean(False))
    assert SyncRequest("/").to_frame(2, "/app") == request(2, 9, ustr("/app"))
    assert CreateRequest("/x", b"", OPEN_ACL_UNSAFE).to_frame(3, "/app") == request(
        3, 1, ustr("/app/x") + buf(b"") + OPEN_ACL_BYTES + i32(0))
    multi = MultiRequest([DeleteRequest("/d"), CheckVersionRequest("/", 1)])
    assert multi.to_frame(4, "/r") == request(4, 14, multi_header(2, False, -1) + ustr("/r/d") + i32(-1)
                                              + multi_header(13, False, -1) + ustr("/r") + i32(1)
                                              + multi_header(-1, True, -1))


# ------------------------------------------------------------ reply bodies


REPLY_CASES: list[tuple[Request, bytes, object]] = [
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE), ustr("/n0000000001"), "/n0000000001"),
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE, include_stat=True), ustr("/n") + stat(), ("/n", STAT)),
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE, CreateMode.CONTAINER), ustr("/n") + stat(), "/n"),
    (CreateRequest("/n", b"", OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttl=9, include_stat=True),
     ustr("/n") + stat(), ("/n", STAT)),
    (DeleteRequest("/n"), b"", None),
    (ExistsRequest("/n"), stat(), STAT),
    (GetDataRequest("/n"), buf(b"hello") + stat(), (b"hello", STAT)),
    (GetDataRequest("/n"), buf(None) + stat(), (None, STAT)),  # issue 10: null data is None (kazoo, Java)
    (SetDataRequest("/n", b""), stat(), STAT),
    (GetACLRequest("/n"), ACL2_BYTES + stat(), (ACL2, STAT)),
    (SetACLRequest("/n", ACL2), stat(), STAT),
    (GetChildrenRequest("/n"), strings(["a", "b"]), ["a", "b"]),
    (GetChildren2Request("/n"), strings(["a"]) + stat(), (["a"], STAT)),
    (SyncRequest("/n"), ustr("/n"), "/n"),
    (ReconfigRequest(), buf(b"server.1=x") + stat(), (b"server.1=x", STAT)),
    (CheckWatchesRequest("/n", 1), b"", None),
    (AddWatchRequest("/n", 0, watcher), b"", None),
    (GetEphemeralsRequest("/"), strings(["/e1", "/x/e2"]), ["/e1", "/x/e2"]),
    (GetAllChildrenNumberRequest("/n"), i32(12), 12),
    (WhoAmIRequest(), i32(2) + ustr("ip") + ustr("127.0.0.1") + ustr("digest") + ustr("bob"),
     [ClientInfo("ip", "127.0.0.1"), ClientInfo("digest", "bob")]),
    (SASLRequest(b"t"), buf(b"challenge"), b"challenge"),
    (CloseRequest(), b"", None),
]


@pytest.mark.parametrize(("req", "body", "expected"), REPLY_CASES, ids=lambda v: type(v).__name__)
def test_reply_body_decoding(req: Request, body: bytes, expected: object) -> None:
    framed = bytes(16) + body  # the session hands the frame with its 16-byte reply header
    assert req.read_result(memoryview(framed), 16, "") == expected


def test_reply_bodies_strip_chroot() -> None:
    header = bytes(16)
    create = CreateRequest("/n", b"", OPEN_ACL_UNSAFE)
    assert create.read_result(header + ustr("/app/n0000000001"), 16, "/app") == "/n0000000001"
    assert SyncRequest("/").read_result(header + ustr("/app"), 16, "/app") == "/"
    ephemerals = GetEphemeralsRequest("/").read_result(
        header + strings(["/app/e", "/app/x/y", "/apple/z", "/other"]), 16, "/app")
    assert ephemerals == ["/e", "/x/y"]


def test_truncated_reply_bodies_raise() -> None:
    for req, body, _ in REPLY_CASES:
        if not body:
            continue
        truncated = memoryview(bytes(16) + body[:-1])
        with pytest.raises((MalformedFrameError, struct.error)):
            req.read_result(truncated, 16, "")


# ------------------------------------------------------------ multi replies


def test_multi_success_results() -> None:
    multi = MultiRequest([
        CreateRequest("/a", b"", OPEN_ACL_UNSAFE),
        CreateRequest("/b", b"", OPEN_ACL_UNSAFE, include_stat=True),
        DeleteRequest("/c"),
        SetDataRequest("/d", b"x"),
        CheckVersionRequest("/e", 1),
    ])
    body = (multi_header(1, False, 0) + ustr("/r/a") + multi_header(15, False, 0) + ustr("/r/b") + stat()
            + multi_header(2, False, 0) + multi_header(5, False, 0) + stat() + multi_header(13, False, 0)
            + multi_header(-1, True, -1))
    assert multi.read_result(bytes(16) + body, 16, "/r") == ["/a", ("/b", STAT), None, STAT, None]


def test_multi_create2_answered_without_stat_gives_none_stat() -> None:
    # ZooKeeper 3.8.0 (ZOOKEEPER-4026) answers create2 inside a multi as a plain create.
    multi = MultiRequest([CreateRequest("/b", b"", OPEN_ACL_UNSAFE, include_stat=True)])
    body = multi_header(1, False, 0) + ustr("/b") + multi_header(-1, True, -1)
    assert multi.read_result(bytes(16) + body, 16, "") == [("/b", None)]


def test_multi_whose_third_op_fails() -> None:
    multi = MultiRequest([
        CreateRequest("/a", b"", OPEN_ACL_UNSAFE), SetDataRequest("/b", b""),
        CheckVersionRequest("/c", 3), DeleteRequest("/d"),
    ])
    body = (multi_header(-1, False, 0) + i32(0) + multi_header(-1, False, 0) + i32(0)
            + multi_header(-1, False, -103) + i32(-103) + multi_header(-1, False, -2) + i32(-2)
            + multi_header(-1, True, -1))
    results = multi.read_result(bytes(16) + body, 16, "")
    assert [type(r) for r in results] == [
        RolledBackError, RolledBackError, BadVersionError, RuntimeInconsistency]
    assert [r.code for r in results] == [0, 0, -103, -2]


def test_multi_read_results_are_independent() -> None:
    multi = MultiReadRequest([GetDataRequest("/a"), GetChildrenRequest("/b"), GetDataRequest("/c")])
    body = (multi_header(4, False, 0) + buf(b"A") + stat() + multi_header(8, False, 0) + strings(["k"])
            + multi_header(-1, False, -101) + i32(-101) + multi_header(-1, True, -1))
    results = multi.read_result(bytes(16) + body, 16, "")
    assert results[:2] == [(b"A", STAT), ["k"]] and isinstance(results[2], NoNodeError)


@pytest.mark.parametrize(
    "body",
    [
        multi_header(1, False, 0) + ustr("/a") + multi_header(1, False, 0) + ustr("/b")
        + multi_header(-1, True, -1),  # more results than operations
        multi_header(-1, True, -1),  # fewer results than operations
        multi_header(5, False, 0) + stat() + multi_header(-1, True, -1),  # wrong type for a create
        multi_header(1, False, 0) + ustr("/a"),  # no terminating header
    ],
)
def test_malformed_multi_replies(body: bytes) -> None:
    multi = MultiRequest([CreateRequest("/a", b"", OPEN_ACL_UNSAFE)])
    with pytest.raises((MalformedFrameError, struct.error)):
        multi.read_result(memoryview(bytes(16) + body), 16, "")


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("req", "error"),
    [
        (CreateRequest("/a", b"", []), InvalidArgumentError),
        (CreateRequest("/a", "text", OPEN_ACL_UNSAFE), InvalidTypeError),  # type: ignore[arg-type]
        (CreateRequest("/a", b"", OPEN_ACL_UNSAFE, flags=9), InvalidArgumentError),
        (CreateRequest("/a", b"", OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL), InvalidArgumentError),
        (CreateRequest("/a", b"", OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttl=2**40),
         InvalidArgumentError),
        (CreateRequest("/a", b"", OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, ttl=10), InvalidArgumentError),
        (CreateRequest("/a", b"", [("world", "anyone")]), InvalidTypeError),  # type: ignore[list-item]
        (DeleteRequest("/a", version="1"), InvalidTypeError),  # type: ignore[arg-type]
        (SetDataRequest("/a", b"", version=-2), InvalidArgumentError),
        (CheckWatchesRequest("/a", 9), InvalidArgumentError),
        (AddWatchRequest("/a", 2, watcher), InvalidArgumentError),
        (AddWatchRequest("/a", 0, None), InvalidArgumentError),
        (MultiRequest([GetDataRequest("/a")]), InvalidArgumentError),
        (MultiRequest([DeleteRequest("/a", version=-5)]), InvalidArgumentError),
        (MultiReadRequest([DeleteRequest("/a")]), InvalidArgumentError),
        (MultiReadRequest([GetChildren2Request("/a")]), InvalidArgumentError),
        (MultiReadRequest([GetDataRequest("/a", watcher)]), InvalidArgumentError),
    ],
    ids=lambda v: type(v).__name__,
)
def test_invalid_requests_are_refused(req: Request, error: type[Exception]) -> None:
    with pytest.raises(error):
        req.validate()


def test_create_mode_from_options() -> None:
    assert CreateMode.from_options() is CreateMode.PERSISTENT
    assert CreateMode.from_options(ephemeral=True, sequential=True) is CreateMode.EPHEMERAL_SEQUENTIAL
    assert CreateMode.from_options(ttl=True, sequential=True) is CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL
    assert CreateMode.from_options(container=True) is CreateMode.CONTAINER
    with pytest.raises(InvalidArgumentError):
        CreateMode.from_options(container=True, ephemeral=True)
    with pytest.raises(InvalidArgumentError):
        CreateMode.from_options(ttl=True, ephemeral=True)
    assert [m.value for m in CreateMode] == [0, 1, 2, 3, 4, 5, 6]
    assert [int(OpCode.CREATE_CONTAINER), int(OpCode.CREATE_TTL), int(OpCode.MULTI_READ)] == [19, 21, 22]


# ------------------------------------------------------------ jute primitives


def test_jute_primitives_known_bytes_and_nulls() -> None:
    from zkrecipes.client.protocol import jute

    out = bytearray()
    jute.write_int(out, -2)
    jute.write_long(out, 2**40)
    jute.write_bool(out, True)
    jute.write_buffer(out, None)
    jute.write_ustring(out, None)
    jute.write_ustring(out, "é")
    jute.write_string_vector(out, None)
    jute.write_acls(out, None)
    jute.write_stat(out, STAT)
    expected = (i32(-2) + i64(2**40) + boolean(True) + i32(-1) + i32(-1) + i32(2) + "é".encode()
                + i32(-1) + i32(-1) + stat())
    assert bytes(out) == expected
    view = memoryview(expected)
    assert jute.read_int(view, 0) == (-2, 4)
    assert jute.read_long(view, 4) == (2**40, 12)
    assert jute.read_bool(view, 12) == (True, 13)
    assert jute.read_buffer(view, 13) == (None, 17)
    assert jute.read_ustring(view, 17) == (None, 21)
    assert jute.read_ustring(view, 21) == ("é", 27)
    assert jute.read_string_vector(view, 27) == ([], 31)  # null vector reads as empty
    assert jute.read_acls(view, 31) == ([], 35)
    assert jute.read_stat(view, 35) == (STAT, 35 + 68)


@pytest.mark.parametrize(
    "raw",
    [i32(-2), i32(5) + b"abc", i32(2) + b"\xc3\x28"],
    ids=["negative length", "past the end", "bad utf-8"],
)
def test_jute_bad_strings_are_malformed(raw: bytes) -> None:
    from zkrecipes.client.protocol import jute

    with pytest.raises(MalformedFrameError):
        jute.read_ustring(memoryview(raw), 0)


@pytest.mark.parametrize("count", [-2, 1000])
def test_jute_bad_vector_counts_are_malformed(count: int) -> None:
    from zkrecipes.client.protocol import jute

    with pytest.raises(MalformedFrameError):
        jute.read_string_vector(memoryview(i32(count) + ustr("a")), 0)
