"""SharedCount on asyncio: Curator's 32-bit counter (``recipes.curator.SharedCount`` with ``await``).

The same node and encoding as the sync recipe (a 4-byte big-endian signed
int, :mod:`zkrecipes.recipes.curator._encoding`): an asyncio
:class:`~zkrecipes.aio.recipes.curator.shared_value.SharedValue` underneath,
so versions, a lost reply, cancellation, SUSPENDED/LOST and ``close()`` are
its. ``await try_set_count(previous, new)`` is the optimistic update: loop on
``get_versioned_value()`` to add to it. Listeners: objects with
``count_has_changed(shared_count, new_count)`` (and optionally
``state_changed(client, state)``) or a bare callable ``(shared_count,
new_count)``, plain or coroutine functions, run in order.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator.shared_value import SharedValue
from zkrecipes.recipes.curator._encoding import decode_int, encode_int
from zkrecipes.recipes.curator.versioned_value import VersionedValue

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import ZkState

__all__ = ["SharedCount"]

log = logging.getLogger(__name__)


class _Relay:
    """Turns a SharedValue listener call into a SharedCount one (its awaitable, if any, is awaited)."""

    def __init__(self, count: SharedCount, listener: Any) -> None:
        self.count = count
        self.listener = listener

    def value_has_changed(self, shared_value: SharedValue, new_value: bytes) -> Any:
        try:
            decoded = decode_int(new_value)
        except ValueError:
            log.warning("SharedCount %s holds %r, not a 4-byte count", shared_value.path, new_value)
            return None
        told = getattr(self.listener, "count_has_changed", None)
        return (told if told is not None else self.listener)(self.count, decoded)

    def state_changed(self, client: object, state: ZkState) -> Any:
        state_changed = getattr(self.listener, "state_changed", None)
        return None if state_changed is None else state_changed(client, state)


class SharedCount:
    """A 32-bit counter shared with sync zkrecipes and Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, seed_value: int) -> None:
        self._value = SharedValue(client, path, encode_int(seed_value))
        self.path = self._value.path
        self._relays: list[_Relay] = []

    def __repr__(self) -> str:
        return f"SharedCount({self.path!r})"

    async def start(self) -> None:
        """Create the node with the seed if absent, then read and watch it."""
        await self._value.start()

    async def close(self) -> None:
        """Stop following the count; drop the listeners."""
        await self._value.close()
        self._relays.clear()

    async def __aenter__(self) -> SharedCount:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def get_count(self) -> int:
        """The count last seen."""
        return decode_int(self._value.get_value())

    def get_versioned_value(self) -> VersionedValue[int]:
        """The count last seen, with its version and mzxid."""
        seen = self._value.get_versioned_value()
        return VersionedValue(seen.version, decode_int(seen.value), seen.zxid)

    async def set_count(self, new_count: int) -> None:
        """Write ``new_count`` unconditionally."""
        await self._value.set_value(encode_int(new_count))

    async def try_set_count(self, previous: VersionedValue[int], new_count: int) -> bool:
        """Write ``new_count`` only if the count is still at ``previous``; True when written.

        Raises as :meth:`SharedValue.try_set_value` (ValueError, OutcomeUnknownError;
        a cancellation proven not applied raises CancelledError).
        """
        as_bytes = VersionedValue(previous.version, encode_int(previous.value), previous.zxid)
        return await self._value.try_set_value(as_bytes, encode_int(new_count))

    def add_listener(self, listener: Any) -> None:
        """Tell ``listener`` of every new count."""
        relay = _Relay(self, listener)
        self._relays.append(relay)
        self._value.add_listener(relay)

    def remove_listener(self, listener: Any) -> None:
        """Stop telling ``listener``."""
        for relay in [r for r in self._relays if r.listener is listener]:
            self._relays.remove(relay)
            self._value.remove_listener(relay)
