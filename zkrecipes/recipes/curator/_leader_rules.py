"""The decisions of the leadership recipes, as pure functions (no client, no I/O).

Both front ends (``recipes/curator/leader_latch.py``, ``leader_selector.py`` and
``aio/recipes/curator/``) drive these, so the rules live once:

* **who leads** (:func:`latch_turn`): the children of the latch path sorted as
  Curator sorts them (text after the last ``latch-``; foreign children count
  and sort by their whole name); the first leads, every other watches the one
  just before its own. A node that does not belong to the *current* session
  never leads (CURATOR-696: a latch that reconnected with a new session kept
  leading on its dead node): the verdict is then "gone", and the latch makes a
  new node. A listing that finds no parent (a container the server deleted,
  CURATOR-724) is "gone" too: the reset recreates the parents.
* **session changes** (:func:`latch_session_step`, Curator's standard policy):
  SUSPENDED and LOST end leadership at once; the next CONNECTED after either
  resets (delete our node, make a new one, look again).
* **close** (:func:`close_notifies`): NOTIFY_LEADER tells a leading latch's
  listeners ``not_leader``; SILENT tells nobody.
* **selector** (:func:`selector_interrupts`, :func:`selector_requeues`).

**Why the epoch (our node's czxid) strictly increases across leaders of one path.**
Let L1 lead, then L2 (a different term). If L2's node was created after L1's,
czxid(L2) > czxid(L1): zxids increase with every transaction of the ensemble.
Otherwise L2's node existed before L1's and kept existing until L2 led (a term
is tied to one node; a new node is a new term). Both were then children of the
same parent incarnation (a container is only deleted when empty, and L2's node
was in it throughout), where sequence numbers come from the parent's cversion
and so increase with creation: L2's suffix is below L1's, L2 sorts before L1,
and L1 could not have been first while L2's node existed — a contradiction.
When the container is deleted and recreated, sequences restart at 0, but every
node of the new parent is created after every node of the old one: larger
czxid. Foreign children (any name) never lead a participant's term; they can
only delay one (a participant leads only with its own sequential node). The
argument holds until a parent's sequence counter overflows (2^31 creates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zkrecipes.recipes.curator._ordering import LOCK_NAME, NodeGone, sorted_children, standard_verdict
from zkrecipes.recipes.curator.latch_types import CloseMode
from zkrecipes.states import ZkState

__all__ = [
    "LATCH_NAME",
    "SessionStep",
    "Turn",
    "close_notifies",
    "latch_order",
    "latch_session_step",
    "latch_turn",
    "selector_interrupts",
    "selector_order",
    "selector_requeues",
]

#: The lock name of a LeaderLatch's nodes (``_c_<uuid>-latch-<seq>``); LeaderSelector's are ``lock-``.
LATCH_NAME = "latch-"


@dataclass(frozen=True, slots=True)
class Turn:
    """A latch participant's verdict: ``leads``; else the child to ``watch``; ``gone``: make a new node."""

    leads: bool = False
    watch: str | None = None
    gone: bool = False


def latch_order(children: Iterable[str]) -> list[str]:
    """The latch path's children in Curator's order (the first leads)."""
    return sorted_children(children, [LATCH_NAME])


def selector_order(children: Iterable[str]) -> list[str]:
    """A selector's (Curator mutex's) children in Curator's order (the first holds it)."""
    return sorted_children(children, [LOCK_NAME])


def latch_turn(children: Sequence[str] | None, ours: str | None, *, owner: int | None,
               session: int | None) -> Turn:
    """Where our node ``ours`` (owned by session ``owner``) stands among ``children``.

    ``children`` None: the parent is gone. ``session``: the client's current
    session id (None while there is none). See the module docstring.
    """
    if children is None or ours is None or session is None or owner != session:
        return Turn(gone=True)
    try:
        verdict = standard_verdict(latch_order(children), ours)
    except NodeGone:
        return Turn(gone=True)
    return Turn(leads=True) if verdict.holds else Turn(watch=verdict.watch)


@dataclass(frozen=True, slots=True)
class SessionStep:
    """What a session state change means for a latch: ``resign`` now; ``reset`` now; the new flag."""

    resign: bool
    reset: bool
    disconnected: bool


def latch_session_step(state: ZkState, disconnected: bool) -> SessionStep:
    """Curator's policy: SUSPENDED/LOST resign (and remember it); the CONNECTED after them resets."""
    if state == ZkState.SUSPENDED or state == ZkState.LOST:
        return SessionStep(resign=True, reset=False, disconnected=True)
    if state == ZkState.CONNECTED and disconnected:
        return SessionStep(resign=False, reset=True, disconnected=False)
    return SessionStep(resign=False, reset=False, disconnected=disconnected)


def close_notifies(mode: CloseMode, was_leader: bool) -> bool:
    """Whether ``close(mode)`` calls the listeners' ``not_leader``."""
    return mode is CloseMode.NOTIFY_LEADER and was_leader


def selector_interrupts(state: ZkState, leading: bool, listener_handles_states: bool) -> bool:
    """A selector's term is interrupted on SUSPENDED/LOST unless its listener handles states itself."""
    return leading and not listener_handles_states and state in (ZkState.SUSPENDED, ZkState.LOST)


def selector_requeues(auto_requeue: bool, started: bool) -> bool:
    """After a term: queue again only with auto-requeue, and only while started."""
    return auto_requeue and started
