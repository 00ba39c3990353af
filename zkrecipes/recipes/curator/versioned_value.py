"""VersionedValue: a value with the znode version it was read at (SharedValue/SharedCount)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["VersionedValue"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class VersionedValue(Generic[T]):
    """``value`` as of znode ``version`` (pass it back to ``try_set_*`` for an optimistic update)."""

    version: int
    value: T

    def get_version(self) -> int:
        """Curator's ``getVersion()``."""
        return self.version

    def get_value(self) -> T:
        """Curator's ``getValue()``."""
        return self.value
