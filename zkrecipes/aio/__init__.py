"""The asyncio front end: ``from zkrecipes.aio import AsyncZkClient``.

Same constructor and operation names as :class:`zkrecipes.ZkClient`, each
operation a coroutine (generated from the same definitions); watches and
session states as async iterators (:mod:`.streams`); see ``docs/asyncio.md``.
Recipes: :mod:`zkrecipes.aio.recipes` (Lock, ReadLock, WriteLock, Semaphore, Election).
"""

from __future__ import annotations

from zkrecipes.aio.client import AsyncZkClient
from zkrecipes.aio.retry import retry_async
from zkrecipes.aio.streams import ChildrenWatchStream, DataChange, DataWatchStream, EventStream
from zkrecipes.aio.transaction import AsyncMultiRead, AsyncTransaction

__all__ = [
    "AsyncMultiRead", "AsyncTransaction", "AsyncZkClient", "ChildrenWatchStream", "DataChange",
    "DataWatchStream", "EventStream", "retry_async",
]
