"""Session-level records: connect, headers, watcher events, auth, SetWatches, multi headers.

Layouts follow ``zookeeper.jute``.  Each record has ``write(out)`` (append to a
``bytearray``), ``to_bytes()`` and ``read(buf, off) -> (record, new_off)``; the
request/response bodies of the individual operations live in ``requests.py``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from zkrecipes.client.protocol.jute import (
    INT,
    MULTI_HEADER,
    REPLY_HEADER,
    Buffer,
    read_buffer,
    read_string,
    read_string_vector,
    write_buffer,
    write_string_vector,
    write_ustring,
)

_CONNECT_REQUEST_HEAD = struct.Struct(">iqiq")
_CONNECT_RESPONSE_HEAD = struct.Struct(">iiq")
_REQUEST_HEADER = struct.Struct(">ii")
_LONG = struct.Struct(">q")

#: A new session presents an all-zero 16-byte password.
EMPTY_PASSWORD = b"\x00" * 16


@dataclass(slots=True)
class ConnectRequest:
    """``int protocolVersion, long lastZxidSeen, int timeOut, long sessionId, buffer passwd``
    then the optional ``boolean readOnly`` (always sent)."""

    protocol_version: int = 0
    last_zxid_seen: int = 0
    timeout_ms: int = 10000
    session_id: int = 0
    password: bytes = field(default=EMPTY_PASSWORD, repr=False)  # a secret: never in a repr
    read_only: bool = False

    def write(self, out: bytearray) -> None:
        out += _CONNECT_REQUEST_HEAD.pack(
            self.protocol_version, self.last_zxid_seen, self.timeout_ms, self.session_id)
        write_buffer(out, self.password)
        out.append(1 if self.read_only else 0)

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[ConnectRequest, int]:
        version, zxid, timeout, session_id = _CONNECT_REQUEST_HEAD.unpack_from(buf, off)
        password, off = read_buffer(buf, off + 24)
        read_only = False
        if off < len(buf):
            read_only = buf[off] != 0
            off += 1
        return cls(version, zxid, timeout, session_id, password or b"", read_only), off


@dataclass(slots=True)
class ConnectResponse:
    """``int protocolVersion, int timeOut, long sessionId, buffer passwd`` then an optional
    ``boolean readOnly`` (older servers omit it: read as False)."""

    protocol_version: int
    timeout_ms: int
    session_id: int
    password: bytes = field(repr=False)  # a secret: never in a repr
    read_only: bool = False

    def write(self, out: bytearray) -> None:
        out += _CONNECT_RESPONSE_HEAD.pack(self.protocol_version, self.timeout_ms, self.session_id)
        write_buffer(out, self.password)
        out.append(1 if self.read_only else 0)

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[ConnectResponse, int]:
        version, timeout, session_id = _CONNECT_RESPONSE_HEAD.unpack_from(buf, off)
        password, off = read_buffer(buf, off + 16)
        read_only = False
        if off < len(buf):
            read_only = buf[off] != 0
            off += 1
        return cls(version, timeout, session_id, password or b"", read_only), off


@dataclass(slots=True)
class RequestHeader:
    """``int xid, int type``."""

    xid: int
    type: int

    def write(self, out: bytearray) -> None:
        out += _REQUEST_HEADER.pack(self.xid, self.type)

    def to_bytes(self) -> bytes:
        return _REQUEST_HEADER.pack(self.xid, self.type)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[RequestHeader, int]:
        xid, type_ = _REQUEST_HEADER.unpack_from(buf, off)
        return cls(xid, type_), off + 8


@dataclass(slots=True)
class ReplyHeader:
    """``int xid, long zxid, int err``."""

    xid: int
    zxid: int
    err: int

    def write(self, out: bytearray) -> None:
        out += REPLY_HEADER.pack(self.xid, self.zxid, self.err)

    def to_bytes(self) -> bytes:
        return REPLY_HEADER.pack(self.xid, self.zxid, self.err)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[ReplyHeader, int]:
        xid, zxid, err = REPLY_HEADER.unpack_from(buf, off)
        return cls(xid, zxid, err), off + 16


@dataclass(slots=True)
class WatcherEvent:
    """``int type, int state, ustring path`` (the body of a notification, xid -1)."""

    type: int
    state: int
    path: str

    def write(self, out: bytearray) -> None:
        out += _REQUEST_HEADER.pack(self.type, self.state)
        write_ustring(out, self.path)

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[WatcherEvent, int]:
        type_, state = _REQUEST_HEADER.unpack_from(buf, off)
        path, off = read_string(buf, off + 8)
        return cls(type_, state, path), off


@dataclass(slots=True)
class AuthPacket:
    """``int type, ustring scheme, buffer auth`` (sent with xid -4, opcode 100)."""

    type: int
    scheme: str
    auth: bytes = field(repr=False)  # the credential: never in a repr

    def write(self, out: bytearray) -> None:
        out += INT.pack(self.type)
        write_ustring(out, self.scheme)
        write_buffer(out, self.auth)

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[AuthPacket, int]:
        (type_,) = INT.unpack_from(buf, off)
        scheme, off = read_string(buf, off + 4)
        auth, off = read_buffer(buf, off)
        return cls(type_, scheme, auth or b""), off


@dataclass(slots=True)
class SetWatches:
    """``long relativeZxid, vector<ustring> dataWatches, existWatches, childWatches``
    (opcode 101, xid -8).  Paths are server paths (chroot included)."""

    relative_zxid: int
    data: Sequence[str] = field(default_factory=list)
    exist: Sequence[str] = field(default_factory=list)
    child: Sequence[str] = field(default_factory=list)

    def write(self, out: bytearray) -> None:
        out += _LONG.pack(self.relative_zxid)
        write_string_vector(out, self.data)
        write_string_vector(out, self.exist)
        write_string_vector(out, self.child)

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[SetWatches, int]:
        (zxid,) = _LONG.unpack_from(buf, off)
        data, off = read_string_vector(buf, off + 8)
        exist, off = read_string_vector(buf, off)
        child, off = read_string_vector(buf, off)
        return cls(zxid, data, exist, child), off


@dataclass(slots=True)
class SetWatches2:
    """SetWatches plus ``vector<ustring> persistentWatches, persistentRecursiveWatches``
    (opcode 105, xid -8)."""

    relative_zxid: int
    data: Sequence[str] = field(default_factory=list)
    exist: Sequence[str] = field(default_factory=list)
    child: Sequence[str] = field(default_factory=list)
    persistent: Sequence[str] = field(default_factory=list)
    persistent_recursive: Sequence[str] = field(default_factory=list)

    def write(self, out: bytearray) -> None:
        out += _LONG.pack(self.relative_zxid)
        write_string_vector(out, self.data)
        write_string_vector(out, self.exist)
        write_string_vector(out, self.child)
        write_string_vector(out, self.persistent)
        write_string_vector(out, self.persistent_recursive)

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[SetWatches2, int]:
        (zxid,) = _LONG.unpack_from(buf, off)
        data, off = read_string_vector(buf, off + 8)
        exist, off = read_string_vector(buf, off)
        child, off = read_string_vector(buf, off)
        persistent, off = read_string_vector(buf, off)
        recursive, off = read_string_vector(buf, off)
        return cls(zxid, data, exist, child, persistent, recursive), off


@dataclass(slots=True)
class MultiHeader:
    """``int type, boolean done, int err``; a multi ends with ``(-1, True, -1)``."""

    type: int
    done: bool
    err: int

    def write(self, out: bytearray) -> None:
        out += MULTI_HEADER.pack(self.type, self.done, self.err)

    def to_bytes(self) -> bytes:
        return MULTI_HEADER.pack(self.type, self.done, self.err)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[MultiHeader, int]:
        type_, done, err = MULTI_HEADER.unpack_from(buf, off)
        return cls(type_, done, err), off + 9


@dataclass(slots=True, frozen=True)
class ClientInfo:
    """One identity of the session, as WhoAmI reports it: ``ustring authScheme, ustring user``."""

    auth_scheme: str
    user: str

    def write(self, out: bytearray) -> None:
        write_ustring(out, self.auth_scheme)
        write_ustring(out, self.user)

    @classmethod
    def read(cls, buf: Buffer, off: int = 0) -> tuple[ClientInfo, int]:
        scheme, off = read_string(buf, off)
        user, off = read_string(buf, off)
        return cls(scheme, user), off
