"""Curator-interoperable recipes on asyncio: counters and barriers.

The node layouts, encodings and rules are the sync recipes'
(:mod:`zkrecipes.recipes.curator`), so sync, asyncio and Curator participants
share one path. Made by the ``AsyncZkClient`` factories of the same names or directly.
"""

from __future__ import annotations

from zkrecipes.aio.recipes.curator.distributed_atomic_long import DistributedAtomicLong
from zkrecipes.aio.recipes.curator.distributed_barrier import DistributedBarrier
from zkrecipes.aio.recipes.curator.distributed_double_barrier import DistributedDoubleBarrier
from zkrecipes.aio.recipes.curator.shared_count import SharedCount
from zkrecipes.aio.recipes.curator.shared_value import SharedValue

__all__ = ["DistributedAtomicLong", "DistributedBarrier", "DistributedDoubleBarrier", "SharedCount",
           "SharedValue"]
