"""Curator's value encodings and default node data, as pure functions.

* SharedCount: a 4-byte big-endian signed int; shorter data cannot be read,
  longer data is read from its first 4 bytes (Curator's ``ByteBuffer.getInt``).
* DistributedAtomicLong: an 8-byte big-endian signed long; missing or empty
  data reads as 0, 1 to 7 bytes are corrupt, longer data is read from its first 8.
* default data: a node Curator creates without bytes carries the local host
  address as ASCII (``InetAddress.getLocalHost().getHostAddress()``);
  :func:`local_address` computes the same for this host (``127.0.0.1`` when the
  host name does not resolve).
"""

from __future__ import annotations

import functools
import socket
import struct

__all__ = ["decode_int", "decode_long", "encode_int", "encode_long", "local_address", "wrap_long"]

_INT = struct.Struct(">i")
_LONG = struct.Struct(">q")
_SPAN = 1 << 64
_HALF = 1 << 63


def wrap_long(value: int) -> int:
    """``value`` as Java's 64-bit two's-complement ``long`` (DistributedAtomicLong's arithmetic wraps)."""
    return (value + _HALF) % _SPAN - _HALF


def encode_int(value: int) -> bytes:
    """SharedCount's bytes for ``value`` (``ValueError`` outside the signed 32-bit range)."""
    try:
        return _INT.pack(value)
    except struct.error:
        raise ValueError(f"{value} does not fit Curator's 32-bit SharedCount") from None


def decode_int(data: bytes | None) -> int:
    """SharedCount's value of ``data`` (``ValueError`` for fewer than 4 bytes)."""
    raw = data or b""
    if len(raw) < _INT.size:
        raise ValueError(f"SharedCount data must have 4 bytes, got {len(raw)}: {raw!r}")
    return int(_INT.unpack_from(raw)[0])


def encode_long(value: int) -> bytes:
    """DistributedAtomicLong's bytes for ``value`` (``ValueError`` outside the signed 64-bit range)."""
    try:
        return _LONG.pack(value)
    except struct.error:
        raise ValueError(f"{value} does not fit Curator's 64-bit DistributedAtomicLong") from None


def decode_long(data: bytes | None) -> int:
    """DistributedAtomicLong's value of ``data``: 0 for none, ``ValueError`` for 1 to 7 bytes."""
    raw = data or b""
    if not raw:
        return 0
    if len(raw) < _LONG.size:
        raise ValueError(f"corrupted DistributedAtomicLong data ({len(raw)} bytes): {raw!r}")
    return int(_LONG.unpack_from(raw)[0])


@functools.lru_cache(maxsize=1)
def local_address() -> bytes:
    """This host's address as Curator's default node data (ASCII)."""
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = "127.0.0.1"
    return address.encode("ascii")
