"""A lock-path consumer whose final transaction's reply is lost: read back, never retried blindly.

The victim consumes through the ``fault_proxy``. Its consumer callable puts the
connection in STALL_REPLIES (the final transaction reaches the server, its reply
is held) or STALL (the transaction never reaches it) before returning; then the
connection is closed. Each item must be handed over exactly once and be gone,
with no lock node left behind.
"""

from __future__ import annotations

import threading
from typing import Any

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedQueue
from zkrecipes.recipes.curator._queue_lock import MARKER_PREFIX
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.expiry import expire_session

TIMEOUT = 10.0


def item_locks(zk: ZkClient, lock_path: str) -> list[str]:
    return [name for name in zk.get_children(lock_path) if not name.startswith(MARKER_PREFIX)]


def run_consumer(fault_proxy: Any, victim: ZkClient, mode: str) -> tuple[list[bytes], threading.Event,
                                                                            DistributedQueue]:
    seen: list[bytes] = []
    handed = threading.Event()

    def consume(item: bytes) -> None:
        seen.append(item)
        if len(seen) == 1:  # only the first hand-over: the finishing transaction comes next
            (connection,) = fault_proxy.connection_ids()
            getattr(fault_proxy, mode)(connection)
            handed.set()

    queue = DistributedQueue(victim, "/fq", consumer=consume, lock_path="/fq-locks")
    queue.start()
    return seen, handed, queue


def test_reply_lost_after_the_finish_applied_counts_as_done(
    fault_proxy: Any, zk_client_factory: ClientFactory
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    seen, handed, queue = run_consumer(fault_proxy, victim, "stall_replies")
    try:
        DistributedQueue(observer, "/fq").put(b"once")
        assert handed.wait(20)
        wait_until(observer, lambda: not observer.get_children("/fq"), message="the finish applied")
        session = victim.client_id
        fault_proxy.resume()
        fault_proxy.close_connections()
        DistributedQueue(observer, "/fq").put(b"next")  # the consumer lives on after the read-back
        wait_until(observer, lambda: seen == [b"once", b"next"] and not observer.get_children("/fq"),
                   message="the next item consumed")
        assert victim.client_id == session
    finally:
        fault_proxy.resume()
        queue.close()
    assert seen == [b"once", b"next"]
    assert item_locks(observer, "/fq-locks") == []


def test_finish_that_never_reached_the_server_is_sent_again(
    fault_proxy: Any, zk_client_factory: ClientFactory
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    seen, handed, queue = run_consumer(fault_proxy, victim, "stall")
    try:
        DistributedQueue(observer, "/fq").put(b"once")
        assert handed.wait(20)
        wait_until(observer, lambda: bool(fault_proxy.held_to_server()), message="the finish held back")
        assert observer.get_children("/fq")  # not applied yet
        fault_proxy.close_connections()
        fault_proxy.resume()
        wait_until(observer, lambda: not observer.get_children("/fq"), message="the finish sent again")
    finally:
        fault_proxy.resume()
        queue.close()
    assert seen == [b"once"]
    assert item_locks(observer, "/fq-locks") == []


def test_reply_lost_and_session_expired_leaves_the_item_to_the_next_consumer(
    fault_proxy: Any, zk_client_factory: ClientFactory, zk_hosts: str
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    seen, handed, queue = run_consumer(fault_proxy, victim, "stall")
    try:
        DistributedQueue(observer, "/fq").put(b"again")
        assert handed.wait(20)
        wait_until(observer, lambda: bool(fault_proxy.held_to_server()), message="the finish held back")
        client_id = victim.client_id
        assert client_id is not None
        expire_session(zk_hosts, client_id)  # our lock and marker go: the finish must not be resent
        fault_proxy.close_connections()
        fault_proxy.resume()
        # the item is back in the queue (at least once): our consumer, on its new session, takes it again
        wait_until(observer, lambda: seen == [b"again", b"again"], message="the item handed over again")
        wait_until(observer, lambda: not observer.get_children("/fq"), message="then finished")
    finally:
        fault_proxy.resume()
        queue.close()
    assert item_locks(observer, "/fq-locks") == []


def test_consumer_carries_on_after_a_disconnection(fault_proxy: Any,
                                                   zk_client_factory: ClientFactory) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    seen: list[bytes] = []
    got = threading.Event()

    def consume(item: bytes) -> None:
        seen.append(item)
        got.set()

    with DistributedQueue(victim, "/sq", consumer=consume, lock_path="/sq-locks"):
        fault_proxy.drop()  # SUSPENDED: the consumer's reads fail until the connection is back
        DistributedQueue(observer, "/sq").put(b"while away")
        fault_proxy.resume()
        assert got.wait(30)
    assert seen == [b"while away"]
    assert not observer.get_children("/sq")


def test_pull_take_keeps_its_timeout_while_the_server_does_not_answer(
    fault_proxy: Any, zk_client_factory: ClientFactory
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=TIMEOUT)
    observer = zk_client_factory()
    queue = DistributedQueue(victim, "/pq", lock_path="/pq-locks")
    queue.start()
    fault_proxy.stall()  # requests are held: nothing is answered
    result: list[bytes | None] = []
    taker = threading.Thread(target=lambda: result.append(queue.take(0.5)), daemon=True)
    taker.start()
    taker.join(TIMEOUT)  # well within the session: the take's own timeout ended it
    assert not taker.is_alive() and result == [None]
    fault_proxy.resume()
    DistributedQueue(observer, "/pq").put(b"after")
    assert queue.take(20) == b"after"
    queue.close()
