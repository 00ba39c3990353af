"""Curator-interoperable recipes on asyncio (``zkrecipes.recipes.curator``'s layouts and rules, awaited)."""

from __future__ import annotations

from zkrecipes.aio.recipes.curator.distributed_delay_queue import DistributedDelayQueue
from zkrecipes.aio.recipes.curator.distributed_id_queue import DistributedIdQueue
from zkrecipes.aio.recipes.curator.distributed_priority_queue import DistributedPriorityQueue
from zkrecipes.aio.recipes.curator.distributed_queue import DistributedQueue
from zkrecipes.aio.recipes.curator.simple_distributed_queue import SimpleDistributedQueue
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

__all__ = ["DistributedDelayQueue", "DistributedIdQueue", "DistributedPriorityQueue", "DistributedQueue",
           "ErrorMode", "SimpleDistributedQueue"]
