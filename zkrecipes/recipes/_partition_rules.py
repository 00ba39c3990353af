"""SetPartitioner's rules, once for both front ends (pure: no I/O, no threads, no event loop).

The threaded (``recipes/partitioner.py``) and asyncio (``aio/recipes/partitioner.py``)
SetPartitioner drive one :class:`PartitionMachine` each and do only the I/O
(party, item-lock nodes, events) its verdicts ask for. What lives here:

* **the layout** — the arguments checked, ``<path>/party`` and ``<path>/locks``,
  the member's identifier and the owner bytes of its lock nodes (:func:`member_layout`);
* **naming** — an item's lock is the node ``<locks>/item-<item quoted>``
  (:func:`item_lock_path`), the same on both sides, so threaded and asyncio
  members partition one set together;
* **which items are ours** — ``partition_func(identifier, members, items)``,
  by default :func:`default_partitioner` (round-robin over sorted members and
  items: every member computes the same disjoint, complete, balanced split);
* **the states and their transitions** — ALLOCATING → ACQUIRED → (membership
  changed) RELEASE → ``release_set()`` → ALLOCATING …; SUSPENDED → RELEASE;
  LOST, a failed release or ``finish()`` → FAILURE, which is terminal.

Guarantees of :class:`PartitionMachine`: ``state_id`` grows by one on every
transition and never otherwise (an allocation started under one id knows it
was overtaken as soon as the id differs); FAILURE is entered once and never
left; the items are listed only in ACQUIRED, and the share is emptied on every
way out of it that the session or a failure forces. The machine is not
thread-safe: the threaded front end calls it under its state lock.
"""

from __future__ import annotations

import enum
import os
import socket
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.recipes._checks import check_callable, check_duration_seconds, check_identifier, check_str_path
from zkrecipes.states import ZkState

__all__ = [
    "MemberLayout",
    "Next",
    "Overtaken",
    "PartitionFunc",
    "PartitionMachine",
    "PartitionState",
    "SessionVerdict",
    "default_partitioner",
    "item_lock_path",
    "member_layout",
]

PartitionFunc = Callable[[str, list[str], Iterable[Any]], list[Any]]


class PartitionState(str, enum.Enum):
    """The states of a SetPartitioner (kazoo's names and values)."""

    ALLOCATING = "ALLOCATING"
    ACQUIRED = "ACQUIRED"
    RELEASE = "RELEASE"
    FAILURE = "FAILURE"

    def __str__(self) -> str:
        return self.value


def _sort_key(item: Any) -> tuple[str, str]:
    return (type(item).__name__, repr(item))


def default_partitioner(identifier: str, members: list[str], items: Iterable[Any]) -> list[Any]:
    """Round-robin: sort items and members, give member *i* items i, i+n, i+2n, …"""
    all_items = sorted(items, key=_sort_key)
    workers = sorted(members)
    if identifier not in workers:
        return []
    i = workers.index(identifier)
    return all_items[i :: len(workers)]


def item_lock_path(lock_path: str, item: Any) -> str:
    """The path of ``item``'s lock node under ``lock_path``: ``item-`` and ``str(item)`` %-quoted.

    Quoting leaves no ``/`` (nor any character ZooKeeper refuses) in the name;
    distinct strings give distinct names.
    """
    return join_path(lock_path, "item-" + urllib.parse.quote(str(item), safe=""))


@dataclass(frozen=True)
class MemberLayout:
    """Where one member's nodes live and what they hold (see :func:`member_layout`)."""

    path: str
    lock_path: str
    party_path: str
    identifier: str
    owner: bytes
    partition_func: PartitionFunc


def member_layout(path: str, identifier: str | None, partition_func: PartitionFunc | None,
                  time_boundary: float, max_reaction_time: float) -> MemberLayout:
    """Check a SetPartitioner's arguments and lay its member out (the same on both front ends).

    Raises the argument errors of :mod:`zkrecipes.recipes._checks`. Without an
    ``identifier`` the member is ``<host>-<pid>-<8 hex>``; ``owner`` (the data
    of its item-lock nodes) adds a fresh 32-hex token, so a node is known as
    this object's own even across members that share an identifier.
    """
    check_str_path(path)
    check_duration_seconds(time_boundary, "time_boundary")
    check_duration_seconds(max_reaction_time, "max_reaction_time")
    check_callable(partition_func, "partition_func")
    check_identifier(identifier)
    base = path.rstrip("/") or "/"
    name = identifier or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    return MemberLayout(path=base, lock_path=join_path(base, "locks"), party_path=join_path(base, "party"),
                        identifier=name, owner=f"{name}:{uuid.uuid4().hex}".encode(),
                        partition_func=partition_func or default_partitioner)


class SessionVerdict(enum.Enum):
    """What a connection-state change asks of the front end (see :meth:`PartitionMachine.on_session`)."""

    #: Nothing to do; keep the listener.
    NONE = "none"
    #: Already FAILURE: remove the listener.
    REMOVE_LISTENER = "remove listener"
    #: SUSPENDED: the machine is now in RELEASE (signal the change; keep the listener).
    RELEASED = "released"
    #: LOST: the item locks died with the session; forget them and fail out (which removes the listener).
    FAIL_OUT = "fail out"


class Overtaken(enum.Enum):
    """How an allocation that cannot finish goes on (see :meth:`PartitionMachine.overtaken`)."""

    #: A state change (SUSPENDED, LOST, a release) decided already: keep that state, touch nothing.
    KEEP = "keep"
    #: ``finish()`` ran meanwhile: release the locks taken since, nothing more.
    DROP_LOCKS = "drop locks"
    #: The membership changed: release the locks, then :meth:`PartitionMachine.restart` decides.
    RELEASE_LOCKS = "release locks"


class Next(enum.Enum):
    """What follows once the item locks were released (:meth:`PartitionMachine.restart`, ``.release_set``)."""

    #: Allocate again (under the current ``state_id``).
    ALLOCATE = "allocate"
    #: A lock could not be released: fail out (this member cannot tell what it still holds).
    FAIL_OUT = "fail out"
    #: Nothing: a transition happened meanwhile (or FAILURE already), and it decided.
    STOP = "stop"


class PartitionMachine:
    """The state of one SetPartitioner member and the decisions that follow from it.

    ``state`` and ``state_id`` are what the recipe shows as its own; ``share``
    is the list of items computed by the last allocation that reached ACQUIRED
    (emptied when the session is suspended or lost, or the member fails).
    """

    def __init__(self) -> None:
        self.state = PartitionState.ALLOCATING
        self.state_id = 0
        self.share: list[Any] = []

    # ------------------------------------------------------------------ reading

    @property
    def failed(self) -> bool:
        return self.state == PartitionState.FAILURE

    @property
    def release(self) -> bool:
        return self.state == PartitionState.RELEASE

    @property
    def allocating(self) -> bool:
        return self.state == PartitionState.ALLOCATING

    @property
    def acquired(self) -> bool:
        return self.state == PartitionState.ACQUIRED

    def items(self) -> list[Any]:
        """A copy of the share while ACQUIRED, else an empty list."""
        return list(self.share) if self.acquired else []

    def is_current(self, state_id: int) -> bool:
        """True while no transition has happened since ``state_id`` was read."""
        return self.state_id == state_id

    # ------------------------------------------------------------------ transitions

    def enter(self, state: PartitionState) -> None:
        """Move to ``state`` (one transition: ``state_id`` grows by one)."""
        self.state = state
        self.state_id += 1

    def fail(self) -> bool:
        """Enter FAILURE (terminal) with an empty share; False if it was FAILURE already (no transition)."""
        self.share = []
        if self.failed:
            return False
        self.enter(PartitionState.FAILURE)
        return True

    def on_session(self, state: ZkState) -> SessionVerdict:
        """A connection-state change: SUSPENDED → RELEASE (the locks may be gone), LOST → fail out."""
        if self.failed:
            return SessionVerdict.REMOVE_LISTENER
        if state == ZkState.LOST:
            self.share = []
            return SessionVerdict.FAIL_OUT
        if state == ZkState.SUSPENDED and not self.release:
            self.share = []
            self.enter(PartitionState.RELEASE)
            return SessionVerdict.RELEASED
        return SessionVerdict.NONE

    def claim(self, started: int | None = None) -> int | None:
        """The ``state_id`` an allocation runs under once membership settled, or None to stop.

        It runs only in ALLOCATING and, if ``started`` (the id it was started
        under) is given, only if no transition happened since.
        """
        if not self.allocating or (started is not None and started != self.state_id):
            return None
        return self.state_id

    def should_abort(self, state_id: int, membership_changed: bool) -> bool:
        """True if the allocation under ``state_id`` must stop: a transition, or the party changed."""
        return self.state_id != state_id or membership_changed

    def acquire(self, state_id: int, share: Iterable[Any], membership_changed: bool) -> bool:
        """All locks of ``share`` are held: enter ACQUIRED with it, unless the allocation was overtaken."""
        if self.should_abort(state_id, membership_changed):
            return False
        self.share = list(share)
        self.enter(PartitionState.ACQUIRED)
        return True

    def membership_changed(self, acquired_id: int) -> bool:
        """The party changed after ACQUIRED was entered as ``acquired_id``: RELEASE if still so (True)."""
        if self.acquired and self.state_id == acquired_id:
            self.enter(PartitionState.RELEASE)
            return True
        return False

    def overtaken(self, state_id: int) -> Overtaken:
        """The allocation under ``state_id`` stopped early: what to do about the locks it holds."""
        if self.state_id != state_id:
            return Overtaken.DROP_LOCKS if self.failed else Overtaken.KEEP
        return Overtaken.RELEASE_LOCKS

    def restart(self, state_id: int, locks_left: bool) -> Next:
        """After :attr:`Overtaken.RELEASE_LOCKS`, the locks released (``locks_left``: some could not be)."""
        if locks_left:
            return Next.FAIL_OUT
        return Next.ALLOCATE if self.state_id == state_id else Next.STOP

    def release_set(self, locks_left: bool) -> Next:
        """``release_set()`` released the locks: ALLOCATE (now ALLOCATING), FAIL_OUT, or STOP (FAILURE)."""
        if locks_left:
            return Next.FAIL_OUT
        if self.failed:
            return Next.STOP
        self.enter(PartitionState.ALLOCATING)
        return Next.ALLOCATE
