"""VersionedValue: a value with the znode version (and mzxid) it was read at (SharedValue/SharedCount)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["VersionedValue"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class VersionedValue(Generic[T]):
    """``value`` as of znode ``version`` (pass it back to ``try_set_*`` for an optimistic update).

    ``zxid`` is the node's mzxid at that read: it, not ``version`` (a 32-bit
    int that wraps, CURATOR-688), orders two reads. ``-1`` before the first
    read. Get these from ``get_versioned_value()`` rather than building them.
    """

    version: int
    value: T
    zxid: int = -1

    def get_version(self) -> int:
        """Curator's ``getVersion()`` (it wraps past ``2**31 - 1``: not monotonic)."""
        return self.version

    def get_value(self) -> T:
        """Curator's ``getValue()``."""
        return self.value

    def get_zxid(self) -> int:
        """Curator's ``getZxid()``: the node's mzxid at the read."""
        return self.zxid
