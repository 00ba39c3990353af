"""kazoo's public names in one import: ``from zkrecipes.compat import KazooClient, …``.

Every name is an alias of a zkrecipes object (there is no second
implementation): ``KazooClient`` is :class:`zkrecipes.ZkClient`, ``KazooState``
is :class:`zkrecipes.ZkState`, ``KazooRetry`` is
:class:`zkrecipes.retry.RetryPolicy`, the exceptions are
:mod:`zkrecipes.exceptions`' classes. Submodules mirror kazoo's module names
for code that imports from them: ``zkrecipes.compat.client``, ``.exceptions``,
``.retry``, ``.security``, ``.protocol.states``, ``.handlers.threading``,
``.handlers.gevent`` and ``.recipe.<name>``. The deliberate differences are
listed in ``docs/migrating-from-kazoo.md``.

The exception names are not restated here: they are ``zkrecipes.compat.exceptions``'
list (itself ``zkrecipes.exceptions.__all__`` plus kazoo's aliases), taken with
``import *`` and its ``__all__`` (the idiom a type checker follows too).
"""

from __future__ import annotations

from zkrecipes.compat.client import KazooClient, TransactionRequest
from zkrecipes.compat.exceptions import *  # noqa: F403 - every name of its __all__
from zkrecipes.compat.exceptions import __all__ as __all__
from zkrecipes.compat.handlers.gevent import SequentialGeventHandler
from zkrecipes.compat.handlers.threading import AsyncResult, SequentialThreadingHandler
from zkrecipes.compat.protocol.states import (
    Callback,
    EventType,
    KazooState,
    KeeperState,
    WatchedEvent,
    ZnodeStat,
)
from zkrecipes.compat.recipe.barrier import Barrier, DoubleBarrier
from zkrecipes.compat.recipe.cache import NodeData, TreeCache, TreeEvent
from zkrecipes.compat.recipe.counter import Counter
from zkrecipes.compat.recipe.election import Election
from zkrecipes.compat.recipe.lease import MultiNonBlockingLease, NonBlockingLease
from zkrecipes.compat.recipe.lock import Lock, ReadLock, Semaphore, WriteLock
from zkrecipes.compat.recipe.partitioner import PartitionState, SetPartitioner
from zkrecipes.compat.recipe.party import Party, ShallowParty
from zkrecipes.compat.recipe.queue import LockingQueue, Queue
from zkrecipes.compat.recipe.watchers import ChildrenWatch, DataWatch, PatientChildrenWatch
from zkrecipes.compat.retry import KazooRetry
from zkrecipes.compat.security import (
    ACL,
    ANYONE_ID_UNSAFE,
    AUTH_IDS,
    CREATOR_ALL_ACL,
    OPEN_ACL_UNSAFE,
    READ_ACL_UNSAFE,
    Id,
    Permissions,
    make_acl,
    make_digest_acl,
    make_digest_acl_credential,
)

__all__ = list(__all__)  # the exceptions' names (zkrecipes.compat.exceptions), then the rest
__all__ += [
    "ACL",
    "ANYONE_ID_UNSAFE",
    "AUTH_IDS",
    "CREATOR_ALL_ACL",
    "OPEN_ACL_UNSAFE",
    "READ_ACL_UNSAFE",
    "AsyncResult",
    "Barrier",
    "Callback",
    "ChildrenWatch",
    "Counter",
    "DataWatch",
    "DoubleBarrier",
    "Election",
    "EventType",
    "Id",
    "KazooClient",
    "KazooRetry",
    "KazooState",
    "KeeperState",
    "Lock",
    "LockingQueue",
    "MultiNonBlockingLease",
    "NodeData",
    "NonBlockingLease",
    "PartitionState",
    "Party",
    "PatientChildrenWatch",
    "Permissions",
    "Queue",
    "ReadLock",
    "Semaphore",
    "SequentialGeventHandler",
    "SequentialThreadingHandler",
    "SetPartitioner",
    "ShallowParty",
    "TransactionRequest",
    "TreeCache",
    "TreeEvent",
    "WatchedEvent",
    "WriteLock",
    "ZnodeStat",
    "make_acl",
    "make_digest_acl",
    "make_digest_acl_credential",
]
