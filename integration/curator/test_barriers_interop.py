"""DistributedBarrier and DistributedDoubleBarrier with Curator and zkrecipes members on one path."""

from __future__ import annotations

from _curator_helpers import children_info, n_children, run_in_thread
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import DistributedBarrier, DistributedDoubleBarrier
from zkrecipes.testing.client_fixtures import ClientFactory
from zkrecipes.testing.curator import CuratorSession


def test_barrier_both_ways(curator_peer: CuratorSession, zk_client: ZkClient) -> None:
    barrier = DistributedBarrier(zk_client, "/b/gate")
    curator_peer.barrier_set("/b/gate")
    assert barrier.wait_on_barrier(0.2) is False
    thread, out = run_in_thread(lambda: barrier.wait_on_barrier(30))
    curator_peer.barrier_remove("/b/gate")
    thread.join(30)
    assert out == [True]
    barrier.set_barrier()
    assert zk_client.get("/b/gate")[0] == curator_peer.local_address.encode()  # default data, as Curator
    waiting = curator_peer.barrier_wait_async("/b/gate", 30)
    assert curator_peer.barrier_wait_async("/b/gate", 0.2).result()["passed"] is False
    barrier.remove_barrier()
    assert waiting.result()["passed"] is True


def test_double_barrier_with_two_curator_and_two_python_members(
    curator_peer: CuratorSession, zk_client: ZkClient, zk_client_factory: ClientFactory
) -> None:
    py1 = DistributedDoubleBarrier(zk_client, "/db", 4)
    py2 = DistributedDoubleBarrier(zk_client_factory(), "/db", 4)
    java1 = curator_peer.double_enter_async("j1", "/db", 4, 30)
    t1, out1 = run_in_thread(lambda: py1.enter(30))
    wait_until(zk_client, lambda: n_children(zk_client, "/db") == 2, message="two members in")
    assert not java1.done() and out1 == []
    java2 = curator_peer.double_enter_async("j2", "/db", 4, 30)
    wait_until(zk_client, lambda: n_children(zk_client, "/db") == 3, message="three members in")
    assert py2.enter(30)  # the fourth member lets everybody in
    t1.join(30)
    assert out1 == [True] and java1.result()["done"] is True and java2.result()["done"] is True
    members = [name for name, _, _ in children_info(zk_client, "/db") if name != "ready"]
    assert len(members) == 4 and all(len(name) == 36 for name in members)  # bare canonical uuids
    # leaving: nobody gets out before all four have come to leave
    leave1 = curator_peer.double_leave_async("j1", 30)
    t2, out2 = run_in_thread(lambda: py1.leave(30))
    leave2 = curator_peer.double_leave_async("j2", 30)
    assert not leave1.done() and not leave2.done() and out2 == []  # py2 is still in
    assert py2.leave(30)
    t2.join(30)
    assert out2 == [True] and leave1.result()["done"] is True and leave2.result()["done"] is True
    wait_until(zk_client, lambda: n_children(zk_client, "/db") <= 0, message="the barrier to empty")
