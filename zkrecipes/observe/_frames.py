"""``FrameSizes``: the sizes of the frames in a byte stream (to tell each reply's size).

The protocol core decodes frames without reporting their sizes; when someone
observes, the hub feeds the same bytes through this counter, which reads only
the 4-byte length prefixes. Frames and decoded events correspond one to one.
"""

from __future__ import annotations

__all__ = ["FrameSizes"]


class FrameSizes:
    """Length-prefix counter over a stream; :meth:`reset` on each new connection."""

    __slots__ = ("_head", "_left", "_size")

    def __init__(self) -> None:
        self._head = b""  # a partial length prefix
        self._left = 0  # bytes of the current frame body still to come (0: expecting a prefix)
        self._size = 0  # the current frame's size

    def reset(self) -> None:
        self._head = b""
        self._left = 0

    def feed(self, data: bytes | bytearray | memoryview) -> list[int]:
        """The sizes (prefix included) of the frames ``data`` completes, in order."""
        sizes: list[int] = []
        view = memoryview(data)
        pos, end = 0, len(view)
        while pos < end:
            if self._left:
                take = min(self._left, end - pos)
                self._left -= take
                pos += take
                if not self._left:
                    sizes.append(self._size)
                continue
            need = 4 - len(self._head)
            self._head += bytes(view[pos:pos + need])
            pos += min(need, end - pos)
            if len(self._head) < 4:
                break
            body = int.from_bytes(self._head, "big", signed=True)
            self._head = b""
            self._size = body + 4
            if body <= 0:
                sizes.append(self._size)
            else:
                self._left = body
        return sizes

