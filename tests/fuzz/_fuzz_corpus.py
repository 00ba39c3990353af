"""Valid reply frames for the decoder fuzz, written from the documented jute layouts.

Each :class:`Case` pairs a request the client sends with the bytes of a valid
reply body to it (after the 16-byte reply header); the fuzz sends the request
through :class:`~zkrecipes.client.protocol.ZkProtocol`, builds the reply frame
with the request's xid and mutates it. The encodings are written here with
``struct`` and share no code with the decoder under test.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zkrecipes.client.protocol import (
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetChildren2Request,
    GetChildrenRequest,
    GetDataRequest,
    MultiRequest,
    SetDataRequest,
    SyncRequest,
    WhoAmIRequest,
)
from zkrecipes.client.protocol.requests import CheckVersionRequest, GetACLRequest
from zkrecipes.security import OPEN_ACL_UNSAFE

CHROOT = "/app"


def i32(value: int) -> bytes:
    return struct.pack(">i", value)


def ustr(text: str) -> bytes:
    raw = text.encode("utf-8")
    return i32(len(raw)) + raw


def buf(data: bytes) -> bytes:
    return i32(len(data)) + data


def stat(version: int = 3) -> bytes:
    # czxid mzxid ctime mtime, version cversion aversion, ephemeralOwner, dataLength numChildren, pzxid
    times = (1_600_000_000_000, 1_600_000_000_500)
    return struct.pack(">qqqqiiiqiiq", 101, 102, *times, version, 4, 5, 0, 6, 7, 108)


def frame(body: bytes) -> bytes:
    return i32(len(body)) + body


def reply(xid: int, body: bytes, zxid: int = 9, err: int = 0) -> bytes:
    return frame(struct.pack(">iqi", xid, zxid, err) + body)


def notification(event_type: int, state: int, path: str) -> bytes:
    return frame(struct.pack(">iqi", -1, -1, 0) + struct.pack(">ii", event_type, state) + ustr(path))


def ping_reply() -> bytes:
    return frame(struct.pack(">iqi", -2, 9, 0))


def connect_response(timeout_ms: int = 4000, session_id: int = 7) -> bytes:
    return frame(struct.pack(">iiq", 0, timeout_ms, session_id) + buf(b"s" * 16) + b"\x00")


def _multi_header(op_type: int, done: bool, err: int) -> bytes:
    return struct.pack(">i?i", op_type, done, err)


def _multi_body() -> bytes:
    return (_multi_header(1, False, 0) + ustr(f"{CHROOT}/m")
            + _multi_header(5, False, 0) + stat()
            + _multi_header(2, False, 0)
            + _multi_header(13, False, 0)
            + _multi_header(-1, True, -1))


def _multi_failed_body() -> bytes:
    return (_multi_header(-1, False, 0) + i32(0)
            + _multi_header(-1, False, -101) + i32(-101)
            + _multi_header(-1, True, -1))


@dataclass(frozen=True)
class Case:
    name: str
    request: Callable[[], Any]
    body: bytes
    err: int = 0


CASES: tuple[Case, ...] = (
    Case("get_data", lambda: GetDataRequest("/a", watcher=object()), buf(b"payload") + stat()),
    Case("get_data_empty", lambda: GetDataRequest("/a"), i32(-1) + stat()),
    Case("exists", lambda: ExistsRequest("/a", watcher=object()), stat()),
    Case("exists_nonode", lambda: ExistsRequest("/a", watcher=object()), b"", -101),
    Case("children", lambda: GetChildrenRequest("/a", watcher=object()),
         i32(3) + ustr("x") + ustr("y") + ustr("zé")),
    Case("children2", lambda: GetChildren2Request("/a"), i32(2) + ustr("x") + ustr("y") + stat()),
    Case("create", lambda: CreateRequest("/a", b"v", OPEN_ACL_UNSAFE), ustr(f"{CHROOT}/a")),
    Case("create2", lambda: CreateRequest("/a", b"v", OPEN_ACL_UNSAFE, include_stat=True),
         ustr(f"{CHROOT}/a0000000001") + stat()),
    Case("set_data", lambda: SetDataRequest("/a", b"v"), stat(4)),
    Case("delete", lambda: DeleteRequest("/a"), b""),
    Case("sync", lambda: SyncRequest("/a"), ustr(f"{CHROOT}/a")),
    Case("get_acl", lambda: GetACLRequest("/a"),
         i32(1) + i32(31) + ustr("world") + ustr("anyone") + stat()),
    Case("whoami", lambda: WhoAmIRequest(),
         i32(2) + ustr("ip") + ustr("127.0.0.1") + ustr("digest") + ustr("u")),
    Case("multi", lambda: MultiRequest([CreateRequest("/m", b"", OPEN_ACL_UNSAFE), SetDataRequest("/a", b"v"),
                                        DeleteRequest("/d"), CheckVersionRequest("/c", 1)]), _multi_body()),
    Case("multi_failed",
         lambda: MultiRequest([CreateRequest("/m", b"", OPEN_ACL_UNSAFE), DeleteRequest("/d")]),
         _multi_failed_body(), -101),
    Case("error", lambda: GetDataRequest("/a"), b"", -101),
)

#: Frames that are not replies to a request: notifications (data, children, deleted) and a ping.
EXTRAS: tuple[bytes, ...] = (
    notification(3, 3, f"{CHROOT}/a"),
    notification(4, 3, f"{CHROOT}/a"),
    notification(2, 3, f"{CHROOT}/a"),
    ping_reply(),
)
