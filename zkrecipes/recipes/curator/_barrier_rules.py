"""The pure rules of Curator's double barrier (DistributedDoubleBarrier, sync and asyncio).

Node layout: members are ``<path>/<canonical uuid>``; ``<path>/ready`` opens
the barrier. Both front ends do only the I/O and follow these steps:

* :func:`enter_step`, after ``ready`` was found missing (a watch on it set)
  and the children listed: :data:`REJOIN` when our node is not among them
  (our session ended meanwhile: make it again in this one), :data:`OPEN` when
  at least ``member_qty`` children are there (every child counts, as in
  Curator: create ``ready``), else :data:`WAIT`. Every wake-up starts again
  with the ``ready`` check (a notification is never trusted on its own,
  unlike Curator 5.4, apache/curator GH-1290).
* :func:`leave_step`: the members (``ready`` excluded) sorted by name; the
  lowest waits for the highest to go, every other deletes its node and waits
  for the lowest; ``ready`` is deleted once no member is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["OPEN", "READY_NODE", "REJOIN", "WAIT", "LeaveStep", "enter_step", "leave_step"]

READY_NODE = "ready"

REJOIN = "rejoin"  # our node is gone (the session ended): create it again, then check again
OPEN = "open"  # enough members: create ready (NodeExists is fine); entered
WAIT = "wait"  # not enough members yet: wait for ready's watch (or a state change)


def enter_step(children: Iterable[str], our_name: str, member_qty: int) -> str:
    """What an entering member does once ``ready`` is missing and ``children`` were listed."""
    listed = list(children)
    if our_name not in listed:
        return REJOIN
    return OPEN if len(listed) >= member_qty else WAIT


@dataclass(frozen=True, slots=True)
class LeaveStep:
    """One round of ``leave``: ``done`` (then delete ``ready``), delete ours first, the member to watch."""

    done: bool
    delete_ours: bool
    watch: str | None


def leave_step(children: Iterable[str], our_name: str, ours_exists: bool) -> LeaveStep:
    """The next step of a leaving member (``ours_exists``: our node was not deleted by us yet).

    Raises RuntimeError when our node is missing before we deleted it (its
    session ended: Curator's IllegalStateException).
    """
    members = sorted(name for name in children if name != READY_NODE)
    if not members:
        return LeaveStep(True, False, None)
    if ours_exists and our_name not in members:
        raise RuntimeError(f"our node {our_name} is missing (its session ended?)")
    if len(members) == 1:
        return LeaveStep(True, ours_exists, None)
    if members[0] == our_name:
        return LeaveStep(False, False, members[-1])
    return LeaveStep(False, ours_exists, members[0])
