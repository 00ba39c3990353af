"""CuratorCache's rules, front-end neutral (pure: no client, no locks, no I/O).

* **Which read is newer** (:func:`freshness`): decided by zxids, never by the
  znode version. A version is a 32-bit counter that wraps after 2**31 - 1
  writes (CURATOR-688: a cache comparing versions stops seeing changes);
  ``czxid`` (the incarnation) and ``mzxid`` (the last write) only grow. A read
  of a later incarnation is newer whatever its mzxid; within one incarnation
  the larger mzxid wins; an equal pair is the same state; anything else is
  stale and is ignored.
* **The mirror** (:class:`CacheStore`): a node is stored only under a cached
  parent (else it is an *orphan*: a notification raced a re-read, the caller
  reads again); a removal removes the whole cached subtree, children before
  parents; a full re-read removes what is gone (deepest first) and stores
  what was read (parents first).
* **Reply size** (:func:`check_children_fit`): a child list is one reply, and
  a reply larger than the client's frame limit would make the client drop the
  connection and the cache ask again forever. A node whose child count
  already proves the reply too large is refused with a clear error instead.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from zkrecipes.client.protocol.paths import join_path, parent_path
from zkrecipes.exceptions import FrameTooLargeError
from zkrecipes.recipes._tree_mirror import NodeData
from zkrecipes.states import ZnodeStat

__all__ = [
    "CacheStore",
    "Fresh",
    "Freshness",
    "Stored",
    "check_children_fit",
    "children_reply_floor",
    "freshness",
]


class Freshness(enum.Enum):
    """How a read compares with the cached state of the same path."""

    NEWER = "newer"  # a later write, or a later incarnation (re-created)
    SAME = "same"
    STALE = "stale"  # older than what is cached: ignore it


def freshness(cached: ZnodeStat, read: ZnodeStat) -> Freshness:
    """Compare ``read`` with ``cached`` by (czxid, mzxid); the version is never looked at."""
    if read.czxid != cached.czxid:
        return Freshness.NEWER if read.czxid > cached.czxid else Freshness.STALE
    if read.mzxid != cached.mzxid:
        return Freshness.NEWER if read.mzxid > cached.mzxid else Freshness.STALE
    return Freshness.SAME


class Stored(enum.Enum):
    """What :meth:`CacheStore.store` did."""

    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # same state, or a stale read (ignored)
    ORPHAN = "orphan"  # not stored: its parent is not cached


#: What a full read found: path -> (data, stat, child names).
Fresh = Mapping[str, tuple[bytes | None, ZnodeStat, list[str]]]

#: Bytes of a getChildren reply besides the names: reply header (16), the
#: list's length (4). Each name costs its 4-byte length plus at least 1 byte.
_REPLY_OVERHEAD = 20
_PER_CHILD_FLOOR = 5


def children_reply_floor(num_children: int) -> int:
    """The smallest possible size in bytes of a reply listing ``num_children`` children."""
    return _REPLY_OVERHEAD + _PER_CHILD_FLOOR * max(0, num_children)


def check_children_fit(path: str, num_children: int, frame_limit: int) -> None:
    """FrameTooLargeError if the child list of ``path`` cannot fit in one reply of ``frame_limit`` bytes."""
    floor = children_reply_floor(num_children)
    if floor > frame_limit:
        raise FrameTooLargeError(
            f"{path} has {num_children} children: listing them takes at least {floor} bytes, more than "
            f"the client's frame limit of {frame_limit} (jute.maxbuffer); cache a deeper path or raise "
            "the limit on both the server and the client")


class CacheStore:
    """The cached nodes of the subtree at ``root`` (rules in the module docstring)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.nodes: dict[str, NodeData] = {}
        self.children: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, path: object) -> bool:
        return path in self.nodes

    def clear(self) -> None:
        self.nodes.clear()
        self.children.clear()

    def child_names(self, path: str) -> set[str]:
        """The cached child names of ``path`` (a copy; empty if not cached)."""
        return set(self.children.get(path, ()))

    def store(self, path: str, data: bytes | None,
              stat: ZnodeStat) -> tuple[Stored, NodeData | None, NodeData]:
        """Cache a read of ``path``: what happened, the previous value (or None) and the read."""
        node = NodeData(path, data, stat)
        old = self.nodes.get(path)
        if old is None:
            if path != self.root and parent_path(path) not in self.nodes:
                return Stored.ORPHAN, None, node
            self._put(path, node)
            return Stored.CREATED, None, node
        if freshness(old.stat, stat) is not Freshness.NEWER:
            return Stored.UNCHANGED, old, old
        self.nodes[path] = node
        return Stored.CHANGED, old, node

    def _put(self, path: str, node: NodeData) -> None:
        self.nodes[path] = node
        self.children.setdefault(path, set())
        if path != self.root:
            self.children[parent_path(path)].add(path.rsplit("/", 1)[1])

    def remove_subtree(self, path: str) -> list[NodeData]:
        """Uncache ``path`` and everything below it; the removed nodes, children before parents."""
        if path not in self.nodes:
            return []
        stack = [path]
        order: list[str] = []
        while stack:
            current = stack.pop()
            order.append(current)
            stack.extend(join_path(current, c) for c in self.children.get(current, ()))
        removed: list[NodeData] = []
        for current in reversed(order):  # a parent is listed before its children
            removed.append(self.nodes.pop(current))
            self.children.pop(current, None)
        if path != self.root:
            siblings = self.children.get(parent_path(path))
            if siblings is not None:
                siblings.discard(path.rsplit("/", 1)[1])
        return removed

    def gone(self, fresh: Fresh, under: str | None = None) -> list[str]:
        """Cached paths (at or below ``under``, default the root) a read did not find, deepest first."""
        top = self.root if under is None else under
        prefix = top.rstrip("/") + "/"
        return sorted((p for p in self.nodes if p not in fresh and (p == top or p.startswith(prefix))),
                      key=lambda s: (s.count("/"), s), reverse=True)

    @staticmethod
    def store_order(fresh: Fresh) -> list[str]:
        """The paths a read found, parents first."""
        return sorted(fresh, key=lambda s: (s.count("/"), s))
