"""DistributedQueue's item framing, as pure functions (Curator's ``ItemSerializer``).

A queue node holds one or more items::

    int32 BE 0x00010001 (version)  then per item: 0x01, int32 BE length, bytes  then 0x02

Curator's ``putMulti`` puts several items in one node.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

__all__ = ["VERSION", "decode_items", "encode_items"]

VERSION = 0x00010001
_ITEM = 0x01
_EOF = 0x02
_INT = struct.Struct(">i")


def encode_items(items: Iterable[bytes]) -> bytes:
    """The bytes of one queue node holding ``items``."""
    parts = [_INT.pack(VERSION)]
    for item in items:
        if not isinstance(item, bytes):
            raise TypeError("queue items must be bytes")
        parts.append(bytes([_ITEM]) + _INT.pack(len(item)) + item)
    parts.append(bytes([_EOF]))
    return b"".join(parts)


def decode_items(data: bytes | None) -> list[bytes]:
    """The items in a queue node's bytes (``ValueError`` when they are not Curator's framing)."""
    raw = data or b""
    if len(raw) < _INT.size or _INT.unpack_from(raw)[0] != VERSION:
        raise ValueError(f"not a Curator queue item (bad version): {raw[:16]!r}")
    items: list[bytes] = []
    offset = _INT.size
    while True:
        if offset >= len(raw):
            raise ValueError("truncated Curator queue item (no end marker)")
        marker = raw[offset]
        offset += 1
        if marker == _EOF:
            return items
        if marker != _ITEM or offset + _INT.size > len(raw):
            raise ValueError(f"bad Curator queue item marker {marker:#x}")
        (length,) = _INT.unpack_from(raw, offset)
        offset += _INT.size
        if length < 0 or offset + length > len(raw):
            raise ValueError("truncated Curator queue item")
        items.append(raw[offset:offset + length])
        offset += length
