"""DistributedAtomicLong: Curator's 64-bit atomic counter, on Curator's znode layout.

Interoperable with Curator's ``DistributedAtomicLong`` on the same path: one
PERSISTENT node holding an 8-byte big-endian signed long (missing node or
empty data = 0; 1 to 7 bytes are corrupt: ``ValueError``). Arithmetic wraps
at 64 bits as Java's ``long`` does.

Each change is optimistic: read value and version, write the new value with
that version (or create the node, parents as containers, when it is
missing); on a lost race try again as ``retry_policy`` allows. With a
:class:`~.promoted_to_lock.PromotedToLock`, when the optimistic tries fail the
change is tried again while holding an InterProcessMutex at its lock path
(Curator participants using the same lock path exclude each other there).
An operation that could not be applied returns an AtomicValue whose
``succeeded()`` is False — it raises only for errors.

A connection loss during the conditional write is settled by reading the
node back (:func:`~._conditional_write.settle`): proven not applied, the try
counts as a lost race (and is retried as the policy allows); otherwise
:class:`~zkrecipes.exceptions.OutcomeUnknownError` (Curator's retry loop would
re-send it and could count it twice). SUSPENDED: operations wait for the
reconnect (within the client's request timeouts). LOST: nothing to lose (no
ephemeral state). The asyncio form is
:class:`zkrecipes.aio.recipes.curator.DistributedAtomicLong` (promoted lock included).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.exceptions import BadVersionError, ConnectionClosedError, NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.curator._conditional_write import check_conditional_version, settle, unknown
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._encoding import decode_long, encode_long, wrap_long
from zkrecipes.recipes.curator.atomic_value import AtomicStats, AtomicValue
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.recipes.curator.retry_policy import RetryNTimes, RetryPolicy

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator.promoted_to_lock import PromotedToLock
    from zkrecipes.states import ZnodeStat

__all__ = ["DistributedAtomicLong"]

class DistributedAtomicLong:
    """A 64-bit counter shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, retry_policy: RetryPolicy | None = None,
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

    def get(self) -> AtomicValue:
        """The current value (always ``succeeded()``)."""
        value, _version, _mzxid = self._read()
        return AtomicValue(True, value, value, AtomicStats())

    def increment(self) -> AtomicValue:
        """Add 1."""
        return self.add(1)

    def decrement(self) -> AtomicValue:
        """Subtract 1."""
        return self.add(-1)

    def add(self, delta: int) -> AtomicValue:
        """Add ``delta`` (wrapping at 64 bits)."""
        return self._try_set(lambda pre: wrap_long(pre + delta))

    def subtract(self, delta: int) -> AtomicValue:
        """Subtract ``delta`` (wrapping at 64 bits)."""
        return self._try_set(lambda pre: wrap_long(pre - delta))

    def try_set(self, new_value: int) -> AtomicValue:
        """Set to ``new_value`` if no other writer gets in between (with the policy's retries)."""
        encode_long(new_value)
        return self._try_set(lambda pre: new_value)

    def compare_and_set(self, expected_value: int, new_value: int) -> AtomicValue:
        """Set to ``new_value`` only if the node exists and holds ``expected_value``; one try."""
        data = encode_long(new_value)
        stats = AtomicStats()
        stats.optimistic_tries = 1
        try:
            raw, stat = self.client.retry(self.client.get, self.path)
        except NoNodeError:
            return AtomicValue(False, 0, new_value, stats)
        pre = decode_long(raw)
        if pre != expected_value:
            return AtomicValue(False, pre, new_value, stats)
        check_conditional_version(self.path, stat.version)
        try:
            self.client.set(self.path, data, version=stat.version)
        except (BadVersionError, NoNodeError):
            return AtomicValue(False, pre, new_value, stats)
        except RETRYABLE as error:
            self._settle(stat.version, stat.mzxid, data, "compare_and_set", error)
            return AtomicValue(False, pre, new_value, stats)
        return AtomicValue(True, pre, new_value, stats)

    def force_set(self, new_value: int) -> None:
        """Set to ``new_value`` unconditionally (creating the node if needed)."""
        data = encode_long(new_value)
        while True:
            try:
                self.client.retry(self.client.set, self.path, data)
                return
            except NoNodeError:
                pass
            try:
                create_with_containers(self.client, self.path, data, Deadline(None))
                return
            except NodeExistsError:
                continue

    def initialize(self, value: int) -> bool:
        """Create the node with ``value`` if it does not exist; True if this call created it."""
        try:
            create_with_containers(self.client, self.path, encode_long(value), Deadline(None))
        except NodeExistsError:
            return False
        return True

    # ------------------------------------------------------------------ the tries

    def _read(self) -> tuple[int, int | None, int]:
        """(value, version, mzxid); version None (and mzxid 0) when the node does not exist."""
        try:
            raw, stat = self.client.retry(self.client.get, self.path)
        except NoNodeError:
            return 0, None, 0
        return decode_long(raw), stat.version, stat.mzxid

    def _try_once(self, make: Callable[[int], int]) -> tuple[bool, int, int]:
        pre, version, mzxid = self._read()
        post = make(pre)
        data = encode_long(post)
        try:
            if version is None:
                create_with_containers(self.client, self.path, data, Deadline(None))
            else:
                check_conditional_version(self.path, version)
                self.client.set(self.path, data, version=version)
        except (NodeExistsError, BadVersionError, NoNodeError):
            return False, pre, post
        except RETRYABLE as error:
            self._settle(version, mzxid, data, "DistributedAtomicLong change", error)
            return False, pre, post
        return True, pre, post

    def _settle(self, version: int | None, mzxid: int, data: bytes, operation: str, error: Exception) -> None:
        """Return when our lost write is proven not applied; raise OutcomeUnknownError otherwise."""
        if isinstance(error, ConnectionClosedError):
            raise unknown(self.path, operation, "the client is closed") from error
        try:
            self.client.retry(self.client.sync, self.path)
            raw, stat = self.client.retry(self.client.get, self.path)
            found: tuple[bytes, ZnodeStat] | None = (raw or b"", stat)
        except NoNodeError:
            found = None
        except Exception as read_error:
            raise unknown(self.path, operation, f"reading it back failed ({read_error!r})") from error
        settle(self.path, operation, version, mzxid, data, found, error)  # returns: not applied

    def _loop(self, make: Callable[[int], int], policy: RetryPolicy, count: Callable[[], None]) -> \
            tuple[bool, int, int]:
        start = time.monotonic()
        retries = 0
        pause = self.client.handler.event_object()
        while True:
            count()
            done, pre, post = self._try_once(make)
            if done:
                return done, pre, post
            wait = policy.allow_retry(retries, time.monotonic() - start)
            if wait is None:
                return done, pre, post
            retries += 1
            if wait > 0:
                pause.wait(wait)

    def _try_set(self, make: Callable[[int], int]) -> AtomicValue:
        stats = AtomicStats()
        start = time.monotonic()

        def optimistic() -> None:
            stats.optimistic_tries += 1

        done, pre, post = self._loop(make, self.retry_policy, optimistic)
        stats.optimistic_time = time.monotonic() - start
        if done or self._mutex is None or self.promoted_to_lock is None:
            return AtomicValue(done, pre, post, stats)
        start = time.monotonic()
        if self._mutex.acquire(self.promoted_to_lock.timeout):
            try:
                def promoted() -> None:
                    stats.promoted_lock_tries += 1

                done, pre, post = self._loop(make, self.promoted_to_lock.retry_policy, promoted)
            finally:
                self._mutex.release()
        stats.promoted_lock_time = time.monotonic() - start
        return AtomicValue(done, pre, post, stats)
