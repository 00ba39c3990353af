"""Curator's naming and ordering rules, as pure functions (no client, no I/O).

These are the facts a Python contender must share with Curator's on one path
(``docs/curator.md``; Curator 5.4 ``LockInternals``, ``StandardLockInternalsDriver``,
``InterProcessReadWriteLock``, ``ProtectedUtils``):

* a contender is named ``_c_<canonical uuid>-<lock name><10-digit sequence>``;
* **every** child of the lock path is a contender, whatever its name: children
  are sorted by the text after the *last* occurrence of the lock name (each
  of the recipe's lock names in turn, for the read/write lock), and a child
  without it sorts by its whole name — so foreign nodes count, and usually
  sort after every ``0000…`` suffix;
* a mutex contender holds the lock when its index is below ``max_leases``
  (1), else it watches the child ``max_leases`` places ahead; a reader holds
  it when no child containing the writer's name sorts before it, else it
  watches the first writer.

The sync recipes and any future asyncio ones call these, so the rule lives here once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zkrecipes.client.protected import PROTECTED_PREFIX, guid_prefix, new_guid

__all__ = [
    "LOCK_NAME",
    "READ_LOCK_NAME",
    "WRITE_LOCK_NAME",
    "NodeGone",
    "Verdict",
    "count_verdict",
    "fix_for_sorting",
    "is_protected_name",
    "new_protected_prefix",
    "read_verdict",
    "sorted_children",
    "standard_verdict",
]

#: Curator's lock names: InterProcessMutex (and SemaphoreV2's gate), and the read/write lock's halves.
LOCK_NAME = "lock-"
READ_LOCK_NAME = "__READ__"
WRITE_LOCK_NAME = "__WRIT__"

_UUID_LENGTH = 36


class NodeGone(Exception):
    """Our contender is not among the children (it vanished with its session): start over."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """``holds``, else the child name to ``watch`` (a data watch; its deletion means: look again).

    Not held with no name to watch (a semaphore lease): watch the children.
    """

    holds: bool
    watch: str | None = None


def new_protected_prefix() -> str:
    """A fresh ``_c_<canonical uuid>-`` prefix, the form Curator recognises."""
    return guid_prefix(new_guid("uuid"))


def is_protected_name(name: str) -> bool:
    """True when ``name`` is a protected name as Curator reads it (``_c_`` + canonical UUID + ``-``)."""
    if not name.startswith(PROTECTED_PREFIX):
        return False
    start = len(PROTECTED_PREFIX)
    end = start + _UUID_LENGTH
    if len(name) <= end or name[end] != "-":
        return False
    candidate = name[start:end]
    try:
        parsed = uuid.UUID(candidate)
    except ValueError:
        return False
    return str(parsed) == candidate.lower() and candidate.count("-") == 4


def fix_for_sorting(name: str, lock_name: str) -> str:
    """The text after the last ``lock_name`` in ``name`` (the whole name if absent)."""
    index = name.rfind(lock_name)
    return name if index < 0 else name[index + len(lock_name):]


def sorted_children(children: Iterable[str], lock_names: Sequence[str]) -> list[str]:
    """Every child, sorted as Curator sorts them (``fix_for_sorting`` by each lock name in turn).

    Python's ``sorted`` is stable and compares code points, as Java's
    ``String.compareTo`` does for these (ASCII) names.
    """
    def key(name: str) -> str:
        for lock_name in lock_names:
            name = fix_for_sorting(name, lock_name)
        return name

    return sorted(children, key=key)


def standard_verdict(ordered: Sequence[str], ours: str, max_leases: int = 1) -> Verdict:
    """A mutex contender's verdict: held when among the first ``max_leases`` (``NodeGone`` if absent)."""
    try:
        index = ordered.index(ours)
    except ValueError:
        raise NodeGone(ours) from None
    if index < max_leases:
        return Verdict(True)
    return Verdict(False, ordered[index - max_leases])


def read_verdict(ordered: Sequence[str], ours: str, holds_write_lock: bool = False) -> Verdict:
    """A reader's verdict: held unless a writer sorts before us, else watch the first writer."""
    if holds_write_lock:
        return Verdict(True)
    first_writer: str | None = None
    for name in ordered:
        if WRITE_LOCK_NAME in name:
            if first_writer is None:
                first_writer = name
        elif name.startswith(ours):
            return Verdict(True) if first_writer is None else Verdict(False, first_writer)
    raise NodeGone(ours)


def count_verdict(children: Sequence[str], ours: str, max_leases: int) -> Verdict:
    """A semaphore lease's verdict: held while at most ``max_leases`` children exist, **every** child
    counting (Curator's ``InterProcessSemaphoreV2``); else watch the children (``NodeGone`` if absent)."""
    if ours not in children:
        raise NodeGone(ours)
    return Verdict(len(children) <= max_leases)
