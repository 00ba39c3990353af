"""The client-side watch registry, with ZooKeeper's routing rules.

Five tables map a client path (chroot removed) to its watchers: one-shot
*data*, *exist* and *child* watches, and *persistent* and
*persistent-recursive* watches.  Watchers are opaque to the protocol; they
must be hashable (functions, bound methods and partials are), and one watcher
registered twice on a path is kept once.  Most paths have one watcher, so a
table holds that watcher itself and switches to an insertion-ordered
:class:`_Many` only for a second one (a dict per path would triple the memory
of 10,000 single-watcher paths).

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


class _Many(dict[object, None]):
    """Two or more watchers of one path, in registration order (a dict used as an ordered set)."""

    __slots__ = ()


# A table entry is a single watcher, or a _Many of them. Watchers are hashable,
# so an entry can never be mistaken for a _Many.
_Table = dict[str, object]


def _members(entry: object) -> _Many | tuple[object]:
    """The watchers of one table entry."""
    return entry if type(entry) is _Many else (entry,)


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


_ABSENT: object = object()


class WatchRegistry:
    """Registered watches by kind and path; see the module docstring for routing."""

    __slots__ = ("_tables",)

    def __init__(self) -> None:
        self._tables: dict[WatchKind, _Table] = {kind: {} for kind in WatchKind}

    def __bool__(self) -> bool:
        return any(self._tables.values())

    def add(self, kind: WatchKind, path: str, watcher: object) -> None:
        """Register ``watcher`` for ``path`` (idempotent)."""
        table = self._tables[kind]
        entry = table.get(path, _ABSENT)
        if entry is _ABSENT:
            table[path] = watcher
        elif type(entry) is _Many:
            entry[watcher] = None
        elif entry != watcher:  # the same watcher again is kept once (set semantics)
            table[path] = _Many(((entry, None), (watcher, None)))

    def watchers(self, kind: WatchKind, path: str) -> list[object]:
        """The watchers of one kind on ``path``, in registration order."""
        entry = self._tables[kind].get(path, _ABSENT)
        return [] if entry is _ABSENT else list(_members(entry))

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
            fired = tables[kind].pop(path, _ABSENT)
            if fired is not _ABSENT:
                found.update(dict.fromkeys(_members(fired)))
        persistent = tables[WatchKind.PERSISTENT].get(path, _ABSENT)
        if persistent is not _ABSENT:
            found.update(dict.fromkeys(_members(persistent)))
        recursive = tables[WatchKind.PERSISTENT_RECURSIVE]
        if recursive and event_type is not EventType.CHILD:
            for ancestor in parent_paths(path):
                watchers = recursive.get(ancestor, _ABSENT)
                if watchers is not _ABSENT:
                    found.update(dict.fromkeys(_members(watchers)))
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
            entry = table.get(path, _ABSENT)
            if entry is _ABSENT:
                continue
            members = _members(entry)
            if watcher is None:
                removed.update(dict.fromkeys(members))
                del table[path]
            elif watcher in members:
                removed[watcher] = None
                if type(entry) is _Many:
                    del entry[watcher]
                    if len(entry) == 1:
                        table[path] = next(iter(entry))
                else:
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
            for entry in table.values():
                everything.update(dict.fromkeys(_members(entry)))
            table.clear()
        return list(everything)
