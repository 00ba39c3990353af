"""Fenced writes of the asyncio Curator locks: a write applied only while our lock nodes exist.

The asyncio twin of ``recipes/curator/_fenced_writes.py``: the same transaction
``[set_data(each held node, its own data, its known version)…, the write]``
and, after a lost reply, the same read-back on the same session. Every
decision is a pure rule (:mod:`zkrecipes.recipes._fence_outcome`,
:mod:`zkrecipes.recipes.curator._fence_rules`); only the awaits live here.
One fenced write at a time per recipe object (an :class:`asyncio.Lock`).

**Cancellation**: a fenced write cancelled while its commit is in flight was
applied or not, as any cancelled write; a stale marker version is then caught
by the next write (BadVersion on the marker: nothing applied, refreshed, sent
again), never mistaken for an outcome.
"""

from __future__ import annotations

import asyncio
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
    FenceMarker,
    combined_verdict,
    decisive,
    first_marker,
)
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction

__all__ = ["AsyncFencedWrites", "Fence"]


class AsyncFencedWrites:
    """The fenced writes of one asyncio recipe object; ``fences()`` returns the held nodes or raises
    ``LockNotHeldError`` (``LockLostError`` after a LOST)."""

    def __init__(self, client: AsyncRecipeClient, lock_path: str,
                 fences: Callable[[], Sequence[Fence]]) -> None:
        self._client = client
        self._lock_path = lock_path
        self._fences = fences
        self._markers: dict[str, FenceMarker] = {}
        self._mutex = asyncio.Lock()

    def transaction(self) -> AsyncRecipeTransaction:
        """A transaction that first checks every held node exists (``commit()`` is never retried)."""
        transaction = self._client.transaction()
        for fence in self._fences():
            transaction.check(fence.path, -1)
        return transaction

    async def set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while held; its new stat (read back when the reply was lost)."""
        result = await self._write(path, "fenced_set", lambda tx: tx.set_data(path, value, version))
        if isinstance(result, ZnodeStat):
            return result
        try:
            target: ZnodeStat | None = await self._client.retry(self._client.exists, path)
        except Exception as read_error:
            raise unknown(path, "fenced_set", f"it was applied but reading it failed ({read_error!r})") \
                from read_error
        if target is None:
            raise unknown(path, "fenced_set", "it was applied but the node was deleted since")
        return target

    async def create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while held; the created path."""
        result = await self._write(path, "fenced_create",
                                   lambda tx: tx.create(path, value, ephemeral=ephemeral))
        return path if result is APPLIED else str(result)

    async def delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while held."""
        await self._write(path, "fenced_delete", lambda tx: tx.delete(path, version))

    # ------------------------------------------------------------------ the marker rule's I/O

    async def _write(self, path: str, operation: str,
                     add: Callable[[AsyncRecipeTransaction], object]) -> object:
        async with self._mutex:
            for _ in range(ATTEMPTS):
                result = await self._write_once(path, operation, add)
                if result is not RESEND:
                    return result
            raise unknown(path, operation, "the connection kept failing")

    async def _write_once(self, path: str, operation: str,
                          add: Callable[[AsyncRecipeTransaction], object]) -> object:
        fences = list(self._fences())
        self._markers = {fence.path: self._markers.get(fence.path) or first_marker(fence) for fence in fences}
        transaction = self._client.transaction()
        for fence in fences:
            marker = self._markers[fence.path]
            transaction.set_data(fence.path, marker.data, marker.version)
        add(transaction)
        try:
            results = await transaction.commit()
        except RETRYABLE as error:  # ConnectionClosedError included: establish what we can
            return await self._after_lost_reply(fences, path, operation, error)
        marker_results, op_result = results[:-1], results[-1]
        result = judge_commit(self._lock_path, decisive(marker_results), op_result)
        if result is RESEND:  # one of our nodes was changed by someone else: nothing applied
            await self._refresh(fences)
            return RESEND
        for fence, stat in zip(fences, marker_results, strict=True):
            self._markers[fence.path] = FenceMarker(stat.version, stat.mzxid, self._markers[fence.path].data)
        return result

    async def _refresh(self, fences: Sequence[Fence]) -> None:
        for fence in fences:
            try:
                data, stat = await self._client.retry(self._client.get, fence.path)
            except NoNodeError:
                raise lost(self._lock_path) from None
            self._markers[fence.path] = FenceMarker(stat.version, stat.mzxid, data or b"")

    async def _after_lost_reply(self, fences: Sequence[Fence], path: str, operation: str,
                                error: Exception) -> object:
        def fail(why: str) -> Exception:
            return unknown(path, operation, f"reply lost ({type(error).__name__}) and {why}")

        if isinstance(error, ConnectionClosedError):
            raise fail("the client is closed") from error
        verdicts: list[object] = []
        found_stats: dict[str, ZnodeStat] = {}
        for fence in fences:
            try:
                found = await self._client.retry(self._client.exists, fence.path)
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
                    self._markers[fence_path] = FenceMarker(stat.version, stat.mzxid, old.data)
            return verdict
        try:  # every held node is gone (session lost): the target's mzxid may still prove "not written"
            target = await self._client.retry(self._client.exists, path)
        except Exception as read_error:
            raise fail(f"the lock is lost and reading {path} failed ({read_error!r})") from error
        newest = max((self._markers[fence.path].mzxid for fence in fences), default=0)
        if judge_without_marker(target, newest):
            raise lost(self._lock_path) from error
        raise fail("the lock was lost before it could be established") from error
