"""TreeCache's mirror and events, front-end neutral (pure: no client, no locks, no I/O).

Extracted from ``recipes/cache.py`` so that the threaded
:class:`~zkrecipes.recipes.cache.TreeCache` and the asyncio
:class:`~zkrecipes.aio.recipes.cache.TreeCache` apply notifications and
re-reads by the same rules. A :class:`TreeMirror` holds the cached nodes of one
subtree; each change returns what to publish, the caller publishes it (and
holds whatever lock its front end needs around the calls).

Rules: a node is added only under a cached parent (else it is an *orphan*: its
notification raced a re-read, the caller reads the tree again); an update is
published only when ``mzxid`` or ``czxid`` changed; a removal removes the whole
cached subtree, children before parents; a re-read removes what is gone
(deepest first) and then stores what was read (parents first).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from zkrecipes.client.protocol.paths import join_path, parent_path
from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.states import ZnodeStat

__all__ = ["NodeData", "Stored", "TreeEvent", "TreeMirror", "check_root"]


class NodeData(NamedTuple):
    """A cached node: its absolute ``path``, ``data`` and ``stat``."""

    path: str
    data: bytes | None
    stat: ZnodeStat

    @classmethod
    def make(cls, path: str, data: bytes | None, stat: ZnodeStat) -> NodeData:
        return cls(path, data, stat)


@dataclass(frozen=True, slots=True)
class TreeEvent:
    """An event published to TreeCache listeners.

    ``event_type`` is one of the class constants; ``event_data`` is the
    :class:`NodeData` concerned for NODE_* events (for NODE_REMOVED: the last
    cached value) and None for connection events and INITIALIZED.
    """

    event_type: int
    event_data: NodeData | None = None

    NODE_ADDED: ClassVar[int] = 0
    NODE_UPDATED: ClassVar[int] = 1
    NODE_REMOVED: ClassVar[int] = 2
    CONNECTION_SUSPENDED: ClassVar[int] = 3
    CONNECTION_RECONNECTED: ClassVar[int] = 4
    CONNECTION_LOST: ClassVar[int] = 5
    INITIALIZED: ClassVar[int] = 6

    _NAMES: ClassVar[dict[int, str]] = {
        0: "NODE_ADDED",
        1: "NODE_UPDATED",
        2: "NODE_REMOVED",
        3: "CONNECTION_SUSPENDED",
        4: "CONNECTION_RECONNECTED",
        5: "CONNECTION_LOST",
        6: "INITIALIZED",
    }

    @classmethod
    def make(cls, event_type: int, event_data: NodeData | None = None) -> TreeEvent:
        """Build an event, checking the type (InvalidArgumentError if unknown)."""
        if event_type not in cls._NAMES:
            raise InvalidArgumentError(f"unknown TreeEvent type {event_type!r}")
        return cls(event_type, event_data)

    @property
    def name(self) -> str:
        return self._NAMES[self.event_type]


class Stored(enum.Enum):
    """What :meth:`TreeMirror.store` did."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ORPHAN = "orphan"  # not stored: its parent is not cached


def check_root(path: object) -> str:
    """A TreeCache root: an absolute str path without trailing slash."""
    if not isinstance(path, str):
        raise InvalidTypeError(f"path must be a str, not {type(path).__name__}")
    if not path.startswith("/"):
        raise InvalidArgumentError(f"TreeCache path must be absolute, got {path!r}")
    return path.rstrip("/") or "/"


#: What a re-read found: path -> (data, stat, child names).
Fresh = Mapping[str, tuple[bytes | None, ZnodeStat, list[str]]]


class TreeMirror:
    """The cached nodes of the subtree at ``root`` (see the module docstring for the rules)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.nodes: dict[str, NodeData] = {}
        self.children: dict[str, set[str]] = {}

    def key(self, path: object) -> str:
        """``path`` as a mirror key; InvalidArgumentError if it is outside the subtree."""
        if not isinstance(path, str):
            raise InvalidTypeError(f"path must be a str, not {type(path).__name__}")
        key = path.rstrip("/") or "/"
        if self.root != "/" and key != self.root and not key.startswith(self.root + "/"):
            raise InvalidArgumentError(f"{path!r} is outside of the cached tree {self.root!r}")
        return key

    def get_children(self, key: str, default: frozenset[str] | None) -> frozenset[str] | None:
        if key not in self.nodes:
            return default
        return frozenset(self.children.get(key, ()))

    def clear(self) -> None:
        self.nodes.clear()
        self.children.clear()

    def store(self, path: str, data: bytes | None, stat: ZnodeStat) -> tuple[Stored, NodeData]:
        """Cache ``path``; say whether it was added, updated, unchanged or refused as an orphan."""
        node = NodeData(path, data, stat)
        old = self.nodes.get(path)
        parent = parent_path(path)
        if old is None and path != self.root and parent not in self.nodes:
            return Stored.ORPHAN, node
        self.nodes[path] = node
        self.children.setdefault(path, set())
        if path != self.root:
            self.children[parent].add(path.rsplit("/", 1)[1])
        if old is None:
            return Stored.ADDED, node
        if old.stat.mzxid != stat.mzxid or old.stat.czxid != stat.czxid:
            return Stored.UPDATED, node
        return Stored.UNCHANGED, node

    def remove_subtree(self, path: str) -> list[NodeData]:
        """Uncache ``path`` and everything below it; the removed nodes, children before parents."""
        if path not in self.nodes:
            return []
        stack = [path]
        order: list[str] = []
        while stack:
            p = stack.pop()
            order.append(p)
            stack.extend(join_path(p, c) for c in self.children.get(p, ()))
        removed: list[NodeData] = []
        for p in reversed(order):
            removed.append(self.nodes.pop(p))
            self.children.pop(p, None)
        if path != self.root:
            siblings = self.children.get(parent_path(path))
            if siblings is not None:
                siblings.discard(path.rsplit("/", 1)[1])
        return removed

    def gone(self, fresh: Fresh) -> list[str]:
        """Cached paths a re-read did not find, deepest first."""
        return sorted((p for p in self.nodes if p not in fresh), key=lambda s: s.count("/"), reverse=True)

    @staticmethod
    def store_order(fresh: Fresh) -> list[str]:
        """The paths a re-read found, parents first."""
        return sorted(fresh, key=lambda s: (s.count("/"), s))
