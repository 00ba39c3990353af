"""CuratorCache's pipelined loader against an in-memory tree: bounded window, any size, races."""

from __future__ import annotations

import collections
from typing import Any

import pytest

from zkrecipes.exceptions import FrameTooLargeError, NoNodeError
from zkrecipes.recipes.curator._cache_loader import read_subtree
from zkrecipes.states import ZnodeStat


class Reply:
    """A Pending answered when the fake server "sends" it (in order)."""

    def __init__(self, server: FakeServer, answer: Any) -> None:
        self.server = server
        self.answer = answer

    def get(self, *, timeout: float | None = None) -> Any:
        self.server.answered(self)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


class FakeServer:
    """Answers get/get_children from a dict tree; checks replies are awaited in send order."""

    def __init__(self, tree: dict[str, bytes]) -> None:
        self.tree = tree
        self.outstanding: collections.deque[Reply] = collections.deque()
        self.most_outstanding = 0
        self.requests: list[tuple[str, str, bool]] = []
        self.before_reply: dict[str, str] = {}  # path -> a path deleted when its get is answered
        self._kids: dict[str, list[str]] | None = None

    def _send(self, answer: Any) -> Reply:
        reply = Reply(self, answer)
        self.outstanding.append(reply)
        self.most_outstanding = max(self.most_outstanding, len(self.outstanding))
        return reply

    def answered(self, reply: Reply) -> None:
        assert self.outstanding.popleft() is reply, "replies awaited out of order"

    def _stat(self, path: str) -> ZnodeStat:
        return ZnodeStat(1, 1, 0, 0, 0, 0, 0, 0, 0, len(self._children(path)), 1)

    def _children(self, path: str) -> list[str]:
        kids: dict[str, list[str]] = collections.defaultdict(list)
        if self._kids is None:
            for node in self.tree:
                parent, _, name = node.rpartition("/")
                kids[parent or "/"].append(name)
            self._kids = kids
        return sorted(self._kids.get(path, []))

    def get_async(self, path: str, watch: Any = None) -> Reply:
        self.requests.append(("get", path, watch is not None))
        if path not in self.tree:
            return self._send(NoNodeError(path))
        answer = (self.tree[path], self._stat(path))
        gone = self.before_reply.pop(path, None)
        if gone is not None:
            self.tree.pop(gone, None)  # the list already sent still names it
        return self._send(answer)

    def get_children_async(self, path: str, watch: Any = None) -> Reply:
        self.requests.append(("children", path, watch is not None))
        if path not in self.tree:
            return self._send(NoNodeError(path))
        return self._send(self._children(path))


def tree_of(count: int) -> dict[str, bytes]:
    tree = {"/r": b"root", "/r/a": b"a", "/r/a/x": b"x"}
    tree.update({f"/r/n{i:05d}": str(i).encode() for i in range(count)})
    return tree


def test_everything_loads_with_a_bounded_window() -> None:
    server = FakeServer(tree_of(70_000))
    found = read_subtree(server, "/r", None, frame_limit=1 << 20, window=64)  # type: ignore[arg-type]
    assert len(found) == 70_003
    assert found["/r/a/x"][0] == b"x" and sorted(found["/r"][2])[:2] == ["a", "n00000"]
    assert server.most_outstanding <= 65  # the window, plus the child list asked for by a reply
    # without watches, leaves are not listed
    assert not any(kind == "children" and path.startswith("/r/n") for kind, path, _ in server.requests)


def test_one_shot_mode_lists_every_node_with_watches() -> None:
    server = FakeServer(tree_of(10))
    read_subtree(server, "/r", print, frame_limit=1 << 20)  # type: ignore[arg-type]
    listed = {path for kind, path, watched in server.requests if kind == "children" and watched}
    assert listed == {"/r", "/r/a", "/r/a/x"} | {f"/r/n{i:05d}" for i in range(10)}
    assert all(watched for _kind, _path, watched in server.requests)


def test_a_node_deleted_during_the_load_is_left_out() -> None:
    server = FakeServer(tree_of(3))
    server.before_reply["/r"] = "/r/n00001"  # gone between the parent's list and its own get
    found = read_subtree(server, "/r", None, frame_limit=1 << 20)  # type: ignore[arg-type]
    assert "/r/n00001" not in found and "/r/n00002" in found


def test_an_absent_top_gives_nothing() -> None:
    assert read_subtree(FakeServer({}), "/r", None, frame_limit=1 << 20) == {}  # type: ignore[arg-type]


def test_a_child_list_too_large_for_a_reply_is_refused_before_asking() -> None:
    server = FakeServer(tree_of(300))
    with pytest.raises(FrameTooLargeError):
        read_subtree(server, "/r", None, frame_limit=1024)  # type: ignore[arg-type]
    assert ("children", "/r", False) not in server.requests
