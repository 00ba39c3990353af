"""``FrameSizes``: the sizes of the frames in a byte stream (to tell each reply's size).

The protocol core decodes frames without reporting their sizes; when someone
observes, the hub feeds the same bytes through this counter, which reads only
the 4-byte length prefixes (``struct.unpack_from``: no copies on the common
path). Frames and decoded events correspond one to one.
"""

from __future__ import annotations

import struct
from typing import Final

__all__ = ["FrameSizes"]

_INT: Final = struct.Struct(">i")


class FrameSizes:
    """Length-prefix counter over a stream; :meth:`reset` on each new connection."""

    __slots__ = ("_head", "_left", "_size")

    def __init__(self) -> None:
        self._head = b""  # a partial length prefix
        self._left = 0  # bytes of the current frame still to come (0: expecting a prefix)
        self._size = 0  # the current frame's size, prefix included

    def reset(self) -> None:
        self._head = b""
        self._left = 0

    def feed(self, data: bytes | bytearray | memoryview) -> list[int]:
        """The sizes (prefix included) of the frames ``data`` completes, in order."""
        sizes: list[int] = []
        end = len(data)
        pos = 0
        if self._head:  # complete a split length prefix
            need = 4 - len(self._head)
            self._head += bytes(data[:need])
            if len(self._head) < 4:
                return sizes
            pos = need
            (body,) = _INT.unpack(self._head)
            self._head = b""
            self._size = 4 + max(body, 0)
            self._left = max(body, 0)
            if not self._left:
                sizes.append(self._size)
        if self._left:  # the rest of a frame begun earlier
            take = min(self._left, end - pos)
            self._left -= take
            pos += take
            if self._left:
                return sizes
            sizes.append(self._size)
        unpack = _INT.unpack_from
        while pos + 4 <= end:
            (body,) = unpack(data, pos)
            size = 4 + body if body > 0 else 4
            if pos + size > end:
                self._size = size
                self._left = pos + size - end
                return sizes
            sizes.append(size)
            pos += size
        if pos < end:
            self._head = bytes(data[pos:end])
        return sizes
