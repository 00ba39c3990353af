"""The base of every request class, and the path+watch encoders several of them share.

The session calls, in order, :meth:`Request.validate`, :meth:`Request.to_frame`,
:meth:`Request.read_result` and :meth:`Request.register_watch`; see :mod:`.requests`.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from zkrecipes.client.protocol.jute import FRAME_REQUEST_HEADER, Buffer, write_ustring
from zkrecipes.client.protocol.opcodes import op_name
from zkrecipes.client.protocol.paths import add_chroot
from zkrecipes.client.protocol.watches import WatchRegistry

PATH_WATCH_HEAD = struct.Struct(">iiii")  # frame length, xid, type, path length (path-first bodies)
WATCH_FLAG = (b"\x00", b"\x01")


class Request:
    """Base of every request: the encoding/decoding hooks the session uses."""

    __slots__ = ()

    #: The opcode for requests whose opcode does not depend on their fields.
    OPCODE: ClassVar[int] = -1
    #: True for the requests that may set a watch: they have a ``watcher`` attribute, and
    #: register_watch is called only when it is not None (a watch needs its watcher).
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


def request_names(request: object) -> tuple[str | None, str | None]:
    """``(operation, path)`` naming ``request`` in an error: ZooKeeper's name of its
    opcode and its client path (None for requests without one: multi, whoami, close).
    Only for the error path (it looks attributes up by name)."""
    opcode = getattr(request, "opcode", None)
    operation = op_name(opcode) if isinstance(opcode, int) else None
    path = getattr(request, "path", None)
    if path is None:
        path = getattr(request, "prefix_path", None)
    return operation, path if isinstance(path, str) else None


def write_path_watch(out: bytearray, chroot: str, path: str, watch: bool) -> None:
    write_ustring(out, add_chroot(chroot, path))
    out.append(1 if watch else 0)


def path_watch_frame(opcode: int, xid: int, chroot: str, path: str, watch: bool) -> bytes:
    raw = (add_chroot(chroot, path) if chroot else path).encode("utf-8")
    n = len(raw)
    return PATH_WATCH_HEAD.pack(n + 13, xid, opcode, n) + raw + WATCH_FLAG[watch]
