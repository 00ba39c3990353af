"""Transactions (multi) and the read-only multi_read, against a real server."""

from __future__ import annotations

from typing import Any

import pytest

from zkrecipes import ZnodeStat
from zkrecipes import exceptions as exc


def test_successful_transaction_applies_all_ops(zk_client: Any) -> None:
    zk_client.create("/old", b"o")
    zk_client.create("/chk", b"c")
    tx = zk_client.transaction()
    tx.create("/new", b"n")
    tx.set_data("/chk", b"c2")
    tx.check("/chk", 1)
    tx.delete("/old")
    results = tx.commit()
    assert results[0] == "/new"
    assert isinstance(results[1], ZnodeStat) and results[1].version == 1
    assert results[2:] == [True, True]
    assert zk_client.get("/new")[0] == b"n"
    assert zk_client.get("/chk")[0] == b"c2"
    assert zk_client.exists("/old") is None


def test_failed_transaction_applies_nothing_and_reports_per_op(zk_client: Any) -> None:
    zk_client.create("/keep", b"k")
    tx = zk_client.transaction()
    tx.create("/created-then-rolled-back", b"")
    tx.check("/keep", 5)  # wrong version: this op fails
    tx.set_data("/keep", b"never")
    results = tx.commit()
    assert [type(r) for r in results] == [exc.RolledBackError, exc.BadVersionError,
                                         exc.RuntimeInconsistency]
    assert all(isinstance(r, exc.ZookeeperError) for r in results)
    assert zk_client.exists("/created-then-rolled-back") is None
    assert zk_client.get("/keep")[0] == b"k"


def test_failed_transaction_missing_node(zk_client: Any) -> None:
    tx = zk_client.transaction()
    tx.delete("/does-not-exist")
    tx.create("/n", b"")
    results = tx.commit()
    assert isinstance(results[0], exc.NoNodeError)
    assert isinstance(results[1], exc.RuntimeInconsistency)
    assert zk_client.exists("/n") is None


def test_transaction_context_manager_commits_on_exit(zk_client: Any) -> None:
    with zk_client.transaction() as tx:
        tx.create("/ctx", b"1")
        tx.create("/ctx/child", b"2")
    assert zk_client.get("/ctx/child")[0] == b"2"


def test_transaction_sequential_and_ephemeral_create(zk_client: Any) -> None:
    zk_client.create("/q")
    tx = zk_client.transaction()
    tx.create("/q/item-", b"", sequence=True)
    tx.create("/q/eph", b"", ephemeral=True)
    seq_path, eph_path = tx.commit()
    assert seq_path.startswith("/q/item-") and seq_path[-10:].isdigit()
    assert eph_path == "/q/eph"
    stat = zk_client.exists("/q/eph")
    assert stat is not None and stat.ephemeralOwner == zk_client.client_id[0]


def test_transaction_cannot_be_committed_twice(zk_client: Any) -> None:
    tx = zk_client.transaction()
    tx.create("/once", b"")
    tx.commit()
    with pytest.raises((exc.WriterNotClosedException, ValueError)):
        tx.commit()
    with pytest.raises((exc.WriterNotClosedException, ValueError)):
        tx.create("/twice", b"")


def test_transaction_validates_paths_before_sending(zk_client: Any) -> None:
    tx = zk_client.transaction()
    with pytest.raises(exc.InvalidPathError):
        tx.create("/./x", b"")  # issue 10: "no-slash" is normalised to "/no-slash" (kazoo)
    with pytest.raises(exc.InvalidTypeError):
        tx.set_data("/x", "not bytes")


def test_multi_read_returns_per_op_results(zk_client: Any) -> None:
    zk_client.create("/mr", b"data")
    zk_client.create("/mr/a")
    zk_client.create("/mr/b")
    reader = zk_client.multi_read()
    reader.get("/mr")
    reader.get_children("/mr")
    reader.get("/missing")
    reader.get_children("/missing")
    results = reader.commit()
    assert len(results) == 4
    data, stat = results[0]
    assert data == b"data" and isinstance(stat, ZnodeStat) and stat.numChildren == 2
    assert sorted(results[1]) == ["a", "b"]
    assert isinstance(results[2], exc.NoNodeError)
    assert isinstance(results[3], exc.NoNodeError)

