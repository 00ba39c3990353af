"""LeaderLatch and LeaderSelector under real faults: never two leaders (judged from the server's history).

Each latch's beliefs are written to the server through a separate, healthy
client (``_leader_history.Scribe``), so a participant that believes it leads
while it should not is recorded even while its own connection is stalled. The
survivor's take-over is awaited within the session timeout plus a few seconds.
Regressions of Curator's history: CURATOR-696 (a latch that reconnects with a
new session kept leading on its dead node) and CURATOR-724 (no recovery after
the latch's parent vanished).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _leader_history import Scribe, assert_one_leader_at_a_time, recorded, terms
from _waits import wait_until

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import LeaderLatch, LeaderSelector, LeaderStatus
from zkrecipes.testing import expire_session

SESSION = 4.0
TAKEOVER = SESSION + 8.0  # the session timeout plus a few seconds (a loaded machine)
WAIT = 30.0
HIST = "/hist"


def wait_status(latch: Any, status: LeaderStatus, timeout: float = WAIT) -> int | None:
    """Wait (on the state stream) until ``latch`` is in ``status``; that state's epoch."""
    for state in latch.states(timeout=timeout):
        if state.status is status:
            return state.epoch
    raise AssertionError(f"{latch!r} did not reach {status} in {timeout}s")


def leaders(*latches: LeaderLatch) -> list[str]:
    return [latch.id for latch in latches if latch.has_leadership()]


def test_short_stall_resigns_at_suspended_and_hands_over(
        fault_proxy: Any, zk_client_factory: Any, zk_client: ZkClient) -> None:
    victim = LeaderLatch(zk_client_factory(fault_proxy.hosts, timeout=SESSION), "/l", "victim")
    victim.start()
    assert victim.await_leadership(WAIT)
    first = victim.epoch
    other = LeaderLatch(zk_client_factory(timeout=SESSION), "/l", "other")
    other.start()
    scribes = [Scribe(zk_client, latch, HIST) for latch in (victim, other)]
    wait_until(zk_client, lambda: len(zk_client.get_children("/l")) == 2, message="two participants")
    wait_until(zk_client, lambda: recorded(zk_client, HIST, "victim"), message="the first term recorded")
    fault_proxy.stall()
    assert wait_status(victim, LeaderStatus.RESIGNED) == first  # SUSPENDED: leadership ends at once
    fault_proxy.resume()
    # the reconnect resets the victim (a new node, behind the other): the other leads
    assert other.await_leadership(TAKEOVER)
    assert other.epoch is not None and first is not None and other.epoch > first
    wait_until(zk_client, lambda: victim.leadership.status is LeaderStatus.PENDING
               and (victim.leadership.epoch or 0) > (other.epoch or 0), message="the victim queued again")
    assert leaders(victim, other) == ["other"]
    wait_until(zk_client, lambda: recorded(zk_client, HIST, "other"), message="the second term recorded")
    other.close()
    assert victim.await_leadership(TAKEOVER)
    wait_until(zk_client, lambda: recorded(zk_client, HIST, "victim"), message="the last term recorded")
    victim.close()
    for scribe in scribes:
        scribe.join()
    runs = terms(zk_client, HIST)
    assert_one_leader_at_a_time(runs)
    assert [who for who, _epoch in runs] == ["victim", "other", "victim"]


def test_long_stall_expires_the_leader_and_it_never_leads_on_its_dead_node(
        fault_proxy: Any, zk_client_factory: Any, zk_client: ZkClient) -> None:
    """CURATOR-696: after the stall the victim has a new session; its old node must not make it lead."""
    victim = LeaderLatch(zk_client_factory(fault_proxy.hosts, timeout=SESSION), "/l", "victim")
    victim.start()
    assert victim.await_leadership(WAIT)
    first = victim.epoch
    other = LeaderLatch(zk_client_factory(timeout=SESSION), "/l", "other")
    other.start()
    scribes = [Scribe(zk_client, latch, HIST) for latch in (victim, other)]
    wait_until(zk_client, lambda: len(zk_client.get_children("/l")) == 2, message="two participants")
    wait_until(zk_client, lambda: recorded(zk_client, HIST, "victim"), message="the first term recorded")
    fault_proxy.stall()
    assert other.await_leadership(TAKEOVER)  # the server expired the victim's session
    assert not victim.has_leadership()
    fault_proxy.resume()
    wait_until(zk_client, lambda: len(zk_client.get_children("/l")) == 2, message="the victim's new node")
    wait_until(zk_client, lambda: victim.leadership.status is LeaderStatus.PENDING
               and (victim.leadership.epoch or 0) > (other.epoch or 0), message="the victim queued again")
    assert leaders(victim, other) == ["other"]
    assert other.epoch is not None and first is not None and other.epoch > first
    wait_until(zk_client, lambda: recorded(zk_client, HIST, "other"), message="the second term recorded")
    victim.close()
    other.close()
    for scribe in scribes:
        scribe.join()
    runs = terms(zk_client, HIST)
    assert_one_leader_at_a_time(runs)
    assert [who for who, _epoch in runs] == ["victim", "other"]


def test_real_expiry_hands_over_and_the_old_leader_queues_again(
        zk_hosts: str, zk_client_factory: Any, zk_client: ZkClient) -> None:
    victim_client = zk_client_factory(timeout=SESSION)
    victim = LeaderLatch(victim_client, "/l", "victim")
    victim.start()
    assert victim.await_leadership(WAIT)
    other = LeaderLatch(zk_client_factory(timeout=SESSION), "/l", "other")
    other.start()
    scribes = [Scribe(zk_client, latch, HIST) for latch in (victim, other)]
    wait_until(zk_client, lambda: len(zk_client.get_children("/l")) == 2, message="two participants")
    client_id = victim_client.client_id
    assert client_id is not None
    expire_session(zk_hosts, client_id)
    assert other.await_leadership(TAKEOVER)
    wait_until(zk_client, lambda: victim.leadership.status is LeaderStatus.PENDING
               and (victim.leadership.epoch or 0) > (other.epoch or 0), message="the victim queued again")
    assert leaders(victim, other) == ["other"]
    victim.close()
    other.close()
    for scribe in scribes:
        scribe.join()
    assert_one_leader_at_a_time(terms(zk_client, HIST))


def test_recovers_after_its_parent_vanished(fault_proxy: Any, zk_client_factory: Any,
                                             zk_client: ZkClient) -> None:
    """CURATOR-724: the session expires, the container parent is deleted; after the resume it leads again."""
    victim = LeaderLatch(zk_client_factory(fault_proxy.hosts, timeout=SESSION), "/deep/l", "victim")
    victim.start()
    assert victim.await_leadership(WAIT)
    first = victim.epoch
    fault_proxy.stall()
    wait_until(zk_client, lambda: zk_client.exists("/deep") is None, timeout=TAKEOVER + 10,
               message="the containers to go with the expired session")
    fault_proxy.resume()
    assert victim.await_leadership(TAKEOVER)
    assert victim.epoch is not None and first is not None and victim.epoch > first
    assert zk_client.exists("/deep/l") is not None
    victim.close()


class Term:
    """A selector listener whose term lasts until it is interrupted (or let go)."""

    def __init__(self) -> None:
        self.selector: LeaderSelector | None = None

    def take_leadership(self, client: Any) -> None:
        assert self.selector is not None
        self.selector.interrupted.wait(WAIT)


def test_selector_short_stall_interrupts_the_term_and_hands_over(
        fault_proxy: Any, zk_client_factory: Any, zk_client: ZkClient) -> None:
    work, other_work = Term(), Term()
    victim = LeaderSelector(zk_client_factory(fault_proxy.hosts, timeout=SESSION), "/s", work, "victim")
    other = LeaderSelector(zk_client_factory(timeout=SESSION), "/s", other_work, "other")
    work.selector, other_work.selector = victim, other
    victim.start()
    first = wait_status(victim, LeaderStatus.LEADER)
    other.start()
    wait_until(zk_client, lambda: len(zk_client.get_children("/s")) == 2, message="two contenders")
    fault_proxy.stall()
    assert wait_status(victim, LeaderStatus.RESIGNED) == first  # SUSPENDED interrupted the term
    fault_proxy.resume()
    second = wait_status(other, LeaderStatus.LEADER, TAKEOVER)
    assert second is not None and first is not None and second > first
    assert not victim.has_leadership()
    victim.close()
    other.close()


def test_selector_real_expiry_ends_the_term_and_the_other_takes_over(
        zk_hosts: str, zk_client_factory: Any, zk_client: ZkClient) -> None:
    work, other_work = Term(), Term()
    victim_client = zk_client_factory(timeout=SESSION)
    victim = LeaderSelector(victim_client, "/x", work, "victim")
    other = LeaderSelector(zk_client_factory(timeout=SESSION), "/x", other_work, "other")
    work.selector, other_work.selector = victim, other
    victim.start()
    first = wait_status(victim, LeaderStatus.LEADER)
    other.start()
    wait_until(zk_client, lambda: len(zk_client.get_children("/x")) == 2, message="two contenders")
    client_id = victim_client.client_id
    assert client_id is not None
    expire_session(zk_hosts, client_id)
    assert wait_status(victim, LeaderStatus.RESIGNED) == first  # LOST interrupted the term
    second = wait_status(other, LeaderStatus.LEADER, TAKEOVER)
    assert second is not None and first is not None and second > first
    assert not victim.has_leadership()
    victim.close()
    other.close()


@pytest.fixture
def ensemble(zk_ensemble: Any) -> Iterator[Any]:
    """The session's ensemble; a member a test killed is restarted afterwards."""
    yield zk_ensemble
    zk_ensemble.ensure_running()


@pytest.mark.ensemble
def test_killing_the_leaders_member_hands_over_once(ensemble: Any, zk_client_factory: Any) -> None:
    victim_member = ensemble.followers()[0]
    survivor, third = [index for index in range(3) if index != victim_member]
    admin = ensemble.hosts
    on_victim = zk_client_factory(f"{ensemble.hosts_of([victim_member])},{ensemble.hosts_of([survivor])}",
                                  admin_hosts=admin, randomize_hosts=False, timeout=10.0)
    recorder = zk_client_factory(ensemble.hosts_of([third]), admin_hosts=admin)
    victim = LeaderLatch(on_victim, "/l", "victim")
    victim.start()
    assert victim.await_leadership(WAIT)
    first = victim.epoch
    other = LeaderLatch(zk_client_factory(ensemble.hosts_of([third]), admin_hosts=admin, timeout=10.0),
                        "/l", "other")
    other.start()
    scribes = [Scribe(recorder, latch, HIST) for latch in (victim, other)]
    wait_until(recorder, lambda: len(recorder.get_children("/l")) == 2, message="two participants")
    wait_until(recorder, lambda: recorded(recorder, HIST, "victim"), message="the first term recorded")
    session = on_victim.client_id
    ensemble.kill_member(victim_member)
    # SUSPENDED resigns; the reconnect to the survivor (same session) resets the victim behind the other
    assert other.await_leadership(TAKEOVER)
    assert other.epoch is not None and first is not None and other.epoch > first
    wait_until(recorder, lambda: victim.leadership.status is LeaderStatus.PENDING
               and (victim.leadership.epoch or 0) > (other.epoch or 0), message="the victim queued again")
    assert on_victim.client_id == session
    assert leaders(victim, other) == ["other"]
    wait_until(recorder, lambda: recorded(recorder, HIST, "other"), message="the second term recorded")
    victim.close()
    other.close()
    for scribe in scribes:
        scribe.join()
    runs = terms(recorder, HIST)
    assert_one_leader_at_a_time(runs)
    assert [who for who, _epoch in runs] == ["victim", "other"]
