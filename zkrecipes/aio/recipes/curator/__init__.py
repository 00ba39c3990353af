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
# Curator-interoperable locks and semaphores on asyncio (LOCKS).
from zkrecipes.aio.recipes.curator.inter_process_multi_lock import InterProcessMultiLock
from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.aio.recipes.curator.inter_process_read_write_lock import InterProcessReadWriteLock
from zkrecipes.aio.recipes.curator.inter_process_semaphore_mutex import InterProcessSemaphoreMutex
from zkrecipes.aio.recipes.curator.inter_process_semaphore_v2 import InterProcessSemaphoreV2
from zkrecipes.aio.recipes.curator.lease import Lease

__all__ += ["InterProcessMultiLock", "InterProcessMutex", "InterProcessReadWriteLock",
            "InterProcessSemaphoreMutex", "InterProcessSemaphoreV2", "Lease"]
