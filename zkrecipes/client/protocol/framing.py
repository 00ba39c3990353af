"""Length-prefixed framing: every packet is ``int length`` followed by ``length`` bytes.

:class:`FrameReader` accumulates received bytes and hands out every complete
frame as a zero-copy ``memoryview``.  A length prefix below 0 or above
``max_frame_size`` is refused as soon as its 4 bytes are seen, before the
frame's body is buffered; after that the stream is unusable (the caller must
drop the connection and :meth:`FrameReader.clear`).
"""

from __future__ import annotations

from zkrecipes.client.protocol.jute import INT, Buffer
from zkrecipes.exceptions import FrameTooLargeError, InvalidArgumentError, InvalidTypeError

#: ZooKeeper's ``jute.maxbuffer`` default (0xfffff) plus room for headers, stat
#: and long child lists.
DEFAULT_MAX_FRAME_SIZE = 1024 * 1024 + 64 * 1024

#: The smallest maximum accepted: a ConnectResponse or reply must always fit.
MIN_MAX_FRAME_SIZE = 1024


def check_max_frame_size(value: object) -> int:
    """Return ``value`` if it is a usable maximum frame size, else raise."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidTypeError(f"max_frame_size must be an int, not {type(value).__name__}")
    if not MIN_MAX_FRAME_SIZE <= value <= 2**31 - 1:
        raise InvalidArgumentError(f"max_frame_size must be in [{MIN_MAX_FRAME_SIZE}, 2**31-1], got {value}")
    return value


class FrameReader:
    """Splits a byte stream into frames.

    Guarantees: every complete frame is returned exactly once, in order;
    bytes are copied at most once into the internal buffer (only a trailing
    partial frame is kept); the buffer never holds more than one partial
    frame, so it stays below ``4 + max_frame_size`` bytes.
    """

    __slots__ = ("_buf", "_need", "max_frame_size")

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.max_frame_size = check_max_frame_size(max_frame_size)
        self._buf = bytearray()
        self._need = 4  # buffered bytes needed before a frame can complete

    @property
    def buffered(self) -> int:
        """Bytes held back (a partial frame)."""
        return len(self._buf)

    def clear(self) -> None:
        """Drop any partial frame (new connection, or after an error)."""
        self._buf = bytearray()
        self._need = 4

    def feed(self, data: Buffer) -> tuple[list[memoryview], FrameTooLargeError | None]:
        """Add ``data``; return the frames it completed and the framing error, if any.

        Each frame is a ``memoryview`` of the payload (length prefix
        excluded).  When a bad length prefix is found, the frames before it
        are still returned, together with the error; the buffer is cleared.
        """
        buf = self._buf
        if not buf and len(data) >= 4:
            # The common case, one whole frame and nothing held back: no buffer work.
            (length,) = INT.unpack_from(data, 0)
            if len(data) == length + 4 and 0 <= length <= self.max_frame_size:
                return [memoryview(data)[4:]], None
        if buf:
            buf += data
            if len(buf) < self._need:
                return [], None
            source: Buffer = buf
        else:
            source = data
        total = len(source)
        if total < 4:
            if source is not buf:
                self._buf = bytearray(source)
            return [], None
        view = memoryview(source)
        max_size = self.max_frame_size
        unpack_from = INT.unpack_from
        frames: list[memoryview] = []
        error: FrameTooLargeError | None = None
        off = 0
        need = 4
        while total - off >= 4:
            (length,) = unpack_from(view, off)
            if length < 0 or length > max_size:
                error = FrameTooLargeError(
                    f"frame length {length} at stream offset {off} outside [0, {max_size}]")
                break
            end = off + 4 + length
            if end > total:
                need = 4 + length
                break
            frames.append(view[off + 4:end])
            off = end
        if error is not None:
            self.clear()
            return frames, error
        self._need = need
        if off == total:
            self._buf = bytearray()
        elif off or source is not buf:
            self._buf = bytearray(view[off:])
        # else: nothing consumed from the existing buffer, keep it (no copy)
        if not frames:
            view.release()
        return frames, None
