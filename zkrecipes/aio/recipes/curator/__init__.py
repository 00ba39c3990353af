"""Curator-interoperable leadership recipes on asyncio: LeaderLatch and LeaderSelector.

The node layout, the rules (:mod:`zkrecipes.recipes.curator._leader_rules`) and
the state stream's buffering are the sync recipes', so sync, asyncio and
Curator participants share one path. Made by ``AsyncZkClient.LeaderLatch`` /
``AsyncZkClient.LeaderSelector`` or directly.
"""

from __future__ import annotations

from zkrecipes.aio.recipes.curator.leader_latch import LeaderLatch
from zkrecipes.aio.recipes.curator.leader_selector import LeaderSelector, LeaderSelectorListener

__all__ = ["LeaderLatch", "LeaderSelector", "LeaderSelectorListener"]

from zkrecipes.aio.recipes.curator.curator_cache import (
    CacheEvent,
    CacheEventType,
    CacheWatchMode,
    CuratorCache,
)
from zkrecipes.aio.recipes.curator.group_member import GroupMember
from zkrecipes.aio.recipes.curator.persistent_node import PersistentNode
from zkrecipes.aio.recipes.curator.service_cache import ServiceCache
from zkrecipes.aio.recipes.curator.service_discovery import ServiceDiscovery

__all__ += ["CacheEvent", "CacheEventType", "CacheWatchMode", "CuratorCache", "GroupMember", "PersistentNode",
            "ServiceCache", "ServiceDiscovery"]
