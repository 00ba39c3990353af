"""The pure rules of SharedValue/SharedCount/DistributedAtomicLong's conditional writes.

CURATOR-688 (a wrapped 32-bit version froze Curator's value), ZOOKEEPER-4743
(version -1 is "any version"), and the read-back after a lost reply.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from zkrecipes.recipes.curator import SharedCount, SharedValue
from zkrecipes.recipes.curator._conditional_write import (
    LOST_RACE,
    NOT_APPLIED,
    check_conditional_version,
    is_newer,
    judge_read_back,
    next_version,
)
from zkrecipes.states import ZnodeStat

INT32_MAX = 2**31 - 1


def stat(version: int, mzxid: int) -> ZnodeStat:
    return ZnodeStat(1, mzxid, 0, 0, version, 0, 0, 0, 4, 0, 1)


def test_versions_wrap_as_the_servers_int32() -> None:
    assert next_version(0) == 1
    assert next_version(INT32_MAX) == -(2**31)  # what the wire carries past 2**31 - 1
    assert next_version(-2) == -1


def test_newer_is_decided_by_mzxid_not_version() -> None:
    assert is_newer(101, 100)
    assert not is_newer(100, 100)
    assert not is_newer(99, 100)


def test_version_minus_one_is_refused_for_a_conditional_write() -> None:
    check_conditional_version("/c", 0)
    check_conditional_version("/c", -(2**31))
    with pytest.raises(ValueError, match="ZOOKEEPER-4743"):
        check_conditional_version("/c", -1)


def test_read_back_unchanged_is_not_applied() -> None:
    assert judge_read_back(7, 500, b"new", (b"old", stat(7, 500))) == NOT_APPLIED
    assert judge_read_back(None, 0, b"new", None) == NOT_APPLIED  # a create: still missing


def test_read_back_next_version_with_other_bytes_is_a_lost_race() -> None:
    assert judge_read_back(7, 500, b"new", (b"theirs", stat(8, 600))) == LOST_RACE
    assert judge_read_back(INT32_MAX, 500, b"new", (b"theirs", stat(-(2**31), 600))) == LOST_RACE
    assert judge_read_back(None, 0, b"new", (b"theirs", stat(0, 600))) == LOST_RACE


@pytest.mark.parametrize("found", [
    (b"new", stat(8, 600)),  # our bytes at the next version: ours, or an identical write
    (b"new", stat(0, 600)),  # deleted and made again
    (b"x", stat(9, 700)),  # moved on past the version we would have made
    (b"old", stat(7, 650)),  # the same version, but re-made since (other mzxid)
    None,  # deleted
])
def test_read_back_anything_else_is_unknown(found: Any) -> None:
    with pytest.raises(ValueError):
        judge_read_back(7, 500, b"new", found)


@pytest.fixture(autouse=True)
def _node_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """start()'s create finds the node there (the reads below say what it holds)."""
    from zkrecipes.exceptions import NodeExistsError
    from zkrecipes.recipes.curator import shared_value

    def exists(*args: Any, **kwargs: Any) -> None:
        raise NodeExistsError()

    monkeypatch.setattr(shared_value, "create_with_containers", exists)


class _Handler:
    def lock_object(self) -> Any:
        return threading.RLock()


class _Client:
    """Just enough of a client for SharedValue's bookkeeping: each ``get`` returns the next stat."""

    def __init__(self, reads: list[tuple[bytes, ZnodeStat]]) -> None:
        self.handler = _Handler()
        self.connected = False
        self.reads = reads
        self.sets: list[tuple[bytes, int]] = []

    def retry(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    def add_listener(self, listener: Any) -> None:
        pass

    def remove_listener(self, listener: Any) -> None:
        pass

    def get(self, path: str, watch: Any = None) -> tuple[bytes, ZnodeStat]:
        return self.reads.pop(0)

    def set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        self.sets.append((value, version))
        return stat(next_version(version), 10_000 + len(self.sets))


def test_shared_count_follows_a_version_that_wrapped() -> None:
    # CURATOR-688: at version 2**31 - 1 the next write is version -2**31; Curator 5.4 compared versions
    # (current >= new: ignore) and never took a value again. Ordered by mzxid, ours follows.
    client = _Client([(b"\x00\x00\x00\x05", stat(INT32_MAX, 900))])
    count = SharedCount(client, "/c", 0)  # type: ignore[arg-type]
    count.start()
    seen = count.get_versioned_value()
    assert (seen.value, seen.version, seen.zxid) == (5, INT32_MAX, 900)
    assert count.try_set_count(seen, 6)
    assert client.sets == [(b"\x00\x00\x00\x06", INT32_MAX)]
    after = count.get_versioned_value()
    assert (after.value, after.version) == (6, -(2**31))  # taken, though its version is "smaller"
    assert count.try_set_count(after, 7)
    assert count.get_count() == 7


def test_shared_value_refuses_a_conditional_write_at_version_minus_one() -> None:
    client = _Client([(b"v", stat(-1, 900))])
    value = SharedValue(client, "/v", b"")  # type: ignore[arg-type]
    value.start()
    with pytest.raises(ValueError, match="version -1"):
        value.try_set_value(value.get_versioned_value(), b"w")
    assert client.sets == []  # nothing was sent: it would have been a blind write


def test_an_older_read_never_replaces_a_newer_value() -> None:
    client = _Client([(b"new", stat(3, 900))])
    value = SharedValue(client, "/v", b"")  # type: ignore[arg-type]
    value.start()
    value._update(stat(4, 800), b"stale")  # a late reply of an older read (higher version, older mzxid)
    assert value.get_value() == b"new"
