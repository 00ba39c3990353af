"""CacheWatchMode: how a CuratorCache learns of changes."""

from __future__ import annotations

import enum

__all__ = ["CacheWatchMode"]


class CacheWatchMode(enum.Enum):
    """``PERSISTENT``: one persistent recursive watch on the root (ZooKeeper 3.6+).
    ``ONE_SHOT``: a data and a child watch on every cached node, set again each
    time one fires (any server; Curator's TreeCache way). ``AUTO`` (the
    default): persistent, or one-shot when the server answers ``addWatch``
    with UNIMPLEMENTED. Both produce the same events."""

    AUTO = "auto"
    PERSISTENT = "persistent"
    ONE_SHOT = "one_shot"
