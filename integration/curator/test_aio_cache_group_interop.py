"""The asyncio GroupMember and PersistentNode with Curator and sync zkrecipes members of one group.

One group, three members: Curator's ``GroupMember``, the sync one and the
asyncio one; each sees all three (and payload changes). A real expiry of the
asyncio member's session: its node comes back in the new session and every
view ends with the three members. A protected asyncio PersistentNode is made
again after a delete; close takes back everything it added to the client.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes.curator import PersistentNode
from zkrecipes.recipes.curator import GroupMember as SyncGroupMember
from zkrecipes.testing import expire_session
from zkrecipes.testing.curator import CuratorSession

WAIT = 30.0
ALL = {"java-1": b"j", "py-1": b"s", "aio-1": b"a"}


async def until(predicate: Callable[[], Any], timeout: float = WAIT) -> None:
    """Poll ``predicate`` (run in a thread: it may call the peer) until true, within ``timeout``."""
    async def poll() -> None:
        while not await asyncio.to_thread(predicate):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def test_asyncio_sync_and_curator_members_see_each_other_through_an_expiry(
        curator_peer: CuratorSession, zk_client: ZkClient, zk_aio_client: AsyncZkClient,
        zk_hosts: str) -> None:
    await asyncio.to_thread(curator_peer.group_start, "g", "/group", "java-1", b"j")
    sync_member = SyncGroupMember(zk_client, "/group", "py-1", b"s")
    await asyncio.to_thread(sync_member.start)
    views: list[dict[str, bytes]] = []

    async def heard(members: dict[str, bytes]) -> None:
        views.append(members)

    member = zk_aio_client.GroupMember("/group", "aio-1", b"a")
    member.add_listener(heard)
    async with member:
        assert await member.wait_for_initial_create(WAIT) and await member.wait_initialized(WAIT)
        await until(lambda: member.get_current_members() == ALL
                    and sync_member.get_current_members() == ALL and curator_peer.group_members("g") == ALL)
        assert views[-1] == ALL
        stat = await zk_aio_client.exists("/group/aio-1")
        assert stat is not None and stat.ephemeralOwner == zk_aio_client.client_id[0]  # type: ignore[index]
        await member.set_this_data(b"a2")
        changed = dict(ALL, **{"aio-1": b"a2"})
        await until(lambda: curator_peer.group_members("g") == changed
                    and sync_member.get_current_members() == changed)

        client_id = zk_aio_client.client_id
        assert client_id is not None
        await asyncio.to_thread(expire_session, zk_hosts, client_id)

        def back() -> bool:  # our node made again, owned by the new session, seen by all
            current = zk_aio_client.client_id
            node = zk_client.exists("/group/aio-1")
            return (current is not None and current[0] != client_id[0] and node is not None
                    and node.ephemeralOwner == current[0] and member.get_current_members() == changed
                    and curator_peer.group_members("g") == changed)

        await until(back)
        assert views[-1] == changed
    await until(lambda: "aio-1" not in curator_peer.group_members("g")
                and "aio-1" not in sync_member.get_current_members())
    await asyncio.to_thread(sync_member.close)
    await asyncio.to_thread(curator_peer.group_close, "g")


async def test_protected_persistent_node_is_kept_and_close_leaves_nothing(
        zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    listeners = len(zk.state_listeners)
    node = PersistentNode(zk, "/keep/me", b"data", use_protection=True)
    await node.start()
    assert await node.wait_for_initial_create(WAIT)
    first = node.get_actual_path()
    assert first is not None and first.startswith("/keep/_c_") and first.endswith("-me")
    assert (await zk.get(first))[0] == b"data"
    stat = await zk.exists("/keep")
    assert stat is not None and stat.ephemeralOwner == 0
    await zk.delete(first)  # someone deletes it: it is made again, same protected name
    async def recreated() -> bool:
        found = await zk.exists(first)
        return found is not None and found.czxid > stat.czxid


    await asyncio.wait_for(_poll(recreated), WAIT)
    await node.set_data(b"new")
    assert (await zk.get(first))[0] == b"new"
    await node.close()
    assert await zk.exists(first) is None
    # The client's watch-delivery task keeps the callback it ran last until it runs the next one:
    # deliver one of ours, so what remains is only what the node registered.
    flushed = asyncio.Event()
    await zk.exists("/flush", lambda event: flushed.set())
    await zk.create("/flush")
    await asyncio.wait_for(flushed.wait(), WAIT)
    gone = weakref.ref(node)
    del node
    gc.collect()
    assert gone() is None, "the client keeps a closed PersistentNode alive"
    assert len(zk.state_listeners) == listeners


async def _poll(predicate: Callable[[], Any]) -> None:
    while not await predicate():
        await asyncio.sleep(0.02)
