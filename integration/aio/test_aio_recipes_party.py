"""asyncio Party/ShallowParty and leases against a real ZooKeeper: sync interop, cancellation, expiry."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from test_aio_recipes_gate import WAIT, GatedClient, children

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import MultiNonBlockingLease, NonBlockingLease, Party, ShallowParty
from zkrecipes.recipes.lease import NonBlockingLease as SyncLease
from zkrecipes.recipes.lease import utc_now
from zkrecipes.recipes.party import Party as SyncParty
from zkrecipes.recipes.party import ShallowParty as SyncShallowParty
from zkrecipes.testing import expire_session

SYNC = pytest.mark.parametrize("zk_handler_name", ["threading"])


async def test_party_join_members_leave(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    pa, pb = a.Party("/p", "alice"), Party(b, "/p", "bob")
    assert isinstance(pa, Party)
    await pa.join()
    await pa.join()  # idempotent
    await pb.join()
    assert sorted(await pa.members()) == ["alice", "bob"] and await pa.count() == 2
    assert sorted([m async for m in pb]) == ["alice", "bob"]
    assert await pa.leave() is True and await pb.count() == 1
    shallow = b.ShallowParty("/sp", "w1")
    assert isinstance(shallow, ShallowParty)
    await shallow.join()
    assert await ShallowParty(a, "/sp", "w2").members() == ["w1"]


@SYNC
async def test_parties_shared_with_the_sync_recipes(zk_client_factory: Any,
                                                    zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, SyncParty(sync_zk, "/mix", "sync").join)
    await loop.run_in_executor(None, SyncShallowParty(sync_zk, "/smix", "sync").join)
    party, shallow = Party(zk_aio_client, "/mix", "async"), ShallowParty(zk_aio_client, "/smix", "async")
    await party.join()
    await shallow.join()
    assert sorted(await party.members()) == ["async", "sync"]
    assert sorted(await shallow.members()) == ["async", "sync"]
    seen = await loop.run_in_executor(None, lambda: list(SyncParty(sync_zk, "/mix")))
    assert sorted(seen) == ["async", "sync"]


async def test_cancelled_join_leaves_no_node(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    await zk.ensure_path("/cj")
    gated = GatedClient(zk, "create", match="/cj/")
    party = Party(gated, "/cj", "me")  # type: ignore[arg-type]
    task = asyncio.ensure_future(party.join())
    await asyncio.wait_for(gated.reached.wait(), WAIT)
    assert await children(zk, "/cj") == [party.node]  # created; the reply is held
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled() and not party.participating
    assert await children(zk, "/cj") == []


async def test_member_rejoins_after_real_expiry(zk_hosts: str, zk_aio_client_factory: Any) -> None:
    zk, observer = await zk_aio_client_factory(), await zk_aio_client_factory()
    party = Party(zk, "/ex", "survivor")
    await party.join()
    assert zk.client_id is not None
    old_session = zk.client_id[0]
    await asyncio.get_running_loop().run_in_executor(None, expire_session, zk_hosts, zk.client_id)
    await asyncio.wait_for(party.rejoined.wait(), WAIT)
    assert await Party(observer, "/ex").members() == ["survivor"]
    stat = await observer.exists(party.create_path)
    assert stat is not None and stat.ephemeralOwner != old_session


# ------------------------------------------------------------------ leases

DAY = datetime.timedelta(days=1)


async def test_lease_exclusive_renewal_and_expiry(zk_aio_client_factory: Any) -> None:
    a, b = await zk_aio_client_factory(), await zk_aio_client_factory()
    first = await a.NonBlockingLease("/lease", DAY, "a")
    assert isinstance(first, NonBlockingLease) and first and first.end is not None
    assert not await NonBlockingLease(b, "/lease", DAY, "b")
    assert await NonBlockingLease(a, "/lease", DAY, "a")  # a renewal
    later = utc_now() + 2 * DAY
    assert await NonBlockingLease(b, "/lease", DAY, "b", utcnow=lambda: later)  # a's has ended
    multi = await b.MultiNonBlockingLease(2, "/multi", DAY, "b")
    assert isinstance(multi, MultiNonBlockingLease) and multi and multi.lease is not None
    assert multi.lease.path == "/multi/0"
    other = await MultiNonBlockingLease(a, 2, "/multi", DAY, "a")
    assert other and other.lease is not None and other.lease.path == "/multi/1"
    assert not await MultiNonBlockingLease(a, 2, "/multi", DAY, "c")
    assert [n for n in await children(a, "/lease") if not n.startswith("_c_")] == ["lease_holder"]


@SYNC
async def test_lease_shared_with_the_sync_recipe(zk_client_factory: Any,
                                                zk_aio_client: AsyncZkClient) -> None:
    sync_zk = zk_client_factory()
    loop = asyncio.get_running_loop()
    assert await NonBlockingLease(zk_aio_client, "/sl", DAY, "async")
    assert not await loop.run_in_executor(None, lambda: bool(SyncLease(sync_zk, "/sl", DAY, "sync")))
    later = utc_now() + 2 * DAY
    assert await loop.run_in_executor(None, lambda: bool(SyncLease(sync_zk, "/sl", DAY, "sync",
                                                                   utcnow=lambda: later)))
    assert not await NonBlockingLease(zk_aio_client, "/sl", DAY, "async")


async def test_cancelled_lease_attempt_leaves_no_lock_node(zk_aio_client: AsyncZkClient) -> None:
    zk = zk_aio_client
    earlier = utc_now() - 2 * DAY
    assert await NonBlockingLease(zk, "/cl", DAY, "old", utcnow=lambda: earlier)  # ended already
    gated = GatedClient(zk, "get", match="lease_holder")
    task = asyncio.ensure_future(NonBlockingLease(gated, "/cl", DAY, "me").obtain())  # type: ignore[arg-type]
    await asyncio.wait_for(gated.reached.wait(), WAIT)  # holding the internal lock now
    assert len(await children(zk, "/cl")) == 2  # lease_holder and our lock node
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()
    assert await children(zk, "/cl") == ["lease_holder"]  # the lock node is gone
    assert b'"old"' in (await zk.get("/cl/lease_holder"))[0]  # nothing was written
    assert await NonBlockingLease(zk, "/cl", DAY, "me")
