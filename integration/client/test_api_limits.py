"""Size limits (data near 1 MiB) and wide nodes (10,000 children)."""

from __future__ import annotations

from typing import Any

import pytest
from _client_helpers import WAIT

from zkrecipes import exceptions as exc

MIB = 1024 * 1024
JUST_UNDER = MIB - 1024  # fits the server's default jute.maxbuffer (0xfffff) with headers
JUST_OVER = MIB + 1


def test_data_just_under_one_mib_roundtrips(zk_client: Any) -> None:
    blob = bytes(range(256)) * (JUST_UNDER // 256)
    assert len(blob) == JUST_UNDER
    zk_client.create("/big", blob)
    data, stat = zk_client.get("/big")
    assert data == blob and stat.dataLength == JUST_UNDER
    zk_client.set("/big", blob[::-1])
    assert zk_client.get("/big")[0] == blob[::-1]


def test_data_over_one_mib_fails_cleanly_and_session_survives(zk_client: Any) -> None:
    session = zk_client.client_id
    zk_client.create("/small", b"s")
    too_big = b"\xab" * JUST_OVER
    with pytest.raises(exc.DataTooLargeError):
        zk_client.create("/huge", too_big)
    with pytest.raises(exc.DataTooLargeError):
        zk_client.set("/small", too_big)
    with pytest.raises(exc.DataTooLargeError):
        zk_client.create_async("/huge2", too_big).get(timeout=WAIT)
    tx = zk_client.transaction()
    with pytest.raises(exc.DataTooLargeError):
        tx.create("/huge3", too_big)
        tx.commit()
    assert isinstance(exc.DataTooLargeError(), ValueError)
    # The session is the same and healthy: nothing was sent that made the server drop us.
    assert zk_client.client_id == session and zk_client.connected
    assert zk_client.get("/small")[0] == b"s"
    assert zk_client.exists("/huge") is None


def test_many_small_values_in_one_transaction_over_limit(zk_client: Any) -> None:
    tx = zk_client.transaction()
    with pytest.raises(exc.DataTooLargeError):
        for i in range(4):
            tx.create(f"/part{i}", b"x" * (300 * 1024))
        tx.commit()
    assert zk_client.get_children("/") == []
    assert zk_client.connected


def test_ten_thousand_children(zk_client: Any) -> None:
    count = 10_000
    zk_client.create("/wide")
    pending = [zk_client.create_async(f"/wide/child-{i:05d}", b"") for i in range(count)]
    created = [r.get(timeout=120) for r in pending]
    assert len(set(created)) == count
    children = zk_client.get_children("/wide")
    assert len(children) == count
    assert sorted(children) == [f"child-{i:05d}" for i in range(count)]
    kids, stat = zk_client.get_children("/wide", include_data=True)
    assert len(kids) == count and stat.numChildren == count
    assert zk_client.get_all_children_number("/wide") == count
    assert zk_client.get_all_children_number_async("/").get(timeout=WAIT) == count + 1
    zk_client.delete("/wide", recursive=True)
    assert zk_client.exists("/wide") is None
