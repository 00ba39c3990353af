"""The asyncio Lock's fenced write: one transaction with a marker, its outcome established.

The I/O half of :mod:`zkrecipes.recipes._fence_outcome` (whose pure rules the
threaded Lock uses too): ``[set_data(our lock node, its data, known version),
op]`` is committed; when the reply is lost with the connection, the lock node
(and, if it is gone, the target) is read back and the outcome decided —
applied, not applied (sent again: the marker proves nothing was written),
lock lost and nothing written (:class:`LockLostError`), or
:class:`OutcomeUnknownError`. A write is never re-run unless it is proven not
applied. One fenced write at a time per Lock object (an :class:`asyncio.Lock`),
so only our own marker moves the node's version.

**Cancellation**: a fenced write cancelled while its commit is in flight was
applied or not (as any cancelled write); the known marker version may then be
stale, which the next write detects (BadVersion on the marker: nothing applied,
refreshed, sent again) — it is never mistaken for an outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.exceptions import ConnectionClosedError, OutcomeUnknownError
from zkrecipes.recipes._fence_outcome import (
    APPLIED,
    ATTEMPTS,
    RESEND,
    Marker,
    judge_commit,
    judge_marker,
    judge_without_marker,
    lost,
    marker_state,
    unknown,
)
from zkrecipes.recipes._retrying import RETRYABLE

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._acquire import AsyncAcquireLoop
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction

__all__ = ["APPLIED", "AsyncFencedWriter"]


class AsyncFencedWriter:
    """Fenced writes for one asyncio Lock (``fence`` returns our lock node's path or raises)."""

    def __init__(self, client: AsyncRecipeClient, lock_path: str, loop: AsyncAcquireLoop,
                 fence: Callable[[], str]) -> None:
        self._client = client
        self._lock_path = lock_path
        self._loop = loop
        self._fence = fence
        self._marker: Marker | None = None
        self._mutex = asyncio.Lock()

    async def write(self, path: str, operation: str,
                    add: Callable[[AsyncRecipeTransaction], object]) -> object:
        """Commit [marker, the op ``add`` puts in]; the op's result, or :data:`APPLIED`.

        :data:`APPLIED`: the reply was lost but the marker proves it applied.
        Raises LockLostError when nothing was written (lock gone), the op's own
        error, or OutcomeUnknownError; ``path``/``operation`` name the write.
        """
        async with self._mutex:
            for _ in range(ATTEMPTS):
                result = await self._write_once(path, operation, add)
                if result is not RESEND:
                    return result
            raise unknown(path, operation, "the connection kept failing")

    async def _write_once(self, path: str, operation: str,
                          add: Callable[[AsyncRecipeTransaction], object]) -> object:
        fence = self._fence()
        marker_version, marker_zxid = marker_state(self._marker, fence, self._loop.token)
        transaction = self._client.transaction()
        transaction.set_data(fence, self._loop.data, marker_version)
        add(transaction)
        try:
            marker_result, op_result = await transaction.commit()
        except RETRYABLE as error:  # ConnectionClosedError included: establish what we can
            return await self._after_lost_reply(fence, marker_version, marker_zxid, path, operation, error)
        result = judge_commit(self._lock_path, marker_result, op_result)
        if result is RESEND:  # our node was changed by someone else: nothing applied
            await self._refresh(fence)
            return RESEND
        self._marker = (fence, marker_result.version, marker_result.mzxid)
        return result

    async def _refresh(self, fence: str) -> None:
        found = await self._client.retry(self._client.exists, fence)
        if found is None:
            raise lost(self._lock_path)
        self._marker = (fence, found.version, found.mzxid)

    async def _after_lost_reply(self, fence: str, marker_version: int, marker_zxid: int, path: str,
                                operation: str, error: Exception) -> object:
        def unknown_because(why: str) -> OutcomeUnknownError:
            return unknown(path, operation, f"reply lost ({type(error).__name__}) and {why}")

        if isinstance(error, ConnectionClosedError):
            raise unknown_because("the client is closed") from error
        client = self._client
        try:
            found = await client.retry(client.exists, fence)
        except Exception as read_error:
            raise unknown_because(f"reading the lock node failed ({read_error!r})") from error
        try:
            verdict = judge_marker(found, marker_version)
        except ValueError as moved:
            raise unknown_because(str(moved)) from error
        if verdict is APPLIED:  # the marker moved with it, in the same transaction
            self._marker = (fence, found.version, found.mzxid)
        if verdict is not None:
            return verdict
        # Our lock node is gone (session lost, or deleted): the marker cannot tell.
        try:
            target = await client.retry(client.exists, path)
        except Exception as read_error:
            raise unknown_because(f"the lock is lost and reading {path} failed ({read_error!r})") from error
        if judge_without_marker(target, marker_zxid):
            raise lost(self._lock_path) from error
        raise unknown_because("the lock was lost before it could be established") from error
