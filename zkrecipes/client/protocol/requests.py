"""One class per ZooKeeper operation: its opcode, its request body and how to read its reply.

Paths are *client* paths; the chroot (from the session) is added when the
request is encoded and removed from server paths in the reply.  A request
is a slotted dataclass; the session calls, in order:

* :meth:`Request.validate` — raises ``InvalidArgumentError``/``InvalidTypeError``
  before anything is assigned or sent;
* :meth:`Request.to_frame` — the complete frame (length, header, body);
* :meth:`Request.read_result` — decodes a successful reply body;
* :meth:`Request.register_watch` — records the watch the reply says was set.

Multi-operation requests live in :mod:`.multi`; watch management, ensemble and session
requests in :mod:`.session_requests` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from zkrecipes.client.protocol.checks import check_acl, check_data, check_ttl, check_version
from zkrecipes.client.protocol.jute import (
    INT,
    LONG,
    STAT,
    Buffer,
    read_acls,
    read_stat,
    read_string,
    read_string_vector,
    stat_from_tuple,
    write_acls,
    write_buffer,
    write_ustring,
)
from zkrecipes.client.protocol.opcodes import CreateMode, ErrorCode, OpCode
from zkrecipes.client.protocol.paths import add_chroot, strip_chroot
from zkrecipes.client.protocol.request_base import (
    PATH_WATCH_HEAD,
    WATCH_FLAG,
    Request,
    path_watch_frame,
    write_path_watch,
)
from zkrecipes.client.protocol.watches import WatchKind, WatchRegistry
from zkrecipes.exceptions import InvalidArgumentError, MalformedFrameError
from zkrecipes.security import ACL

_NONODE = int(ErrorCode.NO_NODE)


#: Create flags of the sequential modes (the chroot rule for ``"/"`` differs for them).
_SEQUENTIAL_FLAGS = frozenset(int(mode) for mode in CreateMode if mode.is_sequential)

@dataclass(slots=True)
class CreateRequest(Request):
    """create / create2 / createContainer / createTTL, chosen from ``flags``, ``ttl`` and
    ``include_stat``.  Result: the created path, or ``(path, ZnodeStat)`` with ``include_stat``."""

    path: str
    data: bytes | None = b""
    acl: Sequence[ACL] = field(default_factory=list)
    flags: int = CreateMode.PERSISTENT
    ttl: int = -1
    include_stat: bool = False

    @property
    def opcode(self) -> int:
        flags = self.flags
        if flags == CreateMode.CONTAINER:
            return OpCode.CREATE_CONTAINER
        if flags == CreateMode.PERSISTENT_WITH_TTL or flags == CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL:
            return OpCode.CREATE_TTL
        return OpCode.CREATE2 if self.include_stat else OpCode.CREATE

    def validate(self) -> None:
        if self.data is not None:  # None: null data, as ZooKeeper's (and kazoo's) clients write it
            check_data(self.data, "data")
        check_acl(self.acl)
        if not self.acl:
            raise InvalidArgumentError("a create needs at least one ACL entry")
        try:
            mode = CreateMode(self.flags)
        except ValueError:
            raise InvalidArgumentError(f"unknown create mode {self.flags!r}") from None
        if mode.is_ttl:
            check_ttl(self.ttl)
        elif self.ttl is not None and self.ttl >= 0:
            raise InvalidArgumentError(f"ttl is only valid with a TTL create mode, not {mode.name}")

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path, self.flags in _SEQUENTIAL_FLAGS))
        write_buffer(out, self.data)
        write_acls(out, self.acl)
        out += INT.pack(self.flags)
        if self.opcode == OpCode.CREATE_TTL:
            out += LONG.pack(self.ttl)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return self.read_create_result(self.opcode, buf, off, chroot)[0]

    def read_create_result(self, reply_type: int, buf: Buffer, off: int, chroot: str) -> tuple[Any, int]:
        """Decode a CreateResponse (type 1) or Create2Response (other create types).

        A reply without a stat to a request with ``include_stat`` (a 3.8.0 server
        answering create2 inside a multi) gives ``(path, None)``.
        """
        path, off = read_string(buf, off)
        path = strip_chroot(chroot, path)
        if reply_type == OpCode.CREATE:
            return ((path, None) if self.include_stat else path), off
        stat, off = read_stat(buf, off)
        return ((path, stat) if self.include_stat else path), off


@dataclass(slots=True)
class DeleteRequest(Request):
    """delete (2): ``ustring path, int version``.  Result: None."""

    OPCODE: ClassVar[int] = OpCode.DELETE
    path: str
    version: int = -1

    def validate(self) -> None:
        check_version(self.version)

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))
        out += INT.pack(self.version)


@dataclass(slots=True)
class ExistsRequest(Request):
    """exists (3): ``ustring path, boolean watch``.  Result: ZnodeStat (NONODE is an error).

    With a watcher: success registers a data watch, NONODE an exist watch.
    """

    OPCODE: ClassVar[int] = OpCode.EXISTS
    WATCHES: ClassVar[bool] = True
    path: str
    watcher: object = None

    def to_frame(self, xid: int, chroot: str) -> bytes:
        return path_watch_frame(OpCode.EXISTS, xid, chroot, self.path, self.watcher is not None)

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_path_watch(out, chroot, self.path, self.watcher is not None)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return stat_from_tuple(STAT.unpack_from(buf, off))

    def register_watch(self, err: int, registry: WatchRegistry) -> None:
        if self.watcher is not None:
            if err == 0:
                registry.add(WatchKind.DATA, self.path, self.watcher)
            elif err == _NONODE:
                registry.add(WatchKind.EXIST, self.path, self.watcher)


@dataclass(slots=True)
class GetDataRequest(Request):
    """getData (4): ``ustring path, boolean watch``.  Result: ``(bytes | None, ZnodeStat)``
    (null data reads as ``None``, as kazoo and the Java client); success with a watcher
    registers a data watch."""

    OPCODE: ClassVar[int] = OpCode.GET_DATA
    WATCHES: ClassVar[bool] = True
    path: str
    watcher: object = None

    def to_frame(self, xid: int, chroot: str) -> bytes:
        path = self.path
        if chroot:
            path = chroot if path == "/" else chroot + path
        raw = path.encode("utf-8")
        n = len(raw)
        return PATH_WATCH_HEAD.pack(n + 13, xid, 4, n) + raw + WATCH_FLAG[self.watcher is not None]

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_path_watch(out, chroot, self.path, self.watcher is not None)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        (length,) = INT.unpack_from(buf, off)
        off += 4
        if length > 0:
            end = off + length
            if end + 68 > len(buf):
                raise MalformedFrameError(f"getData reply: data length {length} runs past the frame")
            data = bytes(buf[off:end])
            off = end
        elif length == 0:
            data = b""
        elif length == -1:
            data = None
        else:
            raise MalformedFrameError(f"getData reply: negative data length {length}")
        return data, stat_from_tuple(STAT.unpack_from(buf, off))

    def register_watch(self, err: int, registry: WatchRegistry) -> None:
        if err == 0 and self.watcher is not None:
            registry.add(WatchKind.DATA, self.path, self.watcher)


@dataclass(slots=True)
class SetDataRequest(Request):
    """setData (5): ``ustring path, buffer data, int version``.  Result: ZnodeStat."""

    OPCODE: ClassVar[int] = OpCode.SET_DATA
    path: str
    data: bytes | None = b""
    version: int = -1

    def validate(self) -> None:
        if self.data is not None:  # None: null data, as ZooKeeper's (and kazoo's) clients write it
            check_data(self.data, "data")
        check_version(self.version)

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))
        write_buffer(out, self.data)
        out += INT.pack(self.version)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return stat_from_tuple(STAT.unpack_from(buf, off))


@dataclass(slots=True)
class GetACLRequest(Request):
    """getACL (6): ``ustring path``.  Result: ``(list[ACL], ZnodeStat)``."""

    OPCODE: ClassVar[int] = OpCode.GET_ACL
    path: str

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        acls, off = read_acls(buf, off)
        stat, off = read_stat(buf, off)
        return acls, stat


@dataclass(slots=True)
class SetACLRequest(Request):
    """setACL (7): ``ustring path, vector<ACL> acl, int version``.  Result: ZnodeStat."""

    OPCODE: ClassVar[int] = OpCode.SET_ACL
    path: str
    acl: Sequence[ACL] = field(default_factory=list)
    version: int = -1

    def validate(self) -> None:
        check_acl(self.acl)
        check_version(self.version)

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))
        write_acls(out, self.acl)
        out += INT.pack(self.version)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return stat_from_tuple(STAT.unpack_from(buf, off))


@dataclass(slots=True)
class GetChildrenRequest(Request):
    """getChildren (8): ``ustring path, boolean watch``.  Result: ``list[str]`` (names);
    success with a watcher registers a child watch."""

    OPCODE: ClassVar[int] = OpCode.GET_CHILDREN
    WATCHES: ClassVar[bool] = True
    path: str
    watcher: object = None

    def to_frame(self, xid: int, chroot: str) -> bytes:
        return path_watch_frame(self.OPCODE, xid, chroot, self.path, self.watcher is not None)

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_path_watch(out, chroot, self.path, self.watcher is not None)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return read_string_vector(buf, off)[0]

    def register_watch(self, err: int, registry: WatchRegistry) -> None:
        if err == 0 and self.watcher is not None:
            registry.add(WatchKind.CHILD, self.path, self.watcher)


@dataclass(slots=True)
class GetChildren2Request(GetChildrenRequest):
    """getChildren2 (12): as getChildren, result ``(list[str], ZnodeStat)``."""

    OPCODE: ClassVar[int] = OpCode.GET_CHILDREN2

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        children, off = read_string_vector(buf, off)
        stat, off = read_stat(buf, off)
        return children, stat


@dataclass(slots=True)
class SyncRequest(Request):
    """sync (9): ``ustring path``.  Result: the path (chroot removed)."""

    OPCODE: ClassVar[int] = OpCode.SYNC
    path: str

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return strip_chroot(chroot, read_string(buf, off)[0])


@dataclass(slots=True)
class CheckVersionRequest(Request):
    """check (13): ``ustring path, int version`` (a multi operation).  Result: None."""

    OPCODE: ClassVar[int] = OpCode.CHECK
    path: str
    version: int = -1

    def validate(self) -> None:
        check_version(self.version)

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))
        out += INT.pack(self.version)


# Re-exported so that every request class can be imported from this module.
from zkrecipes.client.protocol.session_requests import (  # noqa: E402
    AddWatchRequest,
    CheckWatchesRequest,
    CloseRequest,
    GetAllChildrenNumberRequest,
    GetEphemeralsRequest,
    ReconfigRequest,
    RemoveWatchesRequest,
    SASLRequest,
    WhoAmIRequest,
)

__all__ = [
    "AddWatchRequest",
    "CheckVersionRequest",
    "CheckWatchesRequest",
    "CloseRequest",
    "CreateRequest",
    "DeleteRequest",
    "ExistsRequest",
    "GetACLRequest",
    "GetAllChildrenNumberRequest",
    "GetChildren2Request",
    "GetChildrenRequest",
    "GetDataRequest",
    "GetEphemeralsRequest",
    "ReconfigRequest",
    "RemoveWatchesRequest",
    "Request",
    "SASLRequest",
    "SetACLRequest",
    "SetDataRequest",
    "SyncRequest",
    "WhoAmIRequest",
]
