"""Jute primitives: the binary encoding every ZooKeeper record is made of.

Big-endian ``int`` (4 bytes), ``long`` (8), ``boolean`` (1), ``buffer`` and
``ustring`` (an ``int`` length, -1 meaning null, then the bytes / UTF-8 text),
``vector<T>`` (an ``int`` count, -1 meaning null, then the items).

Writers append to a ``bytearray``.  Readers take a buffer that holds exactly
one frame (a ``memoryview`` slice) and an offset, and return ``(value,
new_offset)``.  A fixed-size read past the end raises :class:`struct.error`;
a variable-length read past the end, or a length below -1, raises
:class:`~zkrecipes.exceptions.MalformedFrameError`.  The session turns every
decoding failure into ``MalformedFrameError``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TypeAlias

from zkrecipes.exceptions import MalformedFrameError
from zkrecipes.security import ACL, Id
from zkrecipes.states import ZnodeStat

Buffer: TypeAlias = bytes | bytearray | memoryview

INT = struct.Struct(">i")
LONG = struct.Struct(">q")
BOOL = struct.Struct(">?")
INT_INT = struct.Struct(">ii")
#: Stat: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
#: dataLength, numChildren, pzxid (68 bytes).
STAT = struct.Struct(">qqqqiiiqiiq")
#: ReplyHeader: xid, zxid, err (16 bytes).
REPLY_HEADER = struct.Struct(">iqi")
#: Frame length + RequestHeader (xid, type).
FRAME_REQUEST_HEADER = struct.Struct(">iii")
#: MultiHeader: type, done, err (9 bytes).
MULTI_HEADER = struct.Struct(">i?i")

NULL_LENGTH = INT.pack(-1)

_new_stat = tuple.__new__


def stat_from_tuple(values: tuple[int, ...]) -> ZnodeStat:
    """Build a :class:`ZnodeStat` from the 11 unpacked Stat fields (no per-field work)."""
    return _new_stat(ZnodeStat, values)


# ---------------------------------------------------------------- writers


def write_int(out: bytearray, value: int) -> None:
    out += INT.pack(value)


def write_long(out: bytearray, value: int) -> None:
    out += LONG.pack(value)


def write_bool(out: bytearray, value: bool) -> None:
    out.append(1 if value else 0)


def write_buffer(out: bytearray, value: bytes | None) -> None:
    """Append a length-prefixed byte buffer (``None`` → length -1)."""
    if value is None:
        out += NULL_LENGTH
    else:
        out += INT.pack(len(value))
        out += value


def write_ustring(out: bytearray, value: str | None) -> None:
    """Append a length-prefixed UTF-8 string (``None`` → length -1)."""
    if value is None:
        out += NULL_LENGTH
    else:
        raw = value.encode("utf-8")
        out += INT.pack(len(raw))
        out += raw


def write_string_vector(out: bytearray, values: Sequence[str] | None) -> None:
    """Append a ``vector<ustring>`` (``None`` → count -1)."""
    if values is None:
        out += NULL_LENGTH
        return
    out += INT.pack(len(values))
    for value in values:
        write_ustring(out, value)


def write_acls(out: bytearray, acls: Sequence[ACL] | None) -> None:
    """Append a ``vector<ACL>``; each ACL is ``int perms, ustring scheme, ustring id``."""
    if acls is None:
        out += NULL_LENGTH
        return
    out += INT.pack(len(acls))
    for acl in acls:
        out += INT.pack(acl.perms)
        write_ustring(out, acl.id.scheme)
        write_ustring(out, acl.id.id)


def write_stat(out: bytearray, stat: ZnodeStat) -> None:
    out += STAT.pack(*stat)


# ---------------------------------------------------------------- readers


def read_int(buf: Buffer, off: int) -> tuple[int, int]:
    return INT.unpack_from(buf, off)[0], off + 4


def read_long(buf: Buffer, off: int) -> tuple[int, int]:
    return LONG.unpack_from(buf, off)[0], off + 8


def read_bool(buf: Buffer, off: int) -> tuple[bool, int]:
    return BOOL.unpack_from(buf, off)[0], off + 1


def _length(buf: Buffer, off: int) -> tuple[int, int]:
    (length,) = INT.unpack_from(buf, off)
    off += 4
    if length < -1:
        raise MalformedFrameError(f"negative length {length} at offset {off - 4}")
    if length > 0 and off + length > len(buf):
        raise MalformedFrameError(f"length {length} at offset {off - 4} runs past the end of the frame")
    return length, off


def read_buffer(buf: Buffer, off: int) -> tuple[bytes | None, int]:
    """Read a ``buffer``; ``None`` when its length is -1."""
    length, off = _length(buf, off)
    if length < 0:
        return None, off
    end = off + length
    return bytes(buf[off:end]), end


def read_ustring(buf: Buffer, off: int) -> tuple[str | None, int]:
    """Read a ``ustring``; ``None`` when its length is -1; invalid UTF-8 is malformed."""
    length, off = _length(buf, off)
    if length < 0:
        return None, off
    end = off + length
    try:
        return str(buf[off:end], "utf-8"), end
    except UnicodeDecodeError as exc:
        raise MalformedFrameError(f"invalid UTF-8 in string at offset {off}") from exc


def read_string(buf: Buffer, off: int) -> tuple[str, int]:
    """Read a ``ustring`` where the protocol never sends null (null → ``""``)."""
    value, off = read_ustring(buf, off)
    return ("" if value is None else value), off


def read_string_vector(buf: Buffer, off: int) -> tuple[list[str], int]:
    """Read a ``vector<ustring>``; a null vector reads as ``[]``, a null item as ``""``.

    Child lists can hold tens of thousands of names, so two fast paths run
    first: a vector whose names all have the same byte length (sequential
    nodes, lock contenders, ``c00000``..) is split without a Python loop, and
    any other vector is sliced from one decoded copy.  Both fall back to the
    strict item-by-item reader on anything unusual (null or NUL-holding
    items, bad lengths, invalid UTF-8), which raises the precise error.
    """
    count, off = _count(buf, off, 4)
    if count == 0:
        return [], off
    fast = _read_uniform_strings(buf, off, count)
    if fast is None:
        fast = _read_strings_sliced(buf, off, count)
    if fast is not None:
        return fast
    return _read_strings_strict(buf, off, count)


def _read_strings_strict(buf: Buffer, off: int, count: int) -> tuple[list[str], int]:
    items: list[str] = []
    append = items.append
    for _ in range(count):
        value, off = read_ustring(buf, off)
        append("" if value is None else value)
    return items, off


def _read_uniform_strings(buf: Buffer, off: int, count: int) -> tuple[list[str], int] | None:
    """``count`` strings of one byte length, or None if they are not exactly that.

    Every item's 4-byte length prefix is checked against the first one with
    strided slices; then the prefixes are cut out with strided deletes, each
    replaced by one NUL (never inside a valid name, and checked), and the
    whole run is decoded once and split on NUL.
    """
    (length,) = INT.unpack_from(buf, off)
    if length < 0:
        return None
    stride = length + 4
    end = off + count * stride
    if end > len(buf):
        return None
    region = bytes(buf[off:end])
    prefix = INT.pack(length)
    for k in range(4):
        if region[k::stride] != prefix[k:k + 1] * count:
            return None
    if length == 0:
        return [""] * count, end
    names = bytearray(region)
    names[3::stride] = bytes(count)
    del names[::stride]
    del names[::stride - 1]
    del names[::stride - 2]
    if names.count(0) != count:
        return None
    try:
        text = names.decode("utf-8")
    except UnicodeDecodeError:
        return None
    items = text.split("\x00")
    del items[0]
    return items, end


def _read_strings_sliced(buf: Buffer, off: int, count: int) -> tuple[list[str], int] | None:
    """``count`` strings sliced from one Latin-1 decoding of the rest of the frame
    (then re-decoded as UTF-8 when not ASCII), or None on any anomaly."""
    raw = bytes(buf[off:])
    text = raw.decode("latin-1")
    limit = len(raw)
    unpack_from = INT.unpack_from
    items: list[str] = []
    append = items.append
    pos = 0
    try:
        for _ in range(count):
            (length,) = unpack_from(raw, pos)
            start = pos + 4
            pos = start + length
            if length < 0 or pos > limit:
                return None
            append(text[start:pos])
    except struct.error:
        return None
    if not "".join(items).isascii():
        try:
            items = [item.encode("latin-1").decode("utf-8") for item in items]
        except UnicodeDecodeError:
            return None
    return items, off + pos


def read_stat(buf: Buffer, off: int) -> tuple[ZnodeStat, int]:
    return _new_stat(ZnodeStat, STAT.unpack_from(buf, off)), off + 68


def read_acls(buf: Buffer, off: int) -> tuple[list[ACL], int]:
    """Read a ``vector<ACL>`` (null → ``[]``)."""
    count, off = _count(buf, off, 12)
    acls: list[ACL] = []
    for _ in range(count):
        (perms,) = INT.unpack_from(buf, off)
        scheme, off = read_string(buf, off + 4)
        ident, off = read_string(buf, off)
        acls.append(ACL(perms, Id(scheme, ident)))
    return acls, off


def _count(buf: Buffer, off: int, min_item_size: int) -> tuple[int, int]:
    """Read a vector count; reject counts that cannot fit in the rest of the frame."""
    (count,) = INT.unpack_from(buf, off)
    off += 4
    if count < -1:
        raise MalformedFrameError(f"negative vector count {count} at offset {off - 4}")
    if count * min_item_size > len(buf) - off:
        raise MalformedFrameError(f"vector count {count} at offset {off - 4} exceeds the frame")
    return max(count, 0), off
