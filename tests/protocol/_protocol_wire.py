"""Hand-written wire encodings for the protocol tests.

Each helper writes one jute primitive from its documented layout with
``struct.pack``; they deliberately share no code with the encoder under test.
"""

from __future__ import annotations

import struct

STAT_FIELDS = (101, 102, 1_600_000_000_000, 1_600_000_000_500, 3, 4, 5, 0, 6, 7, 108)


def i32(value: int) -> bytes:
    return struct.pack(">i", value)


def i64(value: int) -> bytes:
    return struct.pack(">q", value)


def boolean(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def ustr(text: str | None) -> bytes:
    if text is None:
        return b"\xff\xff\xff\xff"
    raw = text.encode("utf-8")
    return struct.pack(">i", len(raw)) + raw


def buf(data: bytes | None) -> bytes:
    if data is None:
        return b"\xff\xff\xff\xff"
    return struct.pack(">i", len(data)) + data


def strings(items: list[str]) -> bytes:
    return struct.pack(">i", len(items)) + b"".join(ustr(item) for item in items)


def stat(fields: tuple[int, ...] = STAT_FIELDS) -> bytes:
    # czxid mzxid ctime mtime (longs), version cversion aversion (ints),
    # ephemeralOwner (long), dataLength numChildren (ints), pzxid (long)
    return struct.pack(">qqqqiiiqiiq", *fields)


def frame(body: bytes) -> bytes:
    return struct.pack(">i", len(body)) + body


def request(xid: int, opcode: int, body: bytes = b"") -> bytes:
    return frame(struct.pack(">ii", xid, opcode) + body)


def reply(xid: int, zxid: int, err: int, body: bytes = b"") -> bytes:
    return frame(struct.pack(">iqi", xid, zxid, err) + body)


def notification(event_type: int, state: int, path: str) -> bytes:
    return reply(-1, -1, 0, struct.pack(">ii", event_type, state) + ustr(path))


def connect_response(
    timeout_ms: int, session_id: int, password: bytes, read_only: bool | None = False
) -> bytes:
    body = struct.pack(">iiq", 0, timeout_ms, session_id) + buf(password)
    if read_only is not None:
        body += boolean(read_only)
    return frame(body)


def multi_header(op_type: int, done: bool, err: int) -> bytes:
    return struct.pack(">i?i", op_type, done, err)


OPEN_ACL_BYTES = i32(1) + i32(31) + ustr("world") + ustr("anyone")
