"""Coordination recipes built on the public :class:`~zkrecipes.ZkClient` API.

Each recipe states in its docstring what happens on SUSPENDED and on LOST.
Names are imported lazily so that importing one recipe does not load all of them.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = {
    "Lock": "lock",
    "ReadLock": "lock",
    "WriteLock": "lock",
    "Semaphore": "semaphore",
    "Election": "election",
    "NonBlockingLease": "lease",
    "MultiNonBlockingLease": "lease",
    "Counter": "counter",
    "Barrier": "barrier",
    "DoubleBarrier": "barrier",
    "Queue": "queue",
    "LockingQueue": "queue",
    "Party": "party",
    "ShallowParty": "party",
    "SetPartitioner": "partitioner",
    "PartitionState": "partitioner",
    "DataWatch": "watchers",
    "ChildrenWatch": "watchers",
    "PatientChildrenWatch": "watchers",
    "TreeCache": "cache",
    "TreeEvent": "cache",
    "NodeData": "cache",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'zkrecipes.recipes' has no attribute {name!r}")
    return getattr(importlib.import_module(f"zkrecipes.recipes.{module}"), name)
