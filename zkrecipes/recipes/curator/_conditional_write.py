"""The pure rules of a conditional (version-checked) write: SharedValue, SharedCount, DistributedAtomicLong.

Three Curator bugs shape them:

* **CURATOR-688**: a znode's ``version`` is a signed 32-bit int that wraps
  (``2**31 - 1`` is followed by ``-2**31`` on the wire); comparing versions
  to decide which of two reads is newer breaks there and the value freezes.
  Newer is decided by the node's **mzxid** (64 bits, strictly increasing),
  :func:`is_newer`.
* **ZOOKEEPER-4743**: after the wrap a node can reach version ``-1``, which
  ``setData`` reads as "any version": a conditional write would silently be
  a blind one. :func:`check_conditional_version` refuses it
  (:class:`ValueError`), as Curator's ``IllegalTrySetVersionException`` does.
* **A lost reply** (the CURATOR-678 family: a write whose reply is lost with
  the connection): Curator re-sends the write and reports "someone else was
  first" for a write that was in fact applied. Here the node is read back
  (after a ``sync``) and :func:`judge_read_back` says what can be proven.

Only the I/O differs between the recipes and front ends; the decisions live here.
"""

from __future__ import annotations

from zkrecipes.exceptions import OutcomeUnknownError
from zkrecipes.states import ZnodeStat

__all__ = [
    "ANY_VERSION",
    "LOST_RACE",
    "NOT_APPLIED",
    "RESENDS",
    "check_conditional_version",
    "is_newer",
    "judge_read_back",
    "next_version",
    "same_read",
    "settle",
    "unknown",
]

#: The version ``setData``/``check`` read as "any version" (ZooKeeper's ``-1``).
ANY_VERSION = -1

NOT_APPLIED = "not applied"  # the node is exactly as before our write: safe to send it again
LOST_RACE = "lost race"  # another write took the version ours needed: ours was not applied

#: How often a conditional write proven not applied after a lost reply is sent again.
RESENDS = 16

_INT32_SPAN = 1 << 32
_INT32_HALF = 1 << 31


def is_newer(zxid: int, than_zxid: int) -> bool:
    """True when a read at mzxid ``zxid`` is newer than one at ``than_zxid`` (never compare versions)."""
    return zxid > than_zxid


def next_version(version: int) -> int:
    """The version a write at ``version`` produces: +1, wrapping as the server's 32-bit int does."""
    return (version + 1 + _INT32_HALF) % _INT32_SPAN - _INT32_HALF


def check_conditional_version(path: str, version: int) -> None:
    """Raise ValueError when a write conditional on ``version`` would in fact be unconditional."""
    if version == ANY_VERSION:
        raise ValueError(
            f"{path} is at version -1 (its 32-bit version wrapped): a write conditional on it would "
            "be unconditional (ZOOKEEPER-4743); write it unconditionally if that is safe")


def judge_read_back(
    sent_version: int | None, known_mzxid: int, data: bytes, found: tuple[bytes, ZnodeStat] | None
) -> str:
    """What the node read back (after a ``sync``) proves about our conditional write of ``data``.

    ``sent_version`` is the version the write was conditional on (``None``:
    a create of a node that was missing), ``known_mzxid`` the node's mzxid
    when that version was read, ``found`` the read back ``(data, stat)`` (None
    when the node is missing).

    * :data:`NOT_APPLIED`: the node is exactly as it was (same version and
      mzxid; or still missing for a create) — ZooKeeper applies a session's
      requests in order, so a write the server never applied will not be
      applied later.
    * :data:`LOST_RACE`: the node is at the version our write would have
      produced, holding other bytes — another write made that version, so
      ours failed on BadVersion (NodeExists for a create).
    * otherwise ValueError with the reason (the caller raises
      :class:`OutcomeUnknownError`): at the version ours would have produced
      *with our bytes* (ours, or another writer's identical write), moved
      further on, or deleted.
    """
    if found is None:
        if sent_version is None:
            return NOT_APPLIED
        raise ValueError("the node was deleted")
    found_data, stat = found
    if sent_version is not None and stat.version == sent_version and stat.mzxid == known_mzxid:
        return NOT_APPLIED
    produced = 0 if sent_version is None else next_version(sent_version)
    if stat.version == produced:
        if (found_data or b"") != data:
            return LOST_RACE
        raise ValueError("it holds our bytes at the version our write would produce, "
                         "which another writer's identical write would leave too")
    raise ValueError(f"it moved on to version {stat.version}")


def same_read(previous: tuple[int, int, object], current: tuple[int, int, object]) -> bool:
    """True when ``previous`` ``(version, mzxid, value)`` is the read last seen, ``current``.

    ``try_set_value`` answers False at once otherwise (Curator's rule: the
    caller's view is stale, so the write would be built on an old value).
    """
    return previous == current


def settle(path: str, operation: str, sent_version: int | None, known_mzxid: int, data: bytes,
           found: tuple[bytes, ZnodeStat] | None, cause: BaseException) -> str:
    """:func:`judge_read_back` for a lost reply (or a cancelled await): the verdict, else raise.

    Returns :data:`NOT_APPLIED` or :data:`LOST_RACE`; raises
    :class:`OutcomeUnknownError` (``__cause__``: ``cause``, the error or
    cancellation that lost the reply) when the read-back proves neither.
    """
    try:
        return judge_read_back(sent_version, known_mzxid, data, found)
    except ValueError as why:
        raise unknown(path, operation, str(why)) from cause


def unknown(path: str, operation: str, why: str) -> OutcomeUnknownError:
    """The error for a conditional write of ``path`` whose outcome cannot be established."""
    return OutcomeUnknownError(
        f"{operation} of {path}: reply lost and {why}; it may or may not have been applied",
        path=path, operation=operation)
