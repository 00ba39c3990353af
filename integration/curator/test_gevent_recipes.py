"""The Curator-layout recipes on the gevent handler: reentrancy is per greenlet, waits yield the hub."""

from __future__ import annotations

import pytest

from zkrecipes.testing.client_fixtures import ClientFactory

gevent = pytest.importorskip("gevent")


def test_mutex_is_per_greenlet_and_latch_elects(zk_client_factory: ClientFactory) -> None:
    from zkrecipes.recipes.curator import InterProcessMutex, LeaderLatch

    zk = zk_client_factory(handler_name="gevent")
    mutex = InterProcessMutex(zk, "/g")
    assert mutex.acquire(timeout=10) and mutex.acquire(timeout=10)  # reentrant in this greenlet
    other = gevent.spawn(mutex.acquire, 0.3)  # another greenlet of the same thread contends
    assert other.get(timeout=30) is False
    mutex.release()
    mutex.release()
    again = gevent.spawn(lambda: (mutex.acquire(10), mutex.release()))
    assert again.get(timeout=30) == (True, None)
    with LeaderLatch(zk, "/gl", "g1") as first, LeaderLatch(zk, "/gl", "g2") as second:
        assert first.await_leadership(10)
        assert not second.has_leadership()
        first.close()
        assert second.await_leadership(10)
