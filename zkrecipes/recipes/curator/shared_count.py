"""SharedCount: Curator's shared 32-bit counter, on Curator's znode layout.

Interoperable with Curator's ``SharedCount`` (and with zkrecipes'/kazoo's
``Counter(..., support_curator=True)``) on the same path: a
:class:`~.shared_value.SharedValue` whose bytes are a 4-byte big-endian signed
int. ``try_set_count(previous, new)`` is the optimistic update; loop on
``get_versioned_value()`` to add to it. Data shorter than 4 bytes cannot be
read (``ValueError``); longer data is read from its first 4 bytes, as Curator
does. Versions, a lost reply, SUSPENDED/LOST and ``close()`` as SharedValue's
(ordered by mzxid, read back after a lost reply). Listeners may also define
``state_changed(client, state)`` (Curator's ``SharedCountListener`` is a
``ConnectionStateListener``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from zkrecipes.recipes.curator._encoding import decode_int, encode_int
from zkrecipes.recipes.curator.shared_value import SharedValue
from zkrecipes.recipes.curator.versioned_value import VersionedValue

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.states import ZkState

__all__ = ["SharedCount", "SharedCountListener"]

log = logging.getLogger(__name__)


class SharedCountListener(Protocol):
    """Told of each new count (and, if it defines ``state_changed(client, state)``, of connection changes)."""

    def count_has_changed(self, shared_count: SharedCount, new_count: int) -> None:
        """``new_count`` is the count now."""


class _Relay:
    """Turns a SharedValue listener call into a SharedCount one."""

    def __init__(self, count: SharedCount, listener: SharedCountListener) -> None:
        self.count = count
        self.listener = listener

    def value_has_changed(self, shared_value: SharedValue, new_value: bytes) -> None:
        try:
            decoded = decode_int(new_value)
        except ValueError:
            log.warning("SharedCount %s holds %r, not a 4-byte count", shared_value.path, new_value)
            return
        self.listener.count_has_changed(self.count, decoded)

    def state_changed(self, client: object, state: ZkState) -> None:
        state_changed = getattr(self.listener, "state_changed", None)
        if state_changed is not None:
            state_changed(client, state)


class SharedCount:
    """A 32-bit counter shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, seed_value: int) -> None:
        self._value = SharedValue(client, path, encode_int(seed_value))
        self.path = self._value.path
        self._relays: list[_Relay] = []

    def __repr__(self) -> str:
        return f"SharedCount({self.path!r})"

    def start(self) -> None:
        """Create the node with the seed if absent, then read and watch it."""
        self._value.start()

    def close(self) -> None:
        """Stop following the count; drop the listeners."""
        self._value.close()
        self._relays.clear()

    def __enter__(self) -> SharedCount:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_count(self) -> int:
        """The count last seen."""
        return decode_int(self._value.get_value())

    def get_versioned_value(self) -> VersionedValue[int]:
        """The count last seen, with its version."""
        seen = self._value.get_versioned_value()
        return VersionedValue(seen.version, decode_int(seen.value), seen.zxid)

    def set_count(self, new_count: int) -> None:
        """Write ``new_count`` unconditionally."""
        self._value.set_value(encode_int(new_count))

    def try_set_count(self, previous: VersionedValue[int], new_count: int) -> bool:
        """Write ``new_count`` only if the count is still at ``previous``; True when written.

        Raises ValueError (the node's version wrapped to -1) and
        OutcomeUnknownError (a lost reply whose outcome cannot be proven), as
        :meth:`SharedValue.try_set_value`.
        """
        as_bytes = VersionedValue(previous.version, encode_int(previous.value), previous.zxid)
        return self._value.try_set_value(as_bytes, encode_int(new_count))

    def add_listener(self, listener: SharedCountListener) -> None:
        """Tell ``listener`` of every new count."""
        relay = _Relay(self, listener)
        self._relays.append(relay)
        self._value.add_listener(relay)

    def remove_listener(self, listener: SharedCountListener) -> None:
        """Stop telling ``listener``."""
        for relay in [r for r in self._relays if r.listener is listener]:
            self._relays.remove(relay)
            self._value.remove_listener(relay)
