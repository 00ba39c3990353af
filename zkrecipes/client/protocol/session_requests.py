"""Requests beyond node CRUD: watch management, ensemble, session and 3.6+ operations.

reconfig, checkWatches/removeWatches, addWatch, getEphemerals,
getAllChildrenNumber, whoAmI, sasl and closeSession; same life cycle as
:mod:`.requests` (whose names are re-exported there too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from zkrecipes.client.protocol.checks import check_data
from zkrecipes.client.protocol.jute import (
    INT,
    LONG,
    Buffer,
    read_buffer,
    read_stat,
    read_string_vector,
    write_buffer,
    write_ustring,
)
from zkrecipes.client.protocol.opcodes import AddWatchMode, OpCode, WatcherType
from zkrecipes.client.protocol.paths import add_chroot, is_in_chroot, strip_chroot
from zkrecipes.client.protocol.records import ClientInfo
from zkrecipes.client.protocol.request_base import Request
from zkrecipes.client.protocol.watches import WatchKind, WatchRegistry
from zkrecipes.exceptions import InvalidArgumentError, MalformedFrameError


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
    token: bytes = field(default=b"", repr=False)  # derived from the password: never in a repr

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
