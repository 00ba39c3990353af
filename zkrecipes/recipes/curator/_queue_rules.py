"""The lock-path decisions both front ends drive (pure; no I/O): names, the finish transaction, verdicts.

* the session marker's path (:func:`marker_path`) and the item we hold (:class:`Held`);
* what the finishing transaction holds (:func:`fill_finish`): ``check(marker),
  delete(item), [create(copy)], delete(lock)`` — one transaction, so a consumer
  whose session ended never deletes what another consumer holds now;
* what its results mean (:func:`commit_verdict`), and after a lost reply the
  read-back rule of :mod:`._queue_outcome`;
* what leaves a node after the caller's work (:func:`after_work`): the rest of
  a ``put_multi`` node, or the whole node after a failure under
  ``ErrorMode.REQUEUE``.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes.curator._queue_format import decode_items, encode_items
from zkrecipes.recipes.curator._queue_names import requeue_prefix
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

__all__ = ["MARKER_PREFIX", "Claim", "CommitVerdict", "Held", "after_work", "commit_verdict", "fill_finish",
           "items_of", "marker_path"]

log = logging.getLogger("zkrecipes.recipes.curator._queue_engine")

MARKER_PREFIX = "zkr-live-"


@dataclass(frozen=True)
class Held:
    """One item we hold the lock of: its name, the lock node, the session marker of that lock."""

    name: str
    lock: str
    marker: str
    session: int


@dataclass(frozen=True)
class Claim:
    """An item node we hold the lock of and have read: the lock, its bytes, its decoded items."""

    held: Held
    data: bytes | None
    items: list[bytes]


def items_of(path: str, data: bytes | None) -> list[bytes]:
    """A node's items in Curator's framing; [] (logged) for one that is not (dropped, as Curator does)."""
    try:
        return decode_items(data)
    except ValueError:
        log.error("corrupted queue item %s (not Curator's framing): dropped", path)
        return []


def marker_path(lock_path: str, session: int, owner: bytes) -> str:
    """The session marker of queue object ``owner`` on ``session`` under ``lock_path``."""
    return join_path(lock_path, f"{MARKER_PREFIX}{session:016x}-{owner.decode()}")


def fill_finish(transaction: Any, queue_path: str, held: Held, requeue: bytes | None) -> None:
    """Add the finishing operations for ``held`` to ``transaction`` (either front end's).

    ``requeue``: the bytes of a copy created in the same transaction.
    """
    transaction.check(held.marker, -1)
    transaction.delete(join_path(queue_path, held.name))
    if requeue is not None:
        transaction.create(join_path(queue_path, requeue_prefix(held.name)), requeue, sequence=True)
    transaction.delete(held.lock)


class CommitVerdict(enum.Enum):
    """What a finishing transaction's results say."""

    APPLIED = "applied"
    SESSION_GONE = "session gone"  # the marker check failed: nothing done, the item is another's now
    ITEM_GONE = "item gone"  # someone removed the item while we held its lock: release ours


def commit_verdict(results: list[object]) -> CommitVerdict:
    """The verdict for a committed finishing transaction's per-operation results."""
    if results and isinstance(results[0], NoNodeError):
        return CommitVerdict.SESSION_GONE
    if any(isinstance(result, Exception) for result in results):
        return CommitVerdict.ITEM_GONE
    return CommitVerdict.APPLIED


def after_work(data: bytes | None, items: list[bytes], failed: bool, mode: ErrorMode,
               handed: int = 1) -> bytes | None:
    """The bytes to requeue when finishing a node of ``items`` once ``handed`` of them were handed over.

    A failure under REQUEUE puts the whole node back (``data``); otherwise the
    items not handed over yet (the rest of a ``put_multi`` node), or None.
    """
    if failed and mode is ErrorMode.REQUEUE:
        return data
    rest = items[handed:]
    return encode_items(rest) if rest else None
