"""The asyncio LeaderLatch and LeaderSelector: states, epochs, cancellation, close, and a stall."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import LeaderLatch, LeaderSelector
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator import CloseMode, LeadershipState, LeaderStatus

WAIT = 30.0
SESSION = 4.0
TAKEOVER = SESSION + 8.0


async def until(predicate: Any, timeout: float = WAIT) -> None:
    """Poll ``predicate`` (a coroutine function or plain) until true."""
    async def poll() -> None:
        while True:
            outcome = predicate()
            if asyncio.iscoroutine(outcome):
                outcome = await outcome
            if outcome:
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def children(zk: AsyncZkClient, path: str) -> list[str]:
    try:
        return await zk.get_children(path)
    except NoNodeError:
        return []


class Told:
    """A coroutine LeaderLatchListener."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def is_leader(self) -> None:
        self.seen.append("is_leader")

    async def not_leader(self) -> None:
        self.seen.append("not_leader")


async def test_latches_hand_over_with_increasing_epochs_and_a_state_stream(
        zk_aio_client: AsyncZkClient, zk_aio_client_factory: Any) -> None:
    first = zk_aio_client.LeaderLatch("/l", "a")
    told = Told()
    first.add_listener(told)
    seen: list[LeadershipState] = []
    first.add_state_listener(seen.append)
    await first.start()
    assert await first.await_leadership(WAIT)
    epoch = first.epoch
    assert epoch is not None and first.leadership == LeadershipState(LeaderStatus.LEADER, epoch)
    second = LeaderLatch(await zk_aio_client_factory(), "/l", "b")
    await second.start()
    assert not second.has_leadership() and second.leadership.status is LeaderStatus.PENDING
    stream = second.states()
    assert (await anext(stream)).status is LeaderStatus.PENDING
    await first.close(CloseMode.NOTIFY_LEADER)
    state = await asyncio.wait_for(anext(stream), WAIT)
    assert state.status is LeaderStatus.LEADER and state.epoch is not None and state.epoch > epoch
    assert second.epoch == state.epoch
    assert [p.id for p in await second.get_participants()] == ["b"]
    assert told.seen == ["is_leader", "not_leader"]
    assert [s.status for s in seen] == [LeaderStatus.PENDING, LeaderStatus.LEADER, LeaderStatus.RESIGNED,
                                        LeaderStatus.CLOSED]
    assert seen[-1].epoch == epoch
    await second.close()
    rest = [s async for s in stream]
    assert [s.status for s in rest] == [LeaderStatus.RESIGNED, LeaderStatus.CLOSED]


async def test_cancelled_await_leadership_keeps_the_place(zk_aio_client: AsyncZkClient,
                                                          zk_aio_client_factory: Any) -> None:
    leader = zk_aio_client.LeaderLatch("/c", "leader")
    await leader.start()
    assert await leader.await_leadership(WAIT)
    waiter = LeaderLatch(await zk_aio_client_factory(), "/c", "waiter")
    await waiter.start()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(waiter.await_leadership(), 0.2)
    assert len(await children(zk_aio_client, "/c")) == 2  # nothing removed
    await leader.close()
    assert await waiter.await_leadership(WAIT)
    await waiter.close()


async def test_cancelled_start_leaves_no_node(fault_proxy: Any, zk_aio_client: AsyncZkClient,
                                              zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory(fault_proxy.hosts, timeout=15.0)
    await zk.ensure_path("/orphans")
    listeners = len(zk.state_listeners)
    fault_proxy.stall_replies()  # the create reaches the server; its reply does not come back
    latch = zk.LeaderLatch("/orphans", "x")
    starting = asyncio.ensure_future(latch.start())
    await until(lambda: children(zk_aio_client, "/orphans"))  # the create was applied
    starting.cancel()
    fault_proxy.resume()
    with pytest.raises(asyncio.CancelledError):
        await starting
    await until(lambda: _empty(zk_aio_client, "/orphans"))
    assert latch.get_state().value == "CLOSED"
    assert len(zk.state_listeners) == listeners  # close() removed the listener it added


async def _empty(zk: AsyncZkClient, path: str) -> bool:
    return not await children(zk, path)


async def test_close_removes_its_listener_and_watch(zk_aio_client: AsyncZkClient,
                                                    zk_aio_client_factory: Any) -> None:
    zk = await zk_aio_client_factory()
    leader = zk_aio_client.LeaderLatch("/w", "leader")
    await leader.start()
    assert await leader.await_leadership(WAIT)
    listeners = len(zk.state_listeners)
    waiter = zk.LeaderLatch("/w", "waiter")
    fired: list[Any] = []
    waiter._watcher = fired.append  # the one watch callback the latch registers (and close removes)
    await waiter.start()
    await until(lambda: waiter._watched is not None)  # it watches the leader's node
    await waiter.close()
    assert len(zk.state_listeners) == listeners
    assert waiter._watched is None
    await leader.close()  # the watched node goes: our callback must not be called any more
    await zk.sync("/")
    await zk.get_children("/")  # (a watch event comes before a later reply)
    assert fired == []


class Work:
    """An asyncio selector listener: a term lasts until cancelled."""

    def __init__(self) -> None:
        self.terms = 0
        self.cancelled = 0

    async def take_leadership(self, client: Any) -> None:
        self.terms += 1
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


async def test_selectors_take_turns_with_increasing_epochs(zk_aio_client: AsyncZkClient,
                                                           zk_aio_client_factory: Any) -> None:
    one, two = Work(), Work()
    first = zk_aio_client.LeaderSelector("/s", one, "one")
    second = LeaderSelector(await zk_aio_client_factory(), "/s", two, "two")
    first.auto_requeue()
    await first.start()
    assert await first.await_leadership(WAIT)
    epoch = first.epoch
    await second.start()
    await until(lambda: len_is(zk_aio_client, "/s", 2))
    assert [p.id for p in await second.get_participants()] == ["one", "two"]
    first.interrupt_leadership()  # cancels the term: the next in line leads
    assert await second.await_leadership(WAIT)
    assert second.epoch is not None and epoch is not None and second.epoch > epoch
    assert one.cancelled == 1 and not first.has_leadership()
    await until(lambda: len_is(zk_aio_client, "/s", 2))  # auto-requeued
    await second.close()
    assert await first.await_leadership(WAIT)
    await until(lambda: one.terms == 2)  # (the term's task runs soon after leadership starts)
    await first.close()
    assert await children(zk_aio_client, "/s") == []


async def len_is(zk: AsyncZkClient, path: str, count: int) -> bool:
    return len(await children(zk, path)) == count


async def test_long_stall_hands_over_and_the_old_leader_queues_again(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    victim = (await zk_aio_client_factory(fault_proxy.hosts, timeout=SESSION)).LeaderLatch("/f", "victim")
    await victim.start()
    assert await victim.await_leadership(WAIT)
    first = victim.epoch
    other = (await zk_aio_client_factory(timeout=SESSION)).LeaderLatch("/f", "other")
    await other.start()
    fault_proxy.stall()
    assert await other.await_leadership(TAKEOVER)
    assert not victim.has_leadership()
    assert other.epoch is not None and first is not None and other.epoch > first
    fault_proxy.resume()
    await until(lambda: victim.leadership.status is LeaderStatus.PENDING
                and (victim.leadership.epoch or 0) > (other.epoch or 0))
    assert other.has_leadership() and not victim.has_leadership()
    await victim.close()
    await other.close()


async def test_a_term_may_close_its_own_selector(zk_aio_client: AsyncZkClient) -> None:
    closed = asyncio.Event()

    class CloseMyself:
        selector: LeaderSelector | None = None

        async def take_leadership(self, client: Any) -> None:
            assert self.selector is not None
            await self.selector.close()  # from the term itself: must not wait for itself
            closed.set()

    work = CloseMyself()
    selector = zk_aio_client.LeaderSelector("/self", work, "me")
    work.selector = selector
    await selector.start()
    await asyncio.wait_for(closed.wait(), WAIT)
    async with asyncio.timeout(WAIT):  # the worker finishes the close once the term has returned
        statuses = [state.status async for state in selector.states()]
    assert statuses[-1] is LeaderStatus.CLOSED
    assert not selector.has_leadership()
    assert await children(zk_aio_client, "/self") == []  # the node went before CLOSED


async def test_selector_short_stall_cancels_the_term_and_hands_over(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    mine, theirs = Work(), Work()
    stalled = await zk_aio_client_factory(fault_proxy.hosts, timeout=SESSION)
    victim = stalled.LeaderSelector("/fs", mine, "v")
    other = (await zk_aio_client_factory(timeout=SESSION)).LeaderSelector("/fs", theirs, "o")
    await victim.start()
    assert await victim.await_leadership(WAIT)
    first = victim.epoch
    await other.start()
    stream = victim.states()
    assert (await anext(stream)).status is LeaderStatus.LEADER
    fault_proxy.stall()
    resigned = await asyncio.wait_for(anext(stream), WAIT)  # SUSPENDED cancelled the term
    assert resigned == LeadershipState(LeaderStatus.RESIGNED, first) and mine.cancelled == 1
    fault_proxy.resume()
    assert await other.await_leadership(TAKEOVER)
    assert other.epoch is not None and first is not None and other.epoch > first
    assert not victim.has_leadership()
    await victim.close()
    await other.close()
