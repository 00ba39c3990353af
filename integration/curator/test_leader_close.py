"""What close() leaves behind (apache/curator#1292): no listener, no watch callback, no node."""

from __future__ import annotations

import threading
from typing import Any

from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import LeaderLatch, LeaderSelector, LeadershipState, LeaderStatus

WAIT = 30.0


def test_latch_close_removes_its_session_listener_and_predecessor_watch(
        zk_client: ZkClient, zk_client_factory: Any) -> None:
    leader = LeaderLatch(zk_client, "/c", "leader")
    leader.start()
    assert leader.await_leadership(WAIT)
    client = zk_client_factory()
    listeners = len(client.state_listeners)
    waiter = LeaderLatch(client, "/c", "waiter")
    fired: list[Any] = []
    waiter._watcher = fired.append  # the one watch callback the latch registers (and close removes)
    seen: list[LeadershipState] = []
    waiter.add_state_listener(seen.append)
    waiter.start()
    wait_until(client, lambda: waiter._watched is not None, message="the waiter's watch")
    waiter.close()
    assert len(client.state_listeners) == listeners
    assert waiter._watched is None and waiter.get_our_path() is None
    leader.close()  # the watched node goes: our callback must not be called any more
    client.sync("/")
    client.get_children("/")  # (a watch event comes before a later reply)
    assert fired == []
    wait_until(client, lambda: bool(seen) and seen[-1].status is LeaderStatus.CLOSED, message="CLOSED")
    assert [s.status for s in seen] == [LeaderStatus.PENDING, LeaderStatus.CLOSED]
    waiter.add_state_listener(seen.append)  # accepted, never called: the stream is closed
    assert zk_client.get_children("/c") == []


def test_selector_close_removes_its_session_listener_and_node(zk_client: ZkClient) -> None:
    started = threading.Event()

    class Work:
        selector: LeaderSelector | None = None

        def take_leadership(self, client: Any) -> None:
            started.set()
            assert self.selector is not None
            self.selector.interrupted.wait(WAIT)

    listeners = len(zk_client.state_listeners)
    work = Work()
    selector = LeaderSelector(zk_client, "/s", work, "me")
    work.selector = selector
    selector.start()
    assert started.wait(WAIT)
    epoch = selector.epoch
    assert epoch is not None and selector.leadership == LeadershipState(LeaderStatus.LEADER, epoch)
    selector.close()
    assert len(zk_client.state_listeners) == listeners
    assert zk_client.get_children("/s") == []
    assert selector.leadership == LeadershipState(LeaderStatus.CLOSED, epoch)
