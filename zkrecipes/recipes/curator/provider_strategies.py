"""How a ServiceProvider picks an instance: round-robin, random, sticky (curator-x-discovery's strategies).

Pure objects (no client): each takes the current instances and returns one,
or None when there are none. They are thread-safe.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from typing import Protocol

from zkrecipes.recipes.curator.service_instance import ServiceInstance

__all__ = ["ProviderStrategy", "RandomStrategy", "RoundRobinStrategy", "StickyStrategy"]


class ProviderStrategy(Protocol):
    """Curator's ``ProviderStrategy``."""

    def get_instance(self, instances: Sequence[ServiceInstance]) -> ServiceInstance | None:
        """One of ``instances`` (None if empty)."""
        ...


class RoundRobinStrategy:
    """Each call takes the next instance (instances in id order, as the provider lists them)."""

    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def get_instance(self, instances: Sequence[ServiceInstance]) -> ServiceInstance | None:
        if not instances:
            return None
        with self._lock:
            index, self._next = self._next, self._next + 1
        return instances[index % len(instances)]


class RandomStrategy:
    """A random instance each call."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()

    def get_instance(self, instances: Sequence[ServiceInstance]) -> ServiceInstance | None:
        return self._rng.choice(list(instances)) if instances else None


class StickyStrategy:
    """The same instance while it is registered; else a new one chosen by ``master``."""

    def __init__(self, master: ProviderStrategy) -> None:
        self.master = master
        self._current: ServiceInstance | None = None
        self._lock = threading.Lock()

    def get_instance(self, instances: Sequence[ServiceInstance]) -> ServiceInstance | None:
        with self._lock:
            current = self._current
            if current is not None:
                for instance in instances:
                    if instance.id == current.id:
                        self._current = instance
                        return instance
            self._current = self.master.get_instance(instances)
            return self._current
