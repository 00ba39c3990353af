"""A shared counter on asyncio (``zkrecipes.recipes.counter`` with ``await``).

The same node and encodings as the threaded :class:`~zkrecipes.recipes.counter.Counter`
(:func:`~zkrecipes.recipes.counter.encode_count` / ``decode_count``: kazoo's
``repr`` text, or Curator's 4-byte SharedCount with ``support_curator``), so
threaded, asyncio, kazoo and Curator clients count on one node. Each change is
a compare-and-set on the node's version; after a lost reply the node is read
back and the pure :func:`~zkrecipes.recipes.counter.set_was_not_applied`
decides: certainly not applied (tried again), or
:class:`~zkrecipes.exceptions.OutcomeUnknownError` — never a guess.

No session state: SUSPENDED only delays a change, LOST changes nothing stored.
**Cancellation**: a cancelled :meth:`Counter.add` stops between requests; like
any cancelled write, the set in flight may still be applied (the node always
holds a whole, valid value); ``pre_value``/``post_value`` are then None.
"""

from __future__ import annotations

from zkrecipes.aio.recipes._client import AsyncRecipeClient
from zkrecipes.exceptions import (
    BadVersionError,
    ConnectionClosedError,
    ForceRetryError,
    InvalidTypeError,
    OutcomeUnknownError,
)
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.counter import Number, decode_count, encode_count, set_was_not_applied

__all__ = ["Counter"]


class Counter:
    """An int or float counter in one znode: ``await counter.add(n)``, ``await counter.get()``.

    ``add``/``sub`` apply atomically and set ``pre_value`` and ``post_value``.
    """

    def __init__(self, client: AsyncRecipeClient, path: str, default: Number = 0,
                 support_curator: bool = False) -> None:
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

    async def _ensure_node(self) -> None:
        if not self._ensured:
            await self.client.retry(self.client.ensure_path, self.path)
            self._ensured = True

    def _decode(self, data: bytes | None) -> Number:
        return decode_count(data or b"", self.default, self.support_curator, f"counter {self.path}")

    async def get(self) -> Number:
        """The current value (the default while the node holds no data)."""
        await self._ensure_node()
        data, _stat = await self.client.retry(self.client.get, self.path)
        return self._decode(data)

    async def add(self, delta: Number) -> Counter:
        """Add ``delta`` atomically; return self (``pre_value``/``post_value`` set)."""
        if isinstance(delta, bool) or not isinstance(delta, self.default_type):
            raise InvalidTypeError(f"change must be {self.default_type.__name__}, not {type(delta).__name__}")
        await self._ensure_node()
        self.pre_value = self.post_value = None
        await self.client.retry(self._inner_change, delta)
        return self

    async def sub(self, delta: Number) -> Counter:
        """Subtract ``delta`` atomically; return self."""
        if isinstance(delta, bool) or not isinstance(delta, (int, float)):
            raise InvalidTypeError(f"change must be {self.default_type.__name__}, not {type(delta).__name__}")
        return await self.add(-delta)

    async def _inner_change(self, delta: Number) -> None:
        data, stat = await self.client.get(self.path)
        pre = self._decode(data)
        post = pre + delta
        encoded = encode_count(post, self.support_curator)
        try:
            await self.client.set(self.path, encoded, version=stat.version)
        except BadVersionError:
            raise ForceRetryError() from None
        except RETRYABLE as error:  # the reply is lost: the set may have landed
            await self._after_lost_reply(stat.version, encoded, error)
            raise ForceRetryError() from None  # certainly not applied: try again
        self.pre_value, self.post_value = pre, post

    async def _after_lost_reply(self, version: int, encoded: bytes, error: Exception) -> None:
        """Return only if our set (from ``version``) certainly did not land; else OutcomeUnknownError."""

        def unknown(why: str) -> OutcomeUnknownError:
            return OutcomeUnknownError(
                f"counter {self.path}: reply to the change lost ({type(error).__name__}) and {why}; "
                "it may or may not have been applied", path=self.path, operation="counter change")

        if isinstance(error, ConnectionClosedError):
            raise unknown("the client is closed") from error
        try:
            data, stat = await self.client.retry(self.client.get, self.path)
        except Exception as read_error:
            raise unknown(f"reading it back failed ({read_error!r})") from error
        if not set_was_not_applied(data or b"", stat.version, encoded, version):
            raise unknown(f"it is now at version {stat.version} (was {version})") from error
