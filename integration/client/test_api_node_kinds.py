"""TTL and container nodes (reaped by the server), and protected creates.

The harness's server checks TTL/container nodes every second
(``-Dznode.container.checkIntervalMs=1000``); waits for the reaping are
bounded by an exists-watch event.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from _client_helpers import watch_recorder

from zkrecipes import EventType
from zkrecipes import exceptions as exc

PROTECTED = re.compile(r"/locks/_c_[0-9a-f]{32}-lock-(\d{10})")


def _wait_deleted(client: Any, path: str, timeout: float = 60.0) -> None:
    """Wait (bounded) until ``path`` is gone, via an exists watch."""
    events = watch_recorder(client)
    if client.exists(path, watch=events) is None:
        return
    got = events.wait_count(1, timeout)
    assert got[0].type == EventType.DELETED and got[0].path == path


def test_ttl_node_is_reaped(zk_client: Any) -> None:
    assert zk_client.create("/ttl", b"short-lived", ttl=500) == "/ttl"
    assert zk_client.get("/ttl")[0] == b"short-lived"
    _wait_deleted(zk_client, "/ttl")
    assert zk_client.exists("/ttl") is None


def test_sequential_ttl_node_is_reaped(zk_client: Any) -> None:
    path = zk_client.create("/ttl-seq-", b"", sequence=True, ttl=500)
    assert re.fullmatch(r"/ttl-seq-\d{10}", path)
    _wait_deleted(zk_client, path)


def test_ttl_node_with_children_survives_until_empty(zk_client: Any) -> None:
    zk_client.create("/ttlp", b"", ttl=500)
    zk_client.create("/ttlp/child", b"")
    zk_client.delete("/ttlp/child")
    _wait_deleted(zk_client, "/ttlp")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ttl": 1000, "ephemeral": True},
        {"ttl": 0},
        {"ttl": -5},
        {"ttl": 1000, "container": True},
        {"container": True, "ephemeral": True},
        {"container": True, "sequence": True},
    ],
    ids=["ttl-ephemeral", "ttl-zero", "ttl-negative", "ttl-container", "container-ephemeral",
         "container-sequence"],
)
def test_invalid_node_kind_combinations(zk_client: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(exc.InvalidArgumentError):
        zk_client.create("/bad-kind", b"", **kwargs)
    assert zk_client.exists("/bad-kind") is None


def test_ttl_must_be_int(zk_client: Any) -> None:
    with pytest.raises(exc.InvalidTypeError):
        zk_client.create("/bad-ttl", b"", ttl="1000")


def test_container_is_reaped_after_last_child_goes(zk_client: Any) -> None:
    assert zk_client.create("/box", b"", container=True) == "/box"
    zk_client.create("/box/item", b"")
    zk_client.delete("/box/item")
    _wait_deleted(zk_client, "/box")


def test_container_with_child_is_kept(zk_client: Any) -> None:
    zk_client.create("/full", b"", container=True)
    zk_client.create("/full/item", b"")
    zk_client.create("/gone", b"", container=True)
    zk_client.create("/gone/item", b"")
    zk_client.delete("/gone/item")
    _wait_deleted(zk_client, "/gone")  # the reaper ran at least once since /full got its child
    assert zk_client.exists("/full") is not None


def test_protected_ephemeral_sequential_name(zk_client: Any) -> None:
    zk_client.create("/locks")
    first = zk_client.create("/locks/lock-", b"me", ephemeral=True, sequence=True, protected=True)
    second = zk_client.create("/locks/lock-", b"me", ephemeral=True, sequence=True, protected=True)
    m1, m2 = PROTECTED.fullmatch(first), PROTECTED.fullmatch(second)
    assert m1 and m2, (first, second)
    assert int(m1.group(1)) < int(m2.group(1))
    assert first[len("/locks/_c_"):][:32] != second[len("/locks/_c_"):][:32]  # one guid per create
    stat = zk_client.exists(first)
    assert stat is not None and stat.ephemeralOwner == zk_client.client_id[0]
    assert sorted(zk_client.get_children("/locks")) == sorted(p.rsplit("/", 1)[1] for p in (first, second))
    assert zk_client.get(first)[0] == b"me"


def test_protected_create_with_makepath_and_async(zk_client: Any) -> None:
    path = zk_client.create_async("/locks/lock-", b"", ephemeral=True, sequence=True, protected=True,
                                  makepath=True).get(timeout=30)
    assert PROTECTED.fullmatch(path), path
