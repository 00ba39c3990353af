"""Fenced writes for Curator's lock-like recipes: a write applied only while our lock nodes exist.

Every lock-like Curator recipe here (a mutex, each half of the read/write
lock, a semaphore lease, a multi lock) holds one or more nodes; their czxids
are its fencing tokens. :class:`FencedWrites` makes a ZooKeeper write
conditional on those nodes, with the marker rule of
:mod:`zkrecipes.recipes._fence_outcome` (the one ``Lock.fenced_set`` follows):
the write is one transaction ``[set_data(each held node, its own data, its
known version)…, the write]``. A holder whose session is gone has no nodes, so
the server refuses the transaction (:class:`LockLostError`, nothing written).

When the reply is lost with the connection, the held nodes are read back on
the same session: their versions say *applied* (the result is returned) or
*not applied* (sent again); with every node gone, the target's mzxid decides
"not written" only when it proves it; otherwise :class:`OutcomeUnknownError`.
Markers keep the node's data unchanged (same bytes, version + 1), so a
Curator waiter's data watch merely re-lists, and a revoke message written
into the node survives.

Only the I/O lives here; every decision is ``_fence_outcome``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from zkrecipes.exceptions import ConnectionClosedError, NoNodeError
from zkrecipes.recipes._fence_outcome import (
    APPLIED,
    ATTEMPTS,
    RESEND,
    judge_commit,
    judge_marker,
    judge_without_marker,
    lost,
    unknown,
)
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.curator._fence_rules import (
    DISAGREE,
    Fence,
    combined_verdict,
    decisive,
    first_marker,
)
from zkrecipes.recipes.curator._fence_rules import FenceMarker as _Marker
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, Transaction

__all__ = ["Fence", "FencedWrites"]


class FencedWrites:
    """The fenced writes of one recipe object (see the module docstring).

    ``fences()`` returns the nodes held now, or raises ``LockNotHeldError``
    (``LockLostError`` after a LOST). ``lock_path`` names the recipe in errors.
    One fenced write at a time per object, so only our own markers move the
    versions we know.
    """

    def __init__(self, client: RecipeClient, lock_path: str, fences: Callable[[], Sequence[Fence]]) -> None:
        self._client = client
        self._lock_path = lock_path
        self._fences = fences
        self._markers: dict[str, _Marker] = {}
        self._mutex = client.handler.lock_object()

    # ------------------------------------------------------------------ the API

    def transaction(self) -> Transaction:
        """A client transaction that first checks every held node exists (commit is never retried)."""
        transaction = self._client.transaction()
        for fence in self._fences():
            transaction.check(fence.path, -1)
        return transaction

    def set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while held; its new stat (read back when the reply was lost)."""
        result = self._write(path, "fenced_set", lambda tx: tx.set_data(path, value, version))
        if isinstance(result, ZnodeStat):
            return result
        try:
            target = self._client.retry(self._client.exists, path)
        except Exception as read_error:
            raise unknown(path, "fenced_set", f"it was applied but reading it failed ({read_error!r})") \
                from read_error
        if target is None:
            raise unknown(path, "fenced_set", "it was applied but the node was deleted since")
        return target

    def create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while held; the created path."""
        result = self._write(path, "fenced_create", lambda tx: tx.create(path, value, ephemeral=ephemeral))
        return path if result is APPLIED else str(result)

    def delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while held."""
        self._write(path, "fenced_delete", lambda tx: tx.delete(path, version))

    # ------------------------------------------------------------------ the marker rule's I/O

    def _write(self, path: str, operation: str, add: Callable[[Transaction], object]) -> object:
        with self._mutex:
            for _ in range(ATTEMPTS):
                result = self._write_once(path, operation, add)
                if result is not RESEND:
                    return result
            raise unknown(path, operation, "the connection kept failing")

    def _marker(self, fence: Fence) -> _Marker:
        known = self._markers.get(fence.path)
        return known if known is not None else first_marker(fence)

    def _write_once(self, path: str, operation: str, add: Callable[[Transaction], object]) -> object:
        fences = list(self._fences())
        self._markers = {fence.path: self._marker(fence) for fence in fences}  # forget released nodes
        transaction = self._client.transaction()
        for fence in fences:
            marker = self._markers[fence.path]
            transaction.set_data(fence.path, marker.data, marker.version)
        add(transaction)
        try:
            results = transaction.commit()
        except RETRYABLE as error:  # ConnectionClosedError included: establish what we can
            return self._after_lost_reply(fences, path, operation, error)
        marker_results, op_result = results[:-1], results[-1]
        result = judge_commit(self._lock_path, decisive(marker_results), op_result)
        if result is RESEND:  # one of our nodes was changed by someone else
            self._refresh(fences)
            return RESEND
        for fence, stat in zip(fences, marker_results, strict=True):
            self._markers[fence.path] = _Marker(stat.version, stat.mzxid, self._markers[fence.path].data)
        return result

    def _refresh(self, fences: Sequence[Fence]) -> None:
        for fence in fences:
            try:
                data, stat = self._client.retry(self._client.get, fence.path)
            except NoNodeError:
                raise lost(self._lock_path) from None
            self._markers[fence.path] = _Marker(stat.version, stat.mzxid, data or b"")

    def _after_lost_reply(self, fences: Sequence[Fence], path: str, operation: str,
                          error: Exception) -> object:
        def fail(why: str) -> Exception:
            return unknown(path, operation, f"reply lost ({type(error).__name__}) and {why}")

        if isinstance(error, ConnectionClosedError):
            raise fail("the client is closed") from error
        verdicts: list[object] = []
        found_stats: dict[str, ZnodeStat] = {}
        for fence in fences:
            try:
                found = self._client.retry(self._client.exists, fence.path)
            except Exception as read_error:
                raise fail(f"reading the lock node failed ({read_error!r})") from error
            try:
                verdict = judge_marker(found, self._markers[fence.path].version)
            except ValueError as moved:
                raise fail(str(moved)) from error
            verdicts.append(verdict)
            if verdict is not None and found is not None:
                found_stats[fence.path] = found
        verdict = combined_verdict(verdicts)
        if verdict is DISAGREE:
            raise fail("the lock nodes disagree")
        if verdict is not None:
            if verdict is APPLIED:  # the markers moved with the write, in the same transaction
                for fence_path, stat in found_stats.items():
                    old = self._markers[fence_path]
                    self._markers[fence_path] = _Marker(stat.version, stat.mzxid, old.data)
            return verdict
        # Every held node is gone (session lost): the markers cannot tell.
        try:
            target = self._client.retry(self._client.exists, path)
        except Exception as read_error:
            raise fail(f"the lock is lost and reading {path} failed ({read_error!r})") from error
        newest = max((self._markers[fence.path].mzxid for fence in fences), default=0)
        if judge_without_marker(target, newest):
            raise lost(self._lock_path) from error
        raise fail("the lock was lost before it could be established") from error


#: The rule's former name here (it lives in :mod:`._fence_rules` now).
_decisive = decisive
