"""A shared counter (kazoo's ``Counter`` API), optionally in Curator's SharedCount encoding.

Failure semantics (Curator style): the counter holds no session state, so
**SUSPENDED** only delays a change (connection losses are retried by the
client's retry policy) and **LOST** changes nothing stored. Each change is a
compare-and-set on the node's version; when a set's reply is lost with the
connection, the node is re-read: still at the old version means not applied
(retried), one version later with our value means applied (not repeated).
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
)
from zkrecipes.recipes.lock import check_path, is_retryable

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

_CURATOR = struct.Struct(">i")

Number = int | float


class Counter:
    """A counter of int or float values stored in one znode.

    ``counter += n`` / ``counter -= n`` apply atomically and set ``pre_value``
    and ``post_value``; ``value`` reads the current value. The default stored
    format is ``repr(value)`` in ASCII (kazoo's); ``support_curator=True``
    stores a 4-byte big-endian signed int (Curator's SharedCount) and allows
    ints only.
    """

    def __init__(
        self, client: ZkClient, path: str, default: Number = 0, support_curator: bool = False
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
        if data == b"":
            return self.default
        try:
            if self.support_curator:
                (number,) = _CURATOR.unpack(data)
                return int(number)
            return self.default_type(data.decode("ascii"))
        except (struct.error, UnicodeDecodeError, ValueError) as error:
            raise MalformedNodeDataError(f"counter {self.path} holds {data[:32]!r}") from error

    def _encode(self, value: Number) -> bytes:
        if self.support_curator:
            if not -(2**31) <= int(value) < 2**31:
                raise InvalidArgumentError(f"{value} does not fit Curator's 32-bit SharedCount")
            return _CURATOR.pack(int(value))
        return repr(value).encode("ascii")

    def _read(self) -> tuple[Number, int]:
        self._ensure_node()
        data, stat = self.client.retry(self.client.get, self.path)
        return self._decode(data), stat.version

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
        pre = self._decode(data)
        post = pre + delta
        encoded = self._encode(post)
        try:
            self.client.set(self.path, encoded, version=stat.version)
        except BadVersionError:
            self.post_value = None
            raise ForceRetryError() from None
        except ConnectionClosedError:
            raise
        except Exception as error:
            if not is_retryable(error) or not self._applied(stat.version, encoded):
                raise
        self.pre_value, self.post_value = pre, post

    def _applied(self, version: int, encoded: bytes) -> bool:
        """After a lost reply: did our set (from ``version``) land? Retried until known."""
        data, stat = self.client.retry(self.client.get, self.path)
        return bool(stat.version == version + 1 and data == encoded)

    def __add__(self, value: Number) -> Counter:
        """Add ``value`` atomically."""
        return self._change(value)

    def __sub__(self, value: Number) -> Counter:
        """Subtract ``value`` atomically."""
        return self._change(-value)
