"""kazoo's ``kazoo.client`` names: ``KazooClient`` is :class:`zkrecipes.ZkClient`.

Also the names kazoo users pick up from that module because kazoo imports
them there (the recipes, the threading handler, a few exceptions).
"""

from __future__ import annotations

from zkrecipes.client.client import ZkClient
from zkrecipes.client.transaction import TransactionRequest
from zkrecipes.compat.handlers.threading import SequentialThreadingHandler
from zkrecipes.compat.protocol.states import Callback, KazooState
from zkrecipes.compat.recipe.barrier import Barrier, DoubleBarrier
from zkrecipes.compat.recipe.counter import Counter
from zkrecipes.compat.recipe.election import Election
from zkrecipes.compat.recipe.lease import MultiNonBlockingLease, NonBlockingLease
from zkrecipes.compat.recipe.lock import Lock, ReadLock, Semaphore, WriteLock
from zkrecipes.compat.recipe.partitioner import SetPartitioner
from zkrecipes.compat.recipe.party import Party, ShallowParty
from zkrecipes.compat.recipe.queue import LockingQueue, Queue
from zkrecipes.compat.recipe.watchers import ChildrenWatch, DataWatch
from zkrecipes.exceptions import (
    AuthFailedError,
    ConfigurationError,
    ConnectionClosedError,
    ConnectionLoss,
    KazooException,
    NodeExistsError,
    NoNodeError,
    SessionExpiredError,
    WriterNotClosedException,
)
from zkrecipes.retry import RetryPolicy
from zkrecipes.security import ACL, OPEN_ACL_UNSAFE
from zkrecipes.states import EventType, KeeperState, WatchedEvent, ZnodeStat

KazooClient = ZkClient
KazooRetry = RetryPolicy

__all__ = [
    "ACL",
    "OPEN_ACL_UNSAFE",
    "AuthFailedError",
    "Barrier",
    "Callback",
    "ChildrenWatch",
    "ConfigurationError",
    "ConnectionClosedError",
    "ConnectionLoss",
    "Counter",
    "DataWatch",
    "DoubleBarrier",
    "Election",
    "EventType",
    "KazooClient",
    "KazooException",
    "KazooRetry",
    "KazooState",
    "KeeperState",
    "Lock",
    "LockingQueue",
    "MultiNonBlockingLease",
    "NoNodeError",
    "NodeExistsError",
    "NonBlockingLease",
    "Party",
    "Queue",
    "ReadLock",
    "Semaphore",
    "SequentialThreadingHandler",
    "SessionExpiredError",
    "SetPartitioner",
    "ShallowParty",
    "TransactionRequest",
    "WatchedEvent",
    "WriteLock",
    "WriterNotClosedException",
    "ZnodeStat",
]
