"""asyncio DoubleBarrier.leave deletes its round's "ready" node once, even when the delete's reply
is lost with the connection (issue 16; the threaded recipe's rule): the retry must not delete the
next round's node, and NoNode after a lost reply is success."""

from __future__ import annotations

import asyncio
from typing import Any

from test_aio_recipes_gate import WAIT, until

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import DoubleBarrier


class _HoldRepliesFromFirstDelete:
    """The member client, except that from its first delete on the server's replies are held back
    (the proxy's STALL_REPLIES): that delete reaches the server and is applied, its reply does not come."""

    def __init__(self, client: AsyncZkClient, proxy: Any) -> None:
        self._client, self._proxy = client, proxy

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != "delete" or self._proxy is None:
            return attribute

        def armed(*args: Any, **kwargs: Any) -> Any:
            if self._proxy is not None:
                self._proxy.stall_replies()
                self._proxy = None
            return attribute(*args, **kwargs)

        return armed


async def _entered(fault_proxy: Any, factory: Any) -> tuple[DoubleBarrier, AsyncZkClient, Any]:
    member = await factory(fault_proxy.hosts, timeout=10.0)
    other = await factory()
    barrier = DoubleBarrier(_HoldRepliesFromFirstDelete(member, fault_proxy), "/double", 1,  # type: ignore[arg-type]
                            identifier="m")
    assert await barrier.enter(timeout=WAIT) is True
    first = await other.exists("/double/ready")
    assert first is not None
    return barrier, other, first


async def _ready_gone(other: AsyncZkClient) -> bool:
    return await other.exists("/double/ready") is None


async def test_a_lost_reply_to_the_ready_delete_does_not_delete_the_next_rounds_node(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    barrier, other, first = await _entered(fault_proxy, zk_aio_client_factory)
    leaving = asyncio.ensure_future(barrier.leave(timeout=WAIT))
    await until(lambda: _ready_gone(other), message="the ready delete applied")
    await other.create("/double/ready")  # the next round's node, made before the member hears back
    fault_proxy.close_connections()  # the reply is lost with the connection
    fault_proxy.resume()
    assert await asyncio.wait_for(leaving, WAIT) is True
    kept = await other.exists("/double/ready")
    assert kept is not None and kept.czxid != first.czxid  # the next round's node survives
    assert await other.get_children("/double") == ["ready"]  # the member's own node is gone


async def test_a_lost_reply_to_the_ready_delete_is_success(
        fault_proxy: Any, zk_aio_client_factory: Any) -> None:
    barrier, other, _first = await _entered(fault_proxy, zk_aio_client_factory)
    leaving = asyncio.ensure_future(barrier.leave(timeout=WAIT))
    await until(lambda: _ready_gone(other), message="the ready delete applied")
    fault_proxy.close_connections()
    fault_proxy.resume()
    assert await asyncio.wait_for(leaving, WAIT) is True
    assert await other.get_children("/double") == []
