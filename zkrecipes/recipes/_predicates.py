"""The pure decisions of the lock-like recipes: "do I hold it, and whom do I watch?"

No client, no I/O, no clock: each function takes names and numbers and
returns a verdict, so the threaded and the asyncio front ends share them and
unit tests check them exhaustively.

Sequential contenders (Lock, WriteLock, ReadLock; the shared acquire loop in
:mod:`zkrecipes.recipes._acquire` drives them): every contender is an
ephemeral sequential child named ``…<kind><10-digit sequence>``.
:func:`parse_contenders` turns a child listing into :class:`Contender`
records in sequence order, and a :class:`ContenderPolicy` decides from that
order and our position in it:

========= ============= ======================================= ===================================
recipe    node kind     holds if                                watches
========= ============= ======================================= ===================================
Lock      ``__lock__``  no ``__lock__`` contender (nor one of   the nearest such contender ahead
                        ``extra_lock_patterns``) is ahead
WriteLock ``__lock__``  no contender of either kind is ahead    the nearest contender ahead
ReadLock  ``__rlock__`` no ``__lock__`` (writer) is ahead       the nearest writer ahead
========= ============= ======================================= ===================================

``sole`` says the watched node is the *only* blocking contender ahead: since
later contenders always get larger sequence numbers, its deletion alone means
we hold the lock, with no need to list again.

Semaphore (kazoo's layout, kept for compatibility: non-sequential lease
nodes under the pool, queued behind a gate Lock) decides with
:func:`lease_decision` instead: "is my lease there, may I take one, or must
I wait for the pool to change?".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from zkrecipes.recipes._sequence import Restart

__all__ = [
    "BlockedBy",
    "Contender",
    "ContenderPolicy",
    "LeaseVerdict",
    "Verdict",
    "judge",
    "lease_decision",
    "locate",
    "lock_policy",
    "parse_contenders",
    "read_lock_policy",
    "write_lock_policy",
]


class Contender(NamedTuple):
    """One contender node: its sequence number, its full name, and the kind it was created as.

    A tuple ordered by sequence first (sequence numbers are unique under one parent).
    """

    sequence: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """A verdict: ``holds``, else the contender to ``watch`` and whether it is the ``sole`` blocker."""

    holds: bool
    watch: str | None = None
    sole: bool = False


def _kind_regex(kinds: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so that a kind that ends another (``lock__`` / ``__lock__``) never wins wrongly.
    alternatives = "|".join(re.escape(kind) for kind in sorted(set(kinds), key=lambda k: (-len(k), k)))
    # Non-capturing alternatives (several times faster to search); the kind is the text before group 1.
    return re.compile(rf"(?:{alternatives})(-?\d{{10}})$")


def parse_contenders(names: Iterable[str], kinds: Iterable[str] | re.Pattern[str]) -> list[Contender]:
    """The children among ``names`` that end in ``<one of kinds><sequence>``, in sequence order.

    Other names (a lease record, a node of an unknown kind) are left out.
    ``kinds`` may be given as the compiled pattern of a policy (``policy.pattern``).
    """
    pattern = kinds if isinstance(kinds, re.Pattern) else _kind_regex(kinds)
    found = [
        Contender(int(match.group(1)), name, name[match.start() : match.start(1)])
        for name in names
        if (match := pattern.search(name)) is not None
    ]
    found.sort()
    return found


def locate(node: str, contenders: Sequence[Contender]) -> int:
    """Our position in ``contenders``; :class:`Restart` if our node is not among them."""
    for position, contender in enumerate(contenders):
        if contender.name == node:
            return position
    raise Restart


class ContenderPolicy:
    """What the acquire loop asks a lock-like recipe: its node kind, the kinds it reads, its verdict."""

    __slots__ = ("kinds", "node_name", "pattern")

    def __init__(self, node_name: str, kinds: Iterable[str]) -> None:
        self.node_name = node_name
        self.kinds = frozenset(kinds) | {node_name}
        self.pattern = _kind_regex(self.kinds)  # compiled once, for parse_contenders

    def decide(self, contenders: Sequence[Contender], position: int) -> Verdict:
        """Whether the contender at ``position`` of ``contenders`` (sequence order) holds the lock."""
        raise NotImplementedError


def judge(children: Iterable[str], node: str, policy: ContenderPolicy) -> Verdict:
    """The policy's verdict for our contender ``node`` given the lock path's ``children``.

    One listing, one decision: raises :class:`Restart` when ``node`` is not
    among ``children`` (it vanished with its session). Both acquire loops (the
    threaded one and the asyncio one) call this after each listing.
    """
    contenders = parse_contenders(children, policy.pattern)
    return policy.decide(contenders, locate(node, contenders))


class BlockedBy(ContenderPolicy):
    """Holds when no contender of a ``blocking`` kind is ahead; watches the nearest one ahead."""

    __slots__ = ("blocking",)

    def __init__(self, node_name: str, blocking: Iterable[str]) -> None:
        self.blocking = frozenset(blocking)
        super().__init__(node_name, self.blocking)

    def decide(self, contenders: Sequence[Contender], position: int) -> Verdict:
        nearest: str | None = None
        count = 0
        for contender in contenders[:position]:
            if contender.kind in self.blocking:
                nearest = contender.name
                count += 1
        if nearest is None:
            return Verdict(True)
        return Verdict(False, nearest, count == 1)

    def __repr__(self) -> str:
        return f"BlockedBy({self.node_name!r}, {sorted(self.blocking)!r})"


def lock_policy(extra_kinds: Iterable[str] = ()) -> BlockedBy:
    """Lock: ``__lock__`` contenders (and ``extra_kinds``) exclude each other; readers are not seen."""
    return BlockedBy("__lock__", {"__lock__", *extra_kinds})


def write_lock_policy(extra_kinds: Iterable[str] = ()) -> BlockedBy:
    """WriteLock: waits for every writer and reader ahead (and ``extra_kinds``)."""
    return BlockedBy("__lock__", {"__lock__", "__rlock__", *extra_kinds})


def read_lock_policy(extra_kinds: Iterable[str] = ()) -> BlockedBy:
    """ReadLock: waits only for the writers ahead (and ``extra_kinds``)."""
    return BlockedBy("__rlock__", {"__lock__", *extra_kinds})


class LeaseVerdict(enum.Enum):
    """Semaphore's decision under its gate lock."""

    HELD = "held"  # our lease node is in the pool already (a retried create made it)
    TAKE = "take"  # a lease is free: create our node
    WAIT = "wait"  # the pool is full: wait for a change


def lease_decision(pool: Iterable[str], mine: str, max_leases: int) -> LeaseVerdict:
    """Semaphore's predicate: given the pool's lease node names, our name and the limit."""
    names = pool if isinstance(pool, (list, tuple, set, frozenset)) else list(pool)
    if mine in names:
        return LeaseVerdict.HELD
    if len(names) < max_leases:
        return LeaseVerdict.TAKE
    return LeaseVerdict.WAIT
