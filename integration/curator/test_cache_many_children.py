"""CuratorCache over a node with very many children (CURATOR-690: Curator 5.4 fails past 65,535).

By default 1,500 children in each watch mode; ``-m slow`` loads
``ZKRECIPES_CACHE_CHILDREN`` children (default 70,000) in persistent mode. The
children are created by pipelined transactions; the cache's load is
a bounded pipeline too (no limit on the total, none hit).
"""

from __future__ import annotations

import collections
import os
import time
from typing import Any

import pytest
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import CacheWatchMode, CuratorCache

MODES = [CacheWatchMode.PERSISTENT, CacheWatchMode.ONE_SHOT]


def create_children(zk: ZkClient, parent: str, count: int, batch: int = 1000, window: int = 4) -> None:
    """``parent/c-000000`` ..., data = the name: transactions of ``batch`` creates, ``window`` in flight."""
    zk.ensure_path(parent)
    inflight: collections.deque[Any] = collections.deque()
    for start in range(0, count, batch):
        transaction = zk.transaction()
        for i in range(start, min(count, start + batch)):
            transaction.create(f"{parent}/c-{i:06d}", f"c-{i:06d}".encode())
        inflight.append(transaction.commit_async())
        if len(inflight) >= window:
            inflight.popleft().get(timeout=120)
    while inflight:
        inflight.popleft().get(timeout=120)


def delete_children(zk: ZkClient, parent: str, batch: int = 1000, window: int = 4) -> None:
    """Delete every child of ``parent`` (pipelined transactions, so that the chroot's clean-up is quick)."""
    names = zk.get_children(parent)
    inflight: collections.deque[Any] = collections.deque()
    for start in range(0, len(names), batch):
        transaction = zk.transaction()
        for name in names[start:start + batch]:
            transaction.delete(f"{parent}/{name}")
        inflight.append(transaction.commit_async())
        if len(inflight) >= window:
            inflight.popleft().get(timeout=120)
    while inflight:
        inflight.popleft().get(timeout=120)


def load_and_follow(zk: ZkClient, mode: CacheWatchMode, count: int) -> None:
    started = time.monotonic()
    with CuratorCache(zk, "/many", mode=mode) as cache:
        assert cache.await_initialized(600)
        print(f"loaded {count} children ({mode.value}) in {time.monotonic() - started:.1f} s")
        assert cache.size() == count + 1
        last = f"/many/c-{count - 1:06d}"
        node = cache.get(last)
        assert node is not None and node.data == last.rsplit("/", 1)[1].encode()
        zk.set(last, b"changed")  # and it follows changes after the load
        zk.delete("/many/c-000000")
        wait_until(zk, lambda: getattr(cache.get(last), "data", None) == b"changed"
                   and cache.get("/many/c-000000") is None, message="changes after the load")
        assert cache.size() == count
    delete_children(zk, "/many")


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_thousands_of_children_load(mode: CacheWatchMode, zk_client: ZkClient) -> None:
    create_children(zk_client, "/many", 1500)
    load_and_follow(zk_client, mode, 1500)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_more_than_64k_children_load(zk_client: ZkClient) -> None:
    count = int(os.environ.get("ZKRECIPES_CACHE_CHILDREN", "70000"))
    create_children(zk_client, "/many", count)
    load_and_follow(zk_client, CacheWatchMode.PERSISTENT, count)
