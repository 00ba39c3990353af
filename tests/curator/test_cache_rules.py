"""CuratorCache's pure rules: newer by zxid (CURATOR-688), the mirror, the reply-size check."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import FrameTooLargeError
from zkrecipes.recipes.curator._cache_rules import (
    CacheStore,
    Freshness,
    Stored,
    check_children_fit,
    children_reply_floor,
    freshness,
)
from zkrecipes.states import ZnodeStat

INT_MAX = 2**31 - 1


def stat(czxid: int, mzxid: int, version: int = 0, num_children: int = 0) -> ZnodeStat:
    return ZnodeStat(czxid, mzxid, 0, 0, version, 0, 0, 0, 0, num_children, czxid)


def test_a_later_write_is_newer_even_when_the_version_wrapped() -> None:
    before = stat(10, 500, version=INT_MAX)
    after = stat(10, 501, version=-(2**31))  # the 32-bit version overflowed (CURATOR-688)
    assert freshness(before, after) is Freshness.NEWER
    assert freshness(after, before) is Freshness.STALE


def test_the_version_is_never_looked_at() -> None:
    assert freshness(stat(1, 5, version=7), stat(1, 5, version=3)) is Freshness.SAME
    assert freshness(stat(1, 5, version=9), stat(1, 6, version=0)) is Freshness.NEWER
    assert freshness(stat(1, 6, version=0), stat(1, 5, version=9)) is Freshness.STALE


def test_a_later_incarnation_is_newer_whatever_its_mzxid() -> None:
    old = stat(10, 900)
    recreated = stat(950, 950)
    assert freshness(old, recreated) is Freshness.NEWER
    assert freshness(recreated, old) is Freshness.STALE


def test_store_publishes_only_newer_reads() -> None:
    store = CacheStore("/r")
    assert store.store("/r", b"root", stat(1, 1))[0] is Stored.CREATED
    kind, old, node = store.store("/r/a", b"1", stat(2, 2, version=INT_MAX))
    assert (kind, old, node.data) == (Stored.CREATED, None, b"1")
    kind, old, node = store.store("/r/a", b"2", stat(2, 3, version=-(2**31)))
    assert kind is Stored.CHANGED and old is not None and old.data == b"1" and node.data == b"2"
    kind, old, node = store.store("/r/a", b"1", stat(2, 2))  # a stale read: ignored
    assert kind is Stored.UNCHANGED and node.data == b"2" and store.nodes["/r/a"].data == b"2"
    assert store.store("/r/a", b"2", stat(2, 3))[0] is Stored.UNCHANGED


def test_store_refuses_orphans_but_takes_the_root_alone() -> None:
    store = CacheStore("/r")
    assert store.store("/r/a/b", b"", stat(3, 3))[0] is Stored.ORPHAN
    assert "/r/a/b" not in store
    assert store.store("/r", b"", stat(1, 1))[0] is Stored.CREATED
    assert store.store("/r/a", b"", stat(2, 2))[0] is Stored.CREATED
    assert store.store("/r/a/b", b"", stat(3, 3))[0] is Stored.CREATED
    assert store.child_names("/r") == {"a"} and len(store) == 3


def test_remove_subtree_children_first_and_forgets_the_name() -> None:
    store = CacheStore("/r")
    for i, path in enumerate(["/r", "/r/a", "/r/a/b", "/r/a/b/c", "/r/z"]):
        store.store(path, None, stat(i + 1, i + 1))
    removed = [n.path for n in store.remove_subtree("/r/a")]
    assert removed == ["/r/a/b/c", "/r/a/b", "/r/a"]
    assert store.child_names("/r") == {"z"} and store.remove_subtree("/r/a") == []


def test_gone_and_store_order() -> None:
    store = CacheStore("/r")
    for i, path in enumerate(["/r", "/r/a", "/r/a/b", "/r/c"]):
        store.store(path, None, stat(i + 1, i + 1))
    fresh = {"/r": (None, stat(1, 1), ["c"]), "/r/c": (None, stat(4, 4), []),
             "/r/d/e": (None, stat(6, 6), []), "/r/d": (None, stat(5, 5), ["e"])}
    assert store.gone(fresh) == ["/r/a/b", "/r/a"]
    assert store.gone(fresh, "/r/c") == []
    assert CacheStore.store_order(fresh) == ["/r", "/r/c", "/r/d", "/r/d/e"]


def test_gone_under_the_zookeeper_root() -> None:
    store = CacheStore("/")
    store.store("/", None, stat(1, 1))
    store.store("/x", None, stat(2, 2))
    assert store.gone({"/": (None, stat(1, 1), [])}) == ["/x"]


def test_children_fit_check() -> None:
    assert children_reply_floor(0) == 20 and children_reply_floor(70_000) == 20 + 5 * 70_000
    check_children_fit("/p", 70_000, 1024 * 1024)  # fits: no error
    with pytest.raises(FrameTooLargeError, match="/p has 300000 children"):
        check_children_fit("/p", 300_000, 1024 * 1024)
