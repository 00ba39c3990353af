"""The client-side watch registry, with ZooKeeper's routing rules.

Five tables map a client path (chroot removed) to an insertion-ordered set of
watcher objects: one-shot *data*, *exist* and *child* watches, and
*persistent* and *persistent-recursive* watches.  Watchers are opaque to the
protocol; they must be hashable (functions, bound methods and partials are),
and one watcher registered twice on a path is kept once.

Routing of a server notification (as the Java client does it):

* CREATED, CHANGED → the data and exist watches of the path;
* DELETED → the data, exist and child watches of the path;
* CHILD → the child watches of the path;
* every type but NONE → the persistent watches of the path, and (except
  CHILD) the persistent-recursive watches of the path and of each ancestor.

One-shot watches are removed when they fire; persistent ones stay.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType
from zkrecipes.client.protocol.paths import parent_paths
from zkrecipes.exceptions import InvalidArgumentError
from zkrecipes.states import EventType

_Table = dict[str, dict[object, None]]


class WatchKind(enum.Enum):
    """The five kinds of registration."""

    DATA = "data"
    EXIST = "exist"
    CHILD = "child"
    PERSISTENT = "persistent"
    PERSISTENT_RECURSIVE = "persistent_recursive"

    @classmethod
    def for_add_watch(cls, mode: int) -> WatchKind:
        """The kind an addWatch ``mode`` registers."""
        if mode == AddWatchMode.PERSISTENT:
            return cls.PERSISTENT
        if mode == AddWatchMode.PERSISTENT_RECURSIVE:
            return cls.PERSISTENT_RECURSIVE
        raise InvalidArgumentError(f"unknown addWatch mode {mode!r}")


@dataclass(slots=True)
class WatchedPaths:
    """A snapshot of the watched paths per kind (what SetWatches2 re-registers)."""

    data: list[str]
    exist: list[str]
    child: list[str]
    persistent: list[str]
    persistent_recursive: list[str]

    def __bool__(self) -> bool:
        return bool(self.data or self.exist or self.child or self.persistent or self.persistent_recursive)


_KINDS_FOR_REMOVAL: dict[int, tuple[WatchKind, ...]] = {
    WatcherType.CHILDREN: (WatchKind.CHILD,),
    WatcherType.DATA: (WatchKind.DATA, WatchKind.EXIST),
    WatcherType.ANY: tuple(WatchKind),
    WatcherType.PERSISTENT: (WatchKind.PERSISTENT,),
    WatcherType.PERSISTENT_RECURSIVE: (WatchKind.PERSISTENT_RECURSIVE,),
}


class WatchRegistry:
    """Registered watches by kind and path; see the module docstring for routing."""

    __slots__ = ("_tables",)

    def __init__(self) -> None:
        self._tables: dict[WatchKind, _Table] = {kind: {} for kind in WatchKind}

    def __bool__(self) -> bool:
        return any(self._tables.values())

    def add(self, kind: WatchKind, path: str, watcher: object) -> None:
        """Register ``watcher`` for ``path`` (idempotent)."""
        self._tables[kind].setdefault(path, {})[watcher] = None

    def watchers(self, kind: WatchKind, path: str) -> list[object]:
        """The watchers of one kind on ``path``, in registration order."""
        return list(self._tables[kind].get(path, ()))

    def route(self, event_type: EventType, path: str) -> list[object]:
        """The watchers a notification of ``event_type`` on ``path`` triggers.

        Removes the one-shot registrations it returns.  Each watcher is listed
        once, one-shot ones first, then persistent, then recursive (nearest
        ancestor first).
        """
        if event_type is EventType.NONE:
            return []
        tables = self._tables
        found: dict[object, None] = {}
        if event_type is EventType.CREATED or event_type is EventType.CHANGED:
            one_shot: tuple[WatchKind, ...] = (WatchKind.DATA, WatchKind.EXIST)
        elif event_type is EventType.DELETED:
            one_shot = (WatchKind.DATA, WatchKind.EXIST, WatchKind.CHILD)
        else:
            one_shot = (WatchKind.CHILD,)
        for kind in one_shot:
            fired = tables[kind].pop(path, None)
            if fired:
                found.update(fired)
        persistent = tables[WatchKind.PERSISTENT].get(path)
        if persistent:
            found.update(persistent)
        recursive = tables[WatchKind.PERSISTENT_RECURSIVE]
        if recursive and event_type is not EventType.CHILD:
            for ancestor in parent_paths(path):
                watchers = recursive.get(ancestor)
                if watchers:
                    found.update(watchers)
        return list(found)

    def remove(self, path: str, watcher_type: int, watcher: object = None) -> list[object]:
        """Remove registrations on ``path`` (local ``remove_watches``).

        ``watcher_type`` is a :class:`WatcherType`: CHILDREN → child watches,
        DATA → data and exist watches, ANY → every kind, PERSISTENT /
        PERSISTENT_RECURSIVE → that kind.  With ``watcher`` None every watcher
        of those kinds goes, else only that one.  Returns the removed watchers
        (each once).
        """
        kinds = _KINDS_FOR_REMOVAL.get(watcher_type)
        if kinds is None:
            raise InvalidArgumentError(f"unknown watcher type {watcher_type!r}")
        removed: dict[object, None] = {}
        for kind in kinds:
            table = self._tables[kind]
            watchers = table.get(path)
            if not watchers:
                continue
            if watcher is None:
                removed.update(watchers)
                del table[path]
            elif watcher in watchers:
                del watchers[watcher]
                removed[watcher] = None
                if not watchers:
                    del table[path]
        return list(removed)

    def paths(self) -> WatchedPaths:
        """The watched paths per kind (client paths), for SetWatches/SetWatches2."""
        tables = self._tables
        return WatchedPaths(
            data=list(tables[WatchKind.DATA]),
            exist=list(tables[WatchKind.EXIST]),
            child=list(tables[WatchKind.CHILD]),
            persistent=list(tables[WatchKind.PERSISTENT]),
            persistent_recursive=list(tables[WatchKind.PERSISTENT_RECURSIVE]),
        )

    def clear(self) -> list[object]:
        """Forget every registration; return every watcher that was registered (each once)."""
        everything: dict[object, None] = {}
        for table in self._tables.values():
            for watchers in table.values():
                everything.update(watchers)
            table.clear()
        return list(everything)
