"""The asyncio LeaderSelector and LeaderLatch with Curator peers on the same paths, and the epochs."""

from __future__ import annotations

import asyncio
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.recipes.curator._leader_rules import selector_order
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0


async def in_thread(func: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


async def until(predicate: Any, timeout: float = WAIT) -> None:
    async def poll() -> None:
        while not await in_thread(predicate):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


class Term:
    """An asyncio selector listener: each term lasts until the test lets go."""

    def __init__(self) -> None:
        self.let_go = asyncio.Event()
        self.terms = 0
        self.began = asyncio.Event()

    async def started(self, count: int) -> None:
        while self.terms < count:
            self.began.clear()
            await self.began.wait()

    async def take_leadership(self, client: Any) -> None:
        self.terms += 1
        self.began.set()
        await self.let_go.wait()
        self.let_go.clear()


def first_czxid(zk: ZkClient, path: str) -> int:
    return zk.exists(f"{path}/{selector_order(zk.get_children(path))[0]}").czxid  # type: ignore[union-attr]


async def test_asyncio_selector_and_curator_take_turns_with_increasing_epochs(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient) -> None:
    term = Term()
    selector = zk_aio_client.LeaderSelector("/sel", term, "py-aio")
    selector.auto_requeue()
    await selector.start()
    assert await selector.await_leadership(WAIT)
    ours = selector.epoch
    assert ours is not None and ours == await in_thread(first_czxid, zk_client, "/sel")
    assert (await selector.get_leader()).id == "py-aio"
    # a Curator mutex on the same path waits for our term; a Curator selector queues too
    assert await in_thread(lambda: curator_peer.acquire("mutex", "c", "/sel", timeout=0.3)) is False
    await in_thread(curator_peer.selector_start, "java", "/sel")
    await until(lambda: len(zk_client.get_children("/sel")) == 2)
    assert (await in_thread(curator_peer.selector_state, "java"))[2] == "py-aio"  # Curator sees us lead
    term.let_go.set()
    await until(lambda: curator_peer.selector_state("java")[0])  # Curator's selector leads now
    java = await in_thread(first_czxid, zk_client, "/sel")
    assert java > ours and not selector.has_leadership()
    await until(lambda: len(zk_client.get_children("/sel")) == 2)  # we queued again
    await in_thread(curator_peer.selector_let_go, "java")
    assert await selector.await_leadership(WAIT)
    assert selector.epoch is not None and selector.epoch > java
    await asyncio.wait_for(term.started(2), WAIT)  # (the term's task runs soon after leadership starts)
    await selector.close()  # cancels the running term, deletes our node
    assert await in_thread(lambda: zk_client.get_children("/sel")) == []


async def test_asyncio_latch_and_curator_latch_agree_on_the_leader(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient) -> None:
    latch = zk_aio_client.LeaderLatch("/lat", "py-aio")
    await latch.start()
    assert await latch.await_leadership(WAIT)
    await in_thread(curator_peer.latch_start, "java", "/lat")
    await until(lambda: len(zk_client.get_children("/lat")) == 2)
    assert (await in_thread(curator_peer.latch_state, "java")).leader == "py-aio"
    assert [p.id for p in await latch.get_participants()] == ["py-aio", "java"]
    ours = latch.epoch
    await latch.close()
    assert await in_thread(curator_peer.latch_await, "java", 10)
    (name,) = await in_thread(zk_client.get_children, "/lat")
    stat = await in_thread(zk_client.exists, f"/lat/{name}")
    assert stat is not None and ours is not None and stat.czxid > ours
