"""The pure rules of the Curator locks' fenced writes (several held nodes), for both front ends.

:mod:`._fenced_writes` (threads) and ``aio/recipes/curator/_internals_fenced.py``
(asyncio) do the I/O; what a held node is, what we know of its marker, which
marker result decides a commit and what several read-backs say together live
here once. The single-node rules are :mod:`zkrecipes.recipes._fence_outcome`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from zkrecipes.exceptions import BadVersionError, NoNodeError

__all__ = ["DISAGREE", "Fence", "FenceMarker", "combined_verdict", "decisive", "first_marker"]

#: :func:`combined_verdict` when the held nodes read back say different things.
DISAGREE = object()


class Fence(NamedTuple):
    """One held node: its full path, the data it was created with, its czxid (the fencing token)."""

    path: str
    data: bytes
    token: int


class FenceMarker(NamedTuple):
    """What we know of a held node's marker: its version, its mzxid, the data we write back."""

    version: int
    mzxid: int
    data: bytes


def first_marker(fence: Fence) -> FenceMarker:
    """The marker of a node not written since it was created (version 0, mzxid = czxid)."""
    return FenceMarker(0, fence.token, fence.data)


def decisive(marker_results: Sequence[object]) -> object:
    """The marker result that decides a commit: a NoNode, else a BadVersion, else the first."""
    for kind in (NoNodeError, BadVersionError):
        for result in marker_results:
            if isinstance(result, kind):
                return result
    return marker_results[0]


def combined_verdict(verdicts: Iterable[object]) -> object:
    """The one verdict of the held nodes still there (``judge_marker``'s, None for a gone node).

    None when every node is gone (the target's mzxid decides then),
    :data:`DISAGREE` when they differ (the outcome is unknown).
    """
    found = {verdict for verdict in verdicts if verdict is not None}
    if len(found) > 1:
        return DISAGREE
    return found.pop() if found else None
