"""ServiceType: how a service instance's node lives (curator-x-discovery's ``ServiceType``)."""

from __future__ import annotations

import enum

__all__ = ["ServiceType"]


class ServiceType(enum.Enum):
    """DYNAMIC (ephemeral, the default), DYNAMIC_SEQUENTIAL (ephemeral sequential), STATIC, PERMANENT."""

    DYNAMIC = "DYNAMIC"
    STATIC = "STATIC"
    PERMANENT = "PERMANENT"
    DYNAMIC_SEQUENTIAL = "DYNAMIC_SEQUENTIAL"

    @property
    def is_dynamic(self) -> bool:
        """True for the ephemeral kinds (they vanish with their session and are re-registered)."""
        return self in (ServiceType.DYNAMIC, ServiceType.DYNAMIC_SEQUENTIAL)
