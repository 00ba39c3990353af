"""One class per ZooKeeper operation: its opcode, its request body and how to read its reply.

Paths are *client* paths; the chroot (from the session) is added when the
request is encoded and removed from server paths in the reply.  A request
is a slotted dataclass; the session calls, in order:

* :meth:`Request.validate` — raises ``InvalidArgumentError``/``InvalidTypeError``
  before anything is assigned or sent;
* :meth:`Request.to_frame` — the complete frame (length, header, body);
* :meth:`Request.read_result` — decodes a successful reply body;
* :meth:`Request.register_watch` — records the watch the reply says was set.

Multi-operation requests live in :mod:`.multi`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from zkrecipes.client.protocol.checks import check_acl, check_data, check_ttl, check_version
from zkrecipes.client.protocol.jute import (
    FRAME_REQUEST_HEADER,
    INT,
    LONG,
    STAT,
    Buffer,
    read_acls,
    read_buffer,
    read_stat,
    read_string,
    read_string_vector,
    stat_from_tuple,
    write_acls,
    write_buffer,
    write_ustring,
)
from zkrecipes.client.protocol.opcodes import AddWatchMode, CreateMode, ErrorCode, OpCode, WatcherType
from zkrecipes.client.protocol.paths import add_chroot, is_in_chroot, strip_chroot
from zkrecipes.client.protocol.records import ClientInfo
from zkrecipes.client.protocol.watches import WatchKind, WatchRegistry
from zkrecipes.exceptions import InvalidArgumentError, MalformedFrameError
from zkrecipes.security import ACL

_PATH_WATCH_HEAD = struct.Struct(">iiii")  # frame length, xid, type, path length (path-first bodies)
_WATCH_FLAG = (b"\x00", b"\x01")
_NONODE = int(ErrorCode.NO_NODE)


class Request:
    """Base of every request: the encoding/decoding hooks the session uses."""

    __slots__ = ()

    #: The opcode for requests whose opcode does not depend on their fields.
    OPCODE: ClassVar[int] = -1
    #: True for the requests that may set a watch (checked before register_watch).
    WATCHES: ClassVar[bool] = False

    @property
    def opcode(self) -> int:
        """The ``type`` of the request header."""
        return self.OPCODE

    def validate(self) -> None:
        """Raise ``InvalidArgumentError``/``InvalidTypeError`` for field values the server rejects."""

    def write_body(self, out: bytearray, chroot: str) -> None:
        """Append the request body (server paths) to ``out``."""

    def to_frame(self, xid: int, chroot: str) -> bytes:
        """The complete frame: ``int length, int xid, int type`` then the body."""
        out = bytearray(12)
        self.write_body(out, chroot)
        FRAME_REQUEST_HEADER.pack_into(out, 0, len(out) - 4, xid, self.opcode)
        return bytes(out)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        """Decode the body of a successful reply (``buf`` holds exactly the frame)."""
        return None

    def register_watch(self, err: int, registry: WatchRegistry) -> None:
        """Register the watch this reply (``err``) says the server set, if any."""


def _write_path_watch(out: bytearray, chroot: str, path: str, watch: bool) -> None:
    write_ustring(out, add_chroot(chroot, path))
    out.append(1 if watch else 0)


def _path_watch_frame(opcode: int, xid: int, chroot: str, path: str, watch: bool) -> bytes:
    raw = (add_chroot(chroot, path) if chroot else path).encode("utf-8")
    n = len(raw)
    return _PATH_WATCH_HEAD.pack(n + 13, xid, opcode, n) + raw + _WATCH_FLAG[watch]


@dataclass(slots=True)
class CreateRequest(Request):
    """create / create2 / createContainer / createTTL, chosen from ``flags``, ``ttl`` and
    ``include_stat``.  Result: the created path, or ``(path, ZnodeStat)`` with ``include_stat``."""

    path: str
    data: bytes = b""
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
        write_ustring(out, add_chroot(chroot, self.path))
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
        return _path_watch_frame(OpCode.EXISTS, xid, chroot, self.path, self.watcher is not None)

    def write_body(self, out: bytearray, chroot: str) -> None:
        _write_path_watch(out, chroot, self.path, self.watcher is not None)

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
    """getData (4): ``ustring path, boolean watch``.  Result: ``(bytes, ZnodeStat)``
    (null data reads as ``b""``); success with a watcher registers a data watch."""

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
        return _PATH_WATCH_HEAD.pack(n + 13, xid, 4, n) + raw + _WATCH_FLAG[self.watcher is not None]

    def write_body(self, out: bytearray, chroot: str) -> None:
        _write_path_watch(out, chroot, self.path, self.watcher is not None)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        (length,) = INT.unpack_from(buf, off)
        off += 4
        if length > 0:
            end = off + length
            if end + 68 > len(buf):
                raise MalformedFrameError(f"getData reply: data length {length} runs past the frame")
            data = bytes(buf[off:end])
            off = end
        elif length == 0 or length == -1:
            data = b""
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
    data: bytes = b""
    version: int = -1

    def validate(self) -> None:
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
        return _path_watch_frame(self.OPCODE, xid, chroot, self.path, self.watcher is not None)

    def write_body(self, out: bytearray, chroot: str) -> None:
        _write_path_watch(out, chroot, self.path, self.watcher is not None)

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


@dataclass(slots=True)
class ReconfigRequest(Request):
    """reconfig (16): ``ustring joiningServers, leavingServers, newMembers, long curConfigId``.
    Result: ``(config bytes, ZnodeStat)``."""

    OPCODE: ClassVar[int] = OpCode.RECONFIG
    joining: str | None = None
    leaving: str | None = None
    new_members: str | None = None
    config_id: int = -1

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, self.joining)
        write_ustring(out, self.leaving)
        write_ustring(out, self.new_members)
        out += LONG.pack(self.config_id)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        data, off = read_buffer(buf, off)
        stat, off = read_stat(buf, off)
        return (data or b""), stat


@dataclass(slots=True)
class CheckWatchesRequest(Request):
    """checkWatches (17): ``ustring path, int type`` (a WatcherType).  Result: None."""

    OPCODE: ClassVar[int] = OpCode.CHECK_WATCHES
    path: str
    watcher_type: int = WatcherType.ANY

    def validate(self) -> None:
        try:
            WatcherType(self.watcher_type)
        except ValueError:
            raise InvalidArgumentError(f"unknown watcher type {self.watcher_type!r}") from None

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))
        out += INT.pack(self.watcher_type)


@dataclass(slots=True)
class RemoveWatchesRequest(CheckWatchesRequest):
    """removeWatches (18): ``ustring path, int type``.  Result: None (the client removes
    the local registrations with :meth:`ZkProtocol.remove_watchers`)."""

    OPCODE: ClassVar[int] = OpCode.REMOVE_WATCHES


@dataclass(slots=True)
class AddWatchRequest(Request):
    """addWatch (106): ``ustring path, int mode``.  Success registers a persistent or
    persistent-recursive watch for ``watcher``.  Result: None."""

    OPCODE: ClassVar[int] = OpCode.ADD_WATCH
    WATCHES: ClassVar[bool] = True
    path: str
    mode: int = AddWatchMode.PERSISTENT
    watcher: object = None

    def validate(self) -> None:
        WatchKind.for_add_watch(self.mode)
        if self.watcher is None:
            raise InvalidArgumentError("addWatch needs a watcher")

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))
        out += INT.pack(self.mode)

    def register_watch(self, err: int, registry: WatchRegistry) -> None:
        if err == 0 and self.watcher is not None:
            registry.add(WatchKind.for_add_watch(self.mode), self.path, self.watcher)


@dataclass(slots=True)
class GetEphemeralsRequest(Request):
    """getEphemerals (103): ``ustring prefixPath``.  Result: ``list[str]`` of the session's
    ephemeral node paths under the prefix (chroot removed; nodes outside it dropped)."""

    OPCODE: ClassVar[int] = OpCode.GET_EPHEMERALS
    prefix_path: str = "/"

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.prefix_path))

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        paths = read_string_vector(buf, off)[0]
        if not chroot:
            return paths
        return [strip_chroot(chroot, p) for p in paths if is_in_chroot(chroot, p)]


@dataclass(slots=True)
class GetAllChildrenNumberRequest(Request):
    """getAllChildrenNumber (104): ``ustring path``.  Result: ``int`` (all descendants)."""

    OPCODE: ClassVar[int] = OpCode.GET_ALL_CHILDREN_NUMBER
    path: str

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_ustring(out, add_chroot(chroot, self.path))

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return INT.unpack_from(buf, off)[0]


@dataclass(slots=True)
class WhoAmIRequest(Request):
    """whoAmI (107): no body.  Result: ``list[ClientInfo]``."""

    OPCODE: ClassVar[int] = OpCode.WHO_AM_I

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        (count,) = INT.unpack_from(buf, off)
        off += 4
        if count < -1 or count * 8 > len(buf) - off:
            raise MalformedFrameError(f"whoAmI reply: bad vector count {count}")
        infos: list[ClientInfo] = []
        for _ in range(max(count, 0)):
            info, off = ClientInfo.read(buf, off)
            infos.append(info)
        return infos


@dataclass(slots=True)
class SASLRequest(Request):
    """sasl (102): ``buffer token``; reply ``buffer token``.  Result: ``bytes``.

    Replies are matched in FIFO order like any request, so run the SASL
    exchange before pipelining other requests.
    """

    OPCODE: ClassVar[int] = OpCode.SASL
    token: bytes = b""

    def validate(self) -> None:
        check_data(self.token, "token")

    def write_body(self, out: bytearray, chroot: str) -> None:
        write_buffer(out, self.token)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return read_buffer(buf, off)[0] or b""


@dataclass(slots=True)
class CloseRequest(Request):
    """closeSession (-11): no body.  Result: None; the server then closes the connection."""

    OPCODE: ClassVar[int] = OpCode.CLOSE_SESSION
