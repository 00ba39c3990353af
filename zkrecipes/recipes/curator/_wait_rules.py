"""What a Curator lock contender does after judging a listing: the pure step of both front ends.

The sync (``recipes/curator/_internals.py``) and asyncio
(``aio/recipes/curator/_internals.py``) acquire loops list the children, ask
the driver for a :class:`~._ordering.Verdict`, then take the step named here:

* ``HOLD`` — the verdict holds: the lock (or lease) is ours;
* ``GIVE_UP`` — a one-try probe that does not hold: delete our node, return;
* ``WATCH_NODE`` — set a data watch on ``verdict.watch`` (NoNode: list again
  at once), then wait for it or a session change;
* ``RELIST`` — a counting verdict (no node to watch) from a listing that set
  no child watch (the pipelined first one): list again, with a watch;
* ``WAIT`` — a counting verdict from a watched listing: wait for the children to change.
"""

from __future__ import annotations

import enum

from zkrecipes.recipes.curator._ordering import Verdict

__all__ = ["Step", "next_step"]


class Step(enum.Enum):
    """The step after a verdict (see the module docstring)."""

    HOLD = "hold"
    GIVE_UP = "give up"
    WATCH_NODE = "watch node"
    RELIST = "relist"
    WAIT = "wait"


def next_step(verdict: Verdict, *, probe: bool, watched: bool) -> Step:
    """The step after ``verdict`` (``probe``: one try only; ``watched``: the listing set a child watch)."""
    if verdict.holds:
        return Step.HOLD
    if probe:
        return Step.GIVE_UP
    if verdict.watch is not None:
        return Step.WATCH_NODE
    return Step.WAIT if watched else Step.RELIST
