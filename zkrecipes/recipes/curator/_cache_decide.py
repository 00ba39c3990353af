"""CuratorCache's decisions, front-end neutral (pure: no client, no I/O).

The threaded engine (:mod:`._cache_tree`) and the asyncio one
(:mod:`zkrecipes.aio.recipes.curator._cache_tree`) do the reads; what a
notification, a session change or a read *means* is decided here, once:

* :func:`route`: what a watch notification asks for, by mode (persistent:
  DELETED removes, CREATED/CHANGED re-read; one-shot: CHANGED/DELETED re-read
  a cached node, CREATED of the absent root loads it, CHILD re-lists a cached
  node; anything else is ignored).
* :func:`recreated`: one-shot mode, a re-read of a cached node with a later
  czxid is a new incarnation (its parent's child watch may have missed the
  delete-and-create): drop the old subtree and load the new one.
* :func:`relist`: which children a re-list removes and which it loads.
* :func:`needs_children`: whether the loader lists a node it read.
* :class:`Reconnects`: SUSPENDED/LOST/CONNECTED → nothing, a re-read, or
  (after a new session) the watch set up again and then a re-read.
"""

from __future__ import annotations

import enum

from zkrecipes.states import EventType, ZkState, ZnodeStat

__all__ = ["Action", "Reconnects", "Resume", "needs_children", "recreated", "relist", "route"]


class Action(enum.Enum):
    """What a notification asks of the engine."""

    IGNORE = "ignore"
    REMOVE = "remove"  # uncache the subtree
    REFRESH = "refresh"  # re-read the node
    LOAD = "load"  # load the subtree (the root appeared)
    RELIST = "relist"  # re-list the node's children


def route(kind: EventType, path: str, *, one_shot: bool, cached: bool, root: str) -> Action:
    """The action for a notification of ``kind`` on ``path`` (``cached``: whether it is cached)."""
    if not one_shot:
        if kind is EventType.DELETED:
            return Action.REMOVE
        if kind is EventType.CREATED or kind is EventType.CHANGED:
            return Action.REFRESH
        return Action.IGNORE
    if kind is EventType.DELETED or kind is EventType.CHANGED:
        return Action.REFRESH if cached else Action.IGNORE
    if kind is EventType.CREATED:
        return Action.LOAD if path == root and not cached else Action.IGNORE
    if kind is EventType.CHILD and cached:
        return Action.RELIST
    return Action.IGNORE


def recreated(one_shot: bool, cached: ZnodeStat | None, read: ZnodeStat) -> bool:
    """One-shot mode: whether ``read`` is a later incarnation of the cached node (reload it)."""
    return one_shot and cached is not None and read.czxid > cached.czxid


def relist(cached: set[str], listed: set[str]) -> tuple[list[str], list[str]]:
    """(names to remove, names to load), each in name order."""
    return sorted(cached - listed), sorted(listed - cached)


def needs_children(watching: bool, stat: ZnodeStat) -> bool:
    """Whether the loader lists a node: always when setting watches (a child watch needs the list)."""
    return watching or stat.numChildren > 0


class Resume(enum.Enum):
    """What a session state change asks of the engine."""

    NOTHING = "nothing"
    RESYNC = "resync"  # same session: read the subtree again
    RESETUP = "resetup"  # new session: set the watch up again, then read again


class Reconnects:
    """Tracks disconnections; :meth:`on_state` says what a state change asks for."""

    def __init__(self) -> None:
        self._disconnected = False
        self._session_lost = False

    def on_state(self, state: ZkState) -> Resume:
        if state == ZkState.SUSPENDED:
            self._disconnected = True
        elif state == ZkState.LOST:
            self._disconnected = self._session_lost = True
        elif state == ZkState.CONNECTED and self._disconnected:
            self._disconnected = False
            lost, self._session_lost = self._session_lost, False
            return Resume.RESETUP if lost else Resume.RESYNC
        return Resume.NOTHING
