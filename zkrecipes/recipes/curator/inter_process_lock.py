"""InterProcessLock: the shape every lock here has (Curator's ``InterProcessLock`` interface)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["InterProcessLock"]


class InterProcessLock(Protocol):
    """``acquire(timeout) -> bool``, ``release()``, ``is_acquired_in_this_process()``."""

    def acquire(self, timeout: float | None = None) -> bool:
        """Acquire within ``timeout`` seconds (None: until acquired); True when held."""
        ...

    def release(self) -> None:
        """Release a hold."""
        ...

    def is_acquired_in_this_process(self) -> bool:
        """True while held by this process."""
        ...
