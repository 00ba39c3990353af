"""DistributedAtomicLong on asyncio: Curator's 64-bit atomic counter (optimistic mode only).

The same node and encoding as the sync recipe (an 8-byte big-endian signed
long, missing/empty = 0, arithmetic wrapping at 64 bits:
:mod:`zkrecipes.recipes.curator._encoding`), so sync, asyncio and Curator
processes count on one node. Each change reads value and version, then writes
conditional on that version (or creates the node, container parents, when it
is missing); a lost race is tried again as ``retry_policy`` allows (the same
:class:`~zkrecipes.recipes.curator.retry_policy.RetryPolicy` objects, paused
with ``asyncio.sleep``). An operation not applied returns an
:class:`~zkrecipes.recipes.curator.atomic_value.AtomicValue` whose
``succeeded()`` is False.

**Promoted to a lock**: given a :class:`~zkrecipes.recipes.curator.promoted_to_lock.PromotedToLock`
(the same config object as the sync recipe's), a change whose optimistic tries
all lost takes the asyncio :class:`~.inter_process_mutex.InterProcessMutex` at
its ``lock_path`` (Curator's mutex layout: Curator, threaded and asyncio
counters exclude each other there), waiting at most its ``timeout``, and tries
again under it with its ``retry_policy``; the mutex is released whatever
happens (a cancelled change too). Not getting the lock in time leaves the
result not ``succeeded()``.

A lost reply is settled by the read-back rule of
:mod:`zkrecipes.recipes.curator._conditional_write` (proven not applied: the
try counts as a lost race; otherwise OutcomeUnknownError), and so is a
**cancelled** change: ``CancelledError`` when proven not applied, else
OutcomeUnknownError — never counted twice, never silently maybe-counted.
SUSPENDED: requests wait for the reconnect; LOST: nothing ephemeral to lose.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._counter_io import create_with_containers, write_settled
from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.exceptions import BadVersionError, NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes.curator._conditional_write import check_conditional_version
from zkrecipes.recipes.curator._encoding import decode_long, encode_long, wrap_long
from zkrecipes.recipes.curator.atomic_value import AtomicStats, AtomicValue
from zkrecipes.recipes.curator.retry_policy import RetryNTimes, RetryPolicy
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes.curator.promoted_to_lock import PromotedToLock

__all__ = ["DistributedAtomicLong"]


class DistributedAtomicLong:
    """A 64-bit counter shared with sync zkrecipes and Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, retry_policy: RetryPolicy | None = None,
                 promoted_to_lock: PromotedToLock | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self.retry_policy: RetryPolicy = retry_policy if retry_policy is not None else RetryNTimes(10, 10)
        self.promoted_to_lock = promoted_to_lock
        self._mutex = (InterProcessMutex(client, promoted_to_lock.lock_path)
                       if promoted_to_lock is not None else None)

    def __repr__(self) -> str:
        return f"DistributedAtomicLong({self.path!r})"

    # ------------------------------------------------------------------ Curator's API

    async def get(self) -> AtomicValue:
        """The current value (always ``succeeded()``)."""
        value, _version, _mzxid = await self._read()
        return AtomicValue(True, value, value, AtomicStats())

    async def increment(self) -> AtomicValue:
        """Add 1."""
        return await self.add(1)

    async def decrement(self) -> AtomicValue:
        """Subtract 1."""
        return await self.add(-1)

    async def add(self, delta: int) -> AtomicValue:
        """Add ``delta`` (wrapping at 64 bits)."""
        return await self._try_set(lambda pre: wrap_long(pre + delta))

    async def subtract(self, delta: int) -> AtomicValue:
        """Subtract ``delta`` (wrapping at 64 bits)."""
        return await self._try_set(lambda pre: wrap_long(pre - delta))

    async def try_set(self, new_value: int) -> AtomicValue:
        """Set to ``new_value`` if no other writer gets in between (with the policy's retries)."""
        encode_long(new_value)
        return await self._try_set(lambda pre: new_value)

    async def compare_and_set(self, expected_value: int, new_value: int) -> AtomicValue:
        """Set to ``new_value`` only if the node exists and holds ``expected_value``; one try."""
        data = encode_long(new_value)
        stats = AtomicStats()
        stats.optimistic_tries = 1
        try:
            raw, stat = await self.client.retry(self.client.get, self.path)
        except NoNodeError:
            return AtomicValue(False, 0, new_value, stats)
        pre = decode_long(raw)
        if pre != expected_value:
            return AtomicValue(False, pre, new_value, stats)
        check_conditional_version(self.path, stat.version)

        def write() -> Any:
            return self.client.set(self.path, data, version=stat.version)

        try:
            outcome = await write_settled(self.client, self.path, "compare_and_set", write, stat.version,
                                          stat.mzxid, data)
        except (BadVersionError, NoNodeError):
            return AtomicValue(False, pre, new_value, stats)
        return AtomicValue(isinstance(outcome, ZnodeStat), pre, new_value, stats)

    async def force_set(self, new_value: int) -> None:
        """Set to ``new_value`` unconditionally (creating the node if needed)."""
        data = encode_long(new_value)
        while True:
            try:
                await self.client.retry(self.client.set, self.path, data)
                return
            except NoNodeError:
                pass
            try:
                await self.client.retry(create_with_containers, self.client, self.path, data)
                return
            except NodeExistsError:
                continue

    async def initialize(self, value: int) -> bool:
        """Create the node with ``value`` if it does not exist; True if this call created it.

        A create whose reply was lost and that finds the node on the retry answers False.
        """
        try:
            await self.client.retry(create_with_containers, self.client, self.path, encode_long(value))
        except NodeExistsError:
            return False
        return True

    # ------------------------------------------------------------------ the tries

    async def _read(self) -> tuple[int, int | None, int]:
        """(value, version, mzxid); version None (and mzxid 0) when the node does not exist."""
        try:
            raw, stat = await self.client.retry(self.client.get, self.path)
        except NoNodeError:
            return 0, None, 0
        return decode_long(raw), stat.version, stat.mzxid

    async def _try_once(self, make: Callable[[int], int]) -> tuple[bool, int, int]:
        pre, version, mzxid = await self._read()
        post = make(pre)
        data = encode_long(post)
        if version is not None:
            check_conditional_version(self.path, version)

        def write() -> Any:
            if version is None:
                return create_with_containers(self.client, self.path, data)
            return self.client.set(self.path, data, version=version)

        try:
            outcome = await write_settled(self.client, self.path, "DistributedAtomicLong change", write,
                                          version, mzxid, data)
        except (NodeExistsError, BadVersionError, NoNodeError):
            return False, pre, post
        return isinstance(outcome, ZnodeStat), pre, post

    async def _loop(self, make: Callable[[int], int], policy: RetryPolicy,
                    count: Callable[[], None]) -> tuple[bool, int, int]:
        start = time.monotonic()
        retries = 0
        while True:
            count()
            done, pre, post = await self._try_once(make)
            if done:
                return done, pre, post
            wait = policy.allow_retry(retries, time.monotonic() - start)
            if wait is None:
                return done, pre, post
            retries += 1
            if wait > 0:
                await asyncio.sleep(wait)  # the policy's pause between tries, not a synchronisation

    async def _try_set(self, make: Callable[[int], int]) -> AtomicValue:
        stats = AtomicStats()
        start = time.monotonic()

        def optimistic() -> None:
            stats.optimistic_tries += 1

        done, pre, post = await self._loop(make, self.retry_policy, optimistic)
        stats.optimistic_time = time.monotonic() - start
        if done or self._mutex is None or self.promoted_to_lock is None:
            return AtomicValue(done, pre, post, stats)
        start = time.monotonic()
        if await self._mutex.acquire(self.promoted_to_lock.timeout):
            try:
                def promoted() -> None:
                    stats.promoted_lock_tries += 1

                done, pre, post = await self._loop(make, self.promoted_to_lock.retry_policy, promoted)
            finally:
                await self._mutex.release()
        stats.promoted_lock_time = time.monotonic() - start
        return AtomicValue(done, pre, post, stats)
