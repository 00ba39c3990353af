"""Curator's bug history as regression tests: SharedCount/SharedValue, the barriers.

* apache/curator#1292: ``close()`` and every barrier wait remove what they added
  (state listeners, watches — checked on the server with ``remove_all_watches``).
* listeners (``count_has_changed``, ``state_changed``) fire on Curator's writes
  and on connection changes, as Curator's ``SharedCountListener``.
* the CURATOR-678 family: a lost reply of a conditional write is settled by a
  read-back — not applied (sent again), lost race (False), or OutcomeUnknownError.
* apache/curator#1290: a double-barrier member is never let through by a wake-up
  that is not the barrier opening.

CURATOR-688 (a wrapped version) cannot be reached on a real server in a test
(2**31 writes): its rules are pinned in ``tests/curator/test_count_conditional_write.py``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from _curator_helpers import run_in_thread
from _waits import wait_until

from zkrecipes import WatcherType, ZkClient, ZkState
from zkrecipes.exceptions import NoWatcherError, OutcomeUnknownError
from zkrecipes.recipes.curator import DistributedBarrier, DistributedDoubleBarrier, SharedCount
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession
from zkrecipes.testing.proxy import FaultProxy


def assert_no_watches_after_reconnect(client: ZkClient, proxy: FaultProxy, *paths: str) -> None:
    """``client`` keeps no watch on ``paths``: after a reconnect (which re-registers every watch the
    client still holds, SetWatches) the server has none for its session."""
    states: list[ZkState] = []
    listener = states.append
    client.add_listener(listener)
    proxy.drop()
    proxy.resume()
    # connected again *after* the drop was seen (right after drop() the client may not know yet)
    wait_until(client, lambda: ZkState.SUSPENDED in states and bool(client.connected), message="reconnected")
    client.remove_listener(listener)
    for path in paths:
        with pytest.raises(NoWatcherError):
            client.remove_all_watches(path, WatcherType.ANY)


class Seen:
    def __init__(self) -> None:
        self.counts: list[int] = []
        self.states: list[ZkState] = []

    def count_has_changed(self, shared_count: SharedCount, new_count: int) -> None:
        self.counts.append(new_count)

    def state_changed(self, client: Any, state: ZkState) -> None:
        self.states.append(state)


def test_listeners_hear_curators_writes_and_connection_changes_and_close_removes_all(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory,
    fault_proxy: FaultProxy,
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    before = victim.state_listeners
    seen = Seen()
    count = SharedCount(victim, "/lc", 0)
    count.add_listener(seen)
    count.start()
    curator_peer.count_set("/lc", 5)
    wait_until(zk_client, lambda: seen.counts[-1:] == [5], message="Curator's write heard")
    fault_proxy.drop()  # SUSPENDED; Curator writes meanwhile
    wait_until(zk_client, lambda: ZkState.SUSPENDED in seen.states, message="state_changed(SUSPENDED)")
    curator_peer.count_set("/lc", 7)
    fault_proxy.resume()
    wait_until(zk_client, lambda: ZkState.CONNECTED in seen.states and count.get_count() == 7,
               message="re-read after the reconnect")
    assert seen.counts[-1] == 7
    count.close()
    assert victim.state_listeners == before  # the connection listener is gone
    assert_no_watches_after_reconnect(victim, fault_proxy, "/lc")  # and the data watch


def test_barrier_waits_leave_no_watch_or_listener(
    curator_peer: CuratorSession, zk_client_factory: ClientFactory, fault_proxy: FaultProxy
) -> None:
    client = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    before = client.state_listeners
    barrier = DistributedBarrier(client, "/bw")
    barrier.set_barrier()
    assert barrier.wait_on_barrier(0.1) is False  # timed out: its watch on the node must go
    assert_no_watches_after_reconnect(client, fault_proxy, "/bw")
    curator_peer.barrier_remove("/bw")
    assert barrier.wait_on_barrier(10)  # passed: the exists watch it set on the missing node must go
    solo = DistributedDoubleBarrier(client, "/dw", 1)
    assert solo.enter(10)  # its exists watch on the ready node must go
    assert_no_watches_after_reconnect(client, fault_proxy, "/bw", "/dw/ready")
    assert solo.leave(10)
    assert client.state_listeners == before


def test_double_barrier_is_not_passed_on_a_connection_wake_up(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory,
    fault_proxy: FaultProxy,
) -> None:
    # GH-1290: Curator 5.4 let a member through after one notification, e.g. a reconnect's
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    member = DistributedDoubleBarrier(victim, "/sp", 2)
    checks = threading.Semaphore(0)
    real = victim.get_children_async

    def counting(path: str, *args: Any, **kwargs: Any) -> Any:
        result = real(path, *args, **kwargs)
        if path == "/sp":
            result.rawlink(lambda done: checks.release())  # a count answered
        return result

    member.client = _Wrapped(victim, get_children_async=counting)  # type: ignore[assignment]
    thread, out = run_in_thread(lambda: member.enter(30))
    assert checks.acquire(timeout=30)  # its first count
    fault_proxy.drop()
    fault_proxy.resume()  # SUSPENDED then CONNECTED: both wake the member
    assert checks.acquire(timeout=30)  # it counted again after the wake-up ...
    assert out == [] and thread.is_alive()  # ... and stays in: one member of two
    java = curator_peer.double_enter_async("j", "/sp", 2, 30)
    thread.join(30)
    assert out == [True] and java.result()["done"] is True


class _Wrapped:
    """``client`` with some methods replaced (to observe a recipe's requests)."""

    def __init__(self, client: Any, **replaced: Any) -> None:
        self._client = client
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def stalled_write(fault_proxy: FaultProxy, count: SharedCount, mode: str
                  ) -> tuple[threading.Thread, list[Any]]:
    """Put the proxy in ``mode`` and start ``try_set_count(+1)`` in a thread."""
    seen = count.get_versioned_value()
    getattr(fault_proxy, mode)()
    return run_in_thread(lambda: count.try_set_count(seen, seen.value + 1))


def test_lost_reply_of_a_write_that_never_reached_the_server_is_sent_again(
    zk_client: ZkClient, zk_client_factory: ClientFactory, fault_proxy: FaultProxy
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    with SharedCount(victim, "/lr1", 10) as count:
        thread, out = stalled_write(fault_proxy, count, "stall")
        wait_until(zk_client, lambda: b"/lr1" in fault_proxy.held_to_server(), message="the set held")
        fault_proxy.drop()  # the held request dies with the connection: never applied
        fault_proxy.resume()
        thread.join(30)
        assert out == [True]  # read back unchanged, sent again, applied once
        assert zk_client.get("/lr1")[0] == b"\x00\x00\x00\x0b"
        assert zk_client.exists("/lr1").version == 1


def test_lost_reply_after_another_writer_won_is_false(
    zk_client: ZkClient, zk_client_factory: ClientFactory, fault_proxy: FaultProxy
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    real_set_async = victim.set_async

    def set_then_mark(path: str, value: bytes, version: int = -1) -> Any:
        # a create queued behind the set on the same session: once it exists, the set was processed
        sent = real_set_async(path, value, version=version)
        victim.create_async("/lr2-after", b"")
        return sent.get()

    with SharedCount(victim, "/lr2", 10) as count:
        count._value.client = _Wrapped(victim, set=set_then_mark)  # type: ignore[assignment]
        seen = count.get_versioned_value()
        fault_proxy.stall_replies()  # from here on the victim hears nothing (its watch event is held too)
        zk_client.set("/lr2", b"\x00\x00\x00\x63")  # another writer takes version 1 first
        thread, out = run_in_thread(lambda: count.try_set_count(seen, seen.value + 1))
        wait_until(zk_client, lambda: zk_client.exists("/lr2-after") is not None, message="the set processed")
        fault_proxy.drop()  # the BadVersion reply is lost
        fault_proxy.resume()
        thread.join(30)
        assert out == [False]  # version 1 holds other bytes: ours was not applied
        assert count.get_count() == 99


def test_lost_reply_of_an_applied_write_is_reported_unknown(
    zk_client: ZkClient, zk_client_factory: ClientFactory, fault_proxy: FaultProxy
) -> None:
    victim = zk_client_factory(fault_proxy.hosts, timeout=15.0)
    with SharedCount(victim, "/lr3", 10) as count:
        thread, out = stalled_write(fault_proxy, count, "stall_replies")
        wait_until(zk_client, lambda: zk_client.exists("/lr3").version == 1, message="the set applied")
        fault_proxy.drop()  # its reply is lost
        fault_proxy.resume()
        thread.join(30)
        assert len(out) == 1 and isinstance(out[0], OutcomeUnknownError)  # never a False for it
        assert out[0].path == "/lr3" and out[0].operation == "try_set_value"
        assert zk_client.get("/lr3")[0] == b"\x00\x00\x00\x0b"  # applied once, not re-sent
