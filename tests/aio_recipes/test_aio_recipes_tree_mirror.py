"""The neutral TreeCache mirror (``recipes/_tree_mirror.py``), shared by the threaded and asyncio caches."""

from __future__ import annotations

import pytest

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.recipes import cache as sync_cache
from zkrecipes.recipes._tree_mirror import NodeData, Stored, TreeEvent, TreeMirror, check_root
from zkrecipes.states import ZnodeStat


def _stat(czxid: int, mzxid: int) -> ZnodeStat:
    return ZnodeStat(czxid, mzxid, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_store_adds_under_cached_parents_only() -> None:
    mirror = TreeMirror("/r")
    assert mirror.store("/r/a", b"", _stat(2, 2))[0] is Stored.ORPHAN  # the root is not cached yet
    assert "/r/a" not in mirror.nodes
    assert mirror.store("/r", b"", _stat(1, 1)) == (Stored.ADDED, NodeData("/r", b"", _stat(1, 1)))
    assert mirror.store("/r/a", b"x", _stat(2, 2))[0] is Stored.ADDED
    assert mirror.get_children("/r", None) == frozenset({"a"})
    assert mirror.store("/r/a", b"x", _stat(2, 2))[0] is Stored.UNCHANGED
    assert mirror.store("/r/a", b"y", _stat(2, 3))[0] is Stored.UPDATED
    assert mirror.store("/r/a", b"y", _stat(4, 4))[0] is Stored.UPDATED  # re-created: a new czxid


def test_remove_subtree_children_before_parents() -> None:
    mirror = TreeMirror("/")
    for path, zxid in (("/", 1), ("/a", 2), ("/a/b", 3), ("/a/b/c", 4), ("/d", 5)):
        mirror.store(path, b"", _stat(zxid, zxid))
    removed = mirror.remove_subtree("/a")
    assert [node.path for node in removed] == ["/a/b/c", "/a/b", "/a"]
    assert mirror.get_children("/", None) == frozenset({"d"}) and mirror.remove_subtree("/a") == []


def test_resync_order_and_gone() -> None:
    mirror = TreeMirror("/r")
    for path, zxid in (("/r", 1), ("/r/a", 2), ("/r/a/b", 3)):
        mirror.store(path, b"", _stat(zxid, zxid))
    fresh = {"/r": (b"", _stat(1, 1), ["c"]), "/r/c": (b"", _stat(9, 9), [])}
    assert mirror.gone(fresh) == ["/r/a/b", "/r/a"]
    assert TreeMirror.store_order({"/r/c/d": fresh["/r"], "/r": fresh["/r"], "/r/c": fresh["/r"]}) == [
        "/r", "/r/c", "/r/c/d"]


def test_paths_and_events() -> None:
    assert check_root("/a/") == "/a" and check_root("/") == "/"
    with pytest.raises(InvalidArgumentError):
        check_root("a")
    with pytest.raises(InvalidTypeError):
        check_root(1)
    mirror = TreeMirror("/a")
    assert mirror.key("/a/b/") == "/a/b"
    with pytest.raises(InvalidArgumentError):
        mirror.key("/ab")
    assert TreeEvent.make(TreeEvent.INITIALIZED).name == "INITIALIZED"
    with pytest.raises(InvalidArgumentError):
        TreeEvent.make(99)
    assert sync_cache.TreeEvent is TreeEvent and sync_cache.NodeData is NodeData  # one definition
