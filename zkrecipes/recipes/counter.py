"""A shared counter (kazoo's ``Counter`` API), optionally in Curator's SharedCount encoding.

Failure semantics (Curator style): the counter holds no session state, so
**SUSPENDED** only delays a change (connection losses are retried by the
client's retry policy) and **LOST** changes nothing stored. Each change is a
compare-and-set on the node's version; when a set's reply is lost with the
connection, the node is re-read: still at the old version, or one version later
with another value (someone else's set won), means not applied (retried).
Anything else — in particular one version later *with our value*, which another
client's identical change would also leave — cannot tell whether ours landed:
:class:`~zkrecipes.exceptions.OutcomeUnknownError` is raised instead of
guessing (a guess either loses or double-counts a change).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from zkrecipes.exceptions import (
    BadVersionError,
    ConnectionClosedError,
    ForceRetryError,
    InvalidArgumentError,
    InvalidTypeError,
    MalformedNodeDataError,
    OutcomeUnknownError,
)
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._retrying import RETRYABLE

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

_CURATOR = struct.Struct(">i")

Number = int | float


def encode_count(value: Number, curator: bool) -> bytes:
    """The node data for ``value``.

    kazoo's format is ``repr(value)`` in ASCII; with ``curator`` it is Curator's
    SharedCount, a 4-byte big-endian signed int (:class:`InvalidArgumentError`
    if the value does not fit in 32 bits).
    """
    if curator:
        if not -(2**31) <= int(value) < 2**31:
            raise InvalidArgumentError(f"{value} does not fit Curator's 32-bit SharedCount")
        return _CURATOR.pack(int(value))
    return repr(value).encode("ascii")


def decode_count(data: bytes, default: Number, curator: bool, where: str = "counter") -> Number:
    """The value stored as ``data`` (``default`` for empty data).

    Without ``curator`` the ASCII text is parsed as the type of ``default``.
    Raises :class:`MalformedNodeDataError` (naming ``where``) for data in neither format.
    """
    if data == b"":
        return default
    try:
        if curator:
            (number,) = _CURATOR.unpack(data)
            return int(number)
        return type(default)(data.decode("ascii"))
    except (struct.error, UnicodeDecodeError, ValueError) as error:
        raise MalformedNodeDataError(f"{where} holds {data[:32]!r}") from error


def set_was_not_applied(found: bytes, found_version: int, sent: bytes, from_version: int) -> bool:
    """After a lost reply: did our conditional set (of ``sent``, at ``from_version``) certainly not land?

    Yes when the node is still at ``from_version``, or one version later with
    other data (another set at ``from_version`` won, so ours failed). One
    version later with our data is *not* proof that ours landed: another
    client's identical change leaves the same state.
    """
    return found_version == from_version or (found_version == from_version + 1 and found != sent)


class Counter:
    """A counter of int or float values stored in one znode.

    ``counter += n`` / ``counter -= n`` apply atomically and set ``pre_value``
    and ``post_value``; ``value`` reads the current value. The default stored
    format is ``repr(value)`` in ASCII (kazoo's); ``support_curator=True``
    stores a 4-byte big-endian signed int (Curator's SharedCount) and allows
    ints only.
    """

    def __init__(
        self, client: RecipeClient, path: str, default: Number = 0, support_curator: bool = False
    ) -> None:
        self.client = client
        self.path = check_path(path)
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            raise InvalidTypeError(f"default must be an int or float, not {type(default).__name__}")
        if support_curator and not isinstance(default, int):
            raise InvalidTypeError("with support_curator the default must be an int")
        self.default = default
        self.default_type: type[int] | type[float] = type(default)
        self.support_curator = support_curator
        self.pre_value: Number | None = None
        self.post_value: Number | None = None
        self._ensured = False

    def __repr__(self) -> str:
        return f"Counter({self.path!r}, default={self.default!r})"

    def _ensure_node(self) -> None:
        if not self._ensured:
            self.client.retry(self.client.ensure_path, self.path)
            self._ensured = True

    def _decode(self, data: bytes) -> Number:
        return decode_count(data, self.default, self.support_curator, f"counter {self.path}")

    def _encode(self, value: Number) -> bytes:
        return encode_count(value, self.support_curator)

    def _read(self) -> tuple[Number, int]:
        self._ensure_node()
        data, stat = self.client.retry(self.client.get, self.path)
        return self._decode(data or b""), stat.version

    @property
    def value(self) -> Number:
        """The current value (the default while the node holds no data)."""
        return self._read()[0]

    def _change(self, delta: Number) -> Counter:
        if isinstance(delta, bool) or not isinstance(delta, self.default_type):
            raise InvalidTypeError(f"change must be {self.default_type.__name__}, not {type(delta).__name__}")
        self._ensure_node()
        self.client.retry(self._inner_change, delta)
        return self

    def _inner_change(self, delta: Number) -> None:
        data, stat = self.client.get(self.path)
        pre = self._decode(data or b"")
        post = pre + delta
        encoded = self._encode(post)
        try:
            self.client.set(self.path, encoded, version=stat.version)
        except BadVersionError:
            self.post_value = None
            raise ForceRetryError() from None
        except RETRYABLE as error:  # the reply is lost: the set may have landed
            self._after_lost_reply(stat.version, encoded, error)
            self.post_value = None
            raise ForceRetryError() from None  # certainly not applied: try again
        self.pre_value, self.post_value = pre, post

    def _after_lost_reply(self, version: int, encoded: bytes, error: Exception) -> None:
        """Return only if our set (from ``version``) certainly did not land; else OutcomeUnknownError."""

        def unknown(why: str) -> OutcomeUnknownError:
            return OutcomeUnknownError(
                f"counter {self.path}: reply to the change lost ({type(error).__name__}) and {why}; "
                "it may or may not have been applied", path=self.path, operation="counter change")

        if isinstance(error, ConnectionClosedError):
            raise unknown("the client is closed") from error
        try:
            data, stat = self.client.retry(self.client.get, self.path)
        except Exception as read_error:
            raise unknown(f"reading it back failed ({read_error!r})") from error
        if not set_was_not_applied(data or b"", stat.version, encoded, version):
            raise unknown(f"it is now at version {stat.version} (was {version})") from error

    def __add__(self, value: Number) -> Counter:
        """Add ``value`` atomically."""
        return self._change(value)

    def __sub__(self, value: Number) -> Counter:
        """Subtract ``value`` atomically."""
        return self._change(-value)
