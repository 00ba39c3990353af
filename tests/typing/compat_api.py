"""Type-level tests of zkrecipes.compat: kazoo's names are zkrecipes' types to a type checker too."""

from __future__ import annotations

from typing_extensions import assert_type

from zkrecipes import ZkClient, ZkState, ZnodeStat
from zkrecipes.compat import KazooClient, KazooRetry, KazooState, KazooTimeoutError, Lock, NoNodeError
from zkrecipes.compat.exceptions import NoNodeException
from zkrecipes.compat.recipe.lock import Lock as RecipeLock
from zkrecipes.exceptions import ZkTimeoutError
from zkrecipes.retry import RetryPolicy


def check_compat() -> None:
    zk = KazooClient("127.0.0.1:2181")
    assert_type(zk, ZkClient)
    assert_type(zk.get("/a"), tuple[bytes | None, ZnodeStat])
    assert_type(KazooRetry(max_tries=3), RetryPolicy)
    state: ZkState = KazooState.CONNECTED
    assert_type(KazooState(state), ZkState)
    assert issubclass(KazooTimeoutError, ZkTimeoutError)
    assert NoNodeException is NoNodeError
    assert Lock is RecipeLock
