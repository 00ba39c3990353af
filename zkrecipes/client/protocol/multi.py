"""multi (14) and multiRead (22): several operations in one request.

Request body: for each operation a ``MultiHeader(type, done=False, err=-1)``
followed by the operation's own body, then ``MultiHeader(-1, True, -1)``.
Reply body: for each operation a ``MultiHeader(type, False, err)`` and the
operation's reply body (type -1: an ``ErrorResponse``, ``int err``), then a
header with ``done`` set.

Results are a list with one entry per operation: the value the operation
would return alone, or a :class:`~zkrecipes.exceptions.ZookeeperError`
instance.  In a failed (atomic) multi every entry is an error: the ones
before the failing op are ``RolledBackError`` (code 0), the failing one has
its code, the ones after are ``RuntimeInconsistency`` (code -2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from zkrecipes.client.protocol.errors import request_error
from zkrecipes.client.protocol.jute import (
    INT,
    MULTI_HEADER,
    STAT,
    Buffer,
    read_string_vector,
    stat_from_tuple,
)
from zkrecipes.client.protocol.opcodes import OpCode
from zkrecipes.client.protocol.request_base import request_names
from zkrecipes.client.protocol.requests import (
    CheckVersionRequest,
    CreateRequest,
    DeleteRequest,
    GetChildrenRequest,
    GetDataRequest,
    Request,
    SetDataRequest,
)
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError, MalformedFrameError

_END = MULTI_HEADER.pack(-1, True, -1)
_CREATE_TYPES = frozenset({OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL})

#: Reply header types each operation class may be answered with (besides -1, error).
_REPLY_TYPES: dict[type[Request], frozenset[int]] = {
    CreateRequest: _CREATE_TYPES,
    DeleteRequest: frozenset({OpCode.DELETE}),
    SetDataRequest: frozenset({OpCode.SET_DATA}),
    CheckVersionRequest: frozenset({OpCode.CHECK}),
    GetDataRequest: frozenset({OpCode.GET_DATA}),
    GetChildrenRequest: frozenset({OpCode.GET_CHILDREN}),
}


def _write_ops(out: bytearray, ops: Sequence[Request], chroot: str) -> None:
    for op in ops:
        out += MULTI_HEADER.pack(op.opcode, False, -1)
        op.write_body(out, chroot)
    out += _END


def _read_results(ops: Sequence[Request], buf: Buffer, off: int, chroot: str) -> list[Any]:
    results: list[Any] = []
    while True:
        reply_type, done, _err = MULTI_HEADER.unpack_from(buf, off)
        off += 9
        if done:
            break
        index = len(results)
        if index >= len(ops):
            raise MalformedFrameError(f"multi reply has more results than the {len(ops)} operations sent")
        op = ops[index]
        if reply_type == OpCode.ERROR:
            (code,) = INT.unpack_from(buf, off)
            off += 4
            results.append(request_error(code, *request_names(op)))  # names the operation
            continue
        if reply_type not in _REPLY_TYPES[type(op)]:
            raise MalformedFrameError(
                f"multi reply type {reply_type} for operation {index} ({type(op).__name__})")
        value: Any = None
        if reply_type in _CREATE_TYPES:
            assert isinstance(op, CreateRequest)
            value, off = op.read_create_result(reply_type, buf, off, chroot)
        elif reply_type == OpCode.SET_DATA:
            value = stat_from_tuple(STAT.unpack_from(buf, off))
            off += 68
        elif reply_type == OpCode.GET_DATA:
            value = op.read_result(buf, off, chroot)
            off += 4 + max(INT.unpack_from(buf, off)[0], 0) + 68
        elif reply_type == OpCode.GET_CHILDREN:
            value, off = read_string_vector(buf, off)
        results.append(value)
    if len(results) != len(ops):
        raise MalformedFrameError(f"multi reply has {len(results)} results for {len(ops)} operations")
    return results


@dataclass(slots=True)
class MultiRequest(Request):
    """multi (14): an atomic transaction of Create/Delete/SetData/CheckVersion requests."""

    OPCODE: ClassVar[int] = OpCode.MULTI
    ALLOWED: ClassVar[tuple[type[Request], ...]] = (
        CreateRequest, DeleteRequest, SetDataRequest, CheckVersionRequest)
    ops: Sequence[Request] = field(default_factory=list)

    def validate(self) -> None:
        if not isinstance(self.ops, (list, tuple)):
            raise InvalidTypeError(f"ops must be a list of requests, not {type(self.ops).__name__}")
        for index, op in enumerate(self.ops):
            if type(op) not in self.ALLOWED:
                names = ", ".join(cls.__name__ for cls in self.ALLOWED)
                raise InvalidArgumentError(
                    f"operation {index} of a {type(self).__name__} is {type(op).__name__}; allowed: {names}")
            op.validate()

    def write_body(self, out: bytearray, chroot: str) -> None:
        _write_ops(out, self.ops, chroot)

    def read_result(self, buf: Buffer, off: int, chroot: str) -> Any:
        return _read_results(self.ops, buf, off, chroot)


@dataclass(slots=True)
class MultiReadRequest(MultiRequest):
    """multiRead (22): GetData/GetChildren requests (without watchers) read together;
    each result is independent (a value or an error instance)."""

    OPCODE: ClassVar[int] = OpCode.MULTI_READ
    ALLOWED: ClassVar[tuple[type[Request], ...]] = (GetDataRequest, GetChildrenRequest)

    def validate(self) -> None:
        MultiRequest.validate(self)
        for index, op in enumerate(self.ops):
            if getattr(op, "watcher", None) is not None:
                raise InvalidArgumentError(f"operation {index} of a multiRead cannot set a watch")
