"""Which instances a ServiceProvider leaves out after errors (pure; both front ends drive it).

curator-x-discovery's default ``DownInstancePolicy``: one noted error keeps an
instance out of the picks for ``down_seconds``. Times are passed in (monotonic
seconds), so the rule needs no clock and no lock of its own; the callers
serialise access (a thread lock on the sync side, the event loop on asyncio).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkrecipes.recipes.curator.service_instance import ServiceInstance

__all__ = ["DownInstances"]


class DownInstances:
    """Instance ids noted down, each until a time (see the module docstring)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def note(self, instance: ServiceInstance, now: float, down_seconds: float) -> None:
        """``instance`` failed at ``now``: leave it out until ``now + down_seconds``."""
        self._until[instance.id] = now + down_seconds

    def usable(self, instances: Sequence[ServiceInstance], now: float) -> list[ServiceInstance]:
        """``instances`` without those still down at ``now`` (expired notes are forgotten)."""
        self._until = {key: until for key, until in self._until.items() if until > now}
        return [instance for instance in instances if instance.id not in self._until]
