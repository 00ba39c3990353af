"""AsyncZkClient on a 3-member ensemble: killing the member the client is on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from zkrecipes import ZkState
from zkrecipes import exceptions as exc
from zkrecipes.testing import FaultProxy

WAIT = 30.0


@pytest.fixture
def ensemble(zk_ensemble: Any) -> Iterator[Any]:
    """The session's ensemble; any member a test killed is restarted afterwards."""
    yield zk_ensemble
    zk_ensemble.ensure_running()


@pytest.mark.ensemble
async def test_killing_the_member_the_client_is_on(ensemble: Any, zk_aio_client_factory: Any) -> None:
    victim, survivor = ensemble.followers()[:2]
    with FaultProxy.in_front_of(ensemble.hosts_of([victim])) as proxy:
        # Through the proxy the client's first host is the victim; the survivor is next.
        zk = await zk_aio_client_factory(f"{proxy.hosts},{ensemble.hosts_of([survivor])}",
                                         admin_hosts=ensemble.hosts, randomize_hosts=False, timeout=10.0)
        states = zk.states()
        await zk.create("/data", b"d")
        session = zk.client_id
        proxy.stall()
        written = [asyncio.ensure_future(zk.get("/data")) for _ in range(20)]
        loop = asyncio.get_running_loop()
        end = loop.time() + WAIT
        while zk.transport.pending_count < len(written):  # all written (held by the proxy)
            assert loop.time() < end, "the requests were never written"
            await asyncio.sleep(0.01)
        await loop.run_in_executor(None, ensemble.kill_member, victim)
        proxy.drop()  # the victim's connection ends; the proxy refuses new ones
        outcomes = await asyncio.wait_for(asyncio.gather(*written, return_exceptions=True), WAIT)
        assert all(isinstance(o, exc.ConnectionLoss) for o in outcomes), outcomes

        seen: list[ZkState] = []

        async def until_connected() -> None:
            async for state in states:
                seen.append(state)
                if state is ZkState.CONNECTED:
                    return

        await asyncio.wait_for(until_connected(), WAIT)
        assert seen[0] is ZkState.SUSPENDED and ZkState.LOST not in seen
        assert zk.client_id == session  # the same session, on the survivor
        assert (await zk.retry(zk.get, "/data"))[0] == b"d"
        assert await zk.create("/after-failover", b"") == "/after-failover"
