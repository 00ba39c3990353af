"""InterProcessReadWriteLock against real Curator on one path."""

from __future__ import annotations

import threading

from _curator_helpers import kids, protected_suffix, run_in_thread
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import InterProcessReadWriteLock
from zkrecipes.testing.curator import CuratorSession


def test_readers_share_and_exclude_writers_across_languages(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    lock = InterProcessReadWriteLock(zk_client, "/rw")
    assert curator_peer.acquire("rw", "c", "/rw", timeout=10, mode="read")
    assert lock.read_lock().acquire(timeout=10)  # readers share
    assert lock.write_lock().acquire(timeout=0.3) is False
    names = sorted(protected_suffix(name)[:8] for name in zk_client.get_children("/rw"))
    assert names == ["__READ__", "__READ__"]
    # a Curator writer waits for both readers
    writer = curator_peer.acquire_async("rw", "cw", "/rw", timeout=30, mode="write")
    wait_until(zk_client, lambda: len(zk_client.get_children("/rw")) == 3, message="curator writer node")
    lock.read_lock().release()
    assert not writer.done()
    curator_peer.release("rw", "c", mode="read")
    assert writer.result()["acquired"] is True
    # a Python reader queued behind the Curator writer waits for it
    done = threading.Event()

    def read_then_release() -> bool:
        got = lock.read_lock().acquire(timeout=30)
        done.wait(30)
        if got:
            lock.read_lock().release()
        return got

    thread, out = run_in_thread(read_then_release)
    wait_until(zk_client, lambda: len(zk_client.get_children("/rw")) == 2, message="python reader node")
    assert not lock.read_lock().is_acquired_in_this_process()
    curator_peer.release("rw", "cw", mode="write")
    wait_until(zk_client, lock.read_lock().is_acquired_in_this_process, message="python reads")
    done.set()
    thread.join(30)
    assert out == [True]


def test_python_writer_blocks_curator_reader_and_may_downgrade(
    curator_peer: CuratorSession, zk_client: ZkClient
) -> None:
    lock = InterProcessReadWriteLock(zk_client, "/rw2")
    assert lock.write_lock().acquire(timeout=10)
    assert lock.read_lock().acquire(timeout=5)  # the write holder may read
    assert curator_peer.acquire("rw", "c", "/rw2", timeout=0.3, mode="read") is False
    reader = curator_peer.acquire_async("rw", "c", "/rw2", timeout=30, mode="read")
    wait_until(zk_client, lambda: len(zk_client.get_children("/rw2")) == 3, message="curator reader node")
    lock.write_lock().release()  # downgraded: we still read, and so may Curator now
    assert reader.result()["acquired"] is True
    lock.read_lock().release()
    curator_peer.release("rw", "c", mode="read")
    assert kids(zk_client, "/rw2") == []
