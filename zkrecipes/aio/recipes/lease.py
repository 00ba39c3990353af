"""Time-limited, non-blocking leases on asyncio (``zkrecipes.recipes.lease`` with ``await``).

kazoo's layout and record, shared with the threaded recipe: a persistent
``<path>/lease_holder`` node holding :func:`~zkrecipes.recipes.lease.encode_lease`'s
JSON, written under a short asyncio :class:`~zkrecipes.aio.recipes.lock.Lock`
on ``path`` when the pure :func:`~zkrecipes.recipes.lease.may_take_lease`
allows it (no holder, an ended lease, or a renewal by the same identifier).
The write is the lock's fenced write (:meth:`~zkrecipes.aio.recipes.lock.Lock.fenced_set`'s
marker, as the threaded recipe): a connection loss while obtaining is settled
(granted, or sent again when proven not written) when the marker can tell; a
session lost while obtaining makes the attempt fail (not granted) when nothing
was written, and raises :class:`~zkrecipes.exceptions.OutcomeUnknownError` when
the lease may have been written.

The asyncio form cannot try in its constructor: ``lease = await
NonBlockingLease(zk, path, duration)`` (or ``await lease.obtain()``), then
``bool(lease)``. A granted lease does not depend on the session. **Cancellation**:
a cancelled attempt leaves no lock node (the Lock's rule); the lease was then
written or not (as any cancelled write; ``obtained`` stays False).
"""

from __future__ import annotations

import datetime
import socket
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.lock import Lock
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    LockLostError,
    NoNodeError,
)
from zkrecipes.recipes._checks import check_count, check_identifier, check_path, check_timeout
from zkrecipes.recipes.lease import (
    LEASE_VERSION,
    Clock,
    _check_duration,
    decode_lease,
    encode_lease,
    may_take_lease,
    utc_now,
)

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["MultiNonBlockingLease", "NonBlockingLease"]


class NonBlockingLease:
    """An exclusive lease, tried once by ``await lease`` / ``await lease.obtain()``; ``bool(lease)``.

    The holder renews by trying a new lease with the same path and identifier
    (default: the host name). ``lock_timeout`` bounds the wait for the short
    internal lock; ``utcnow`` is the clock (for tests).
    """

    def __init__(self, client: AsyncRecipeClient, path: str, duration: datetime.timedelta,
                 identifier: str | None = None, utcnow: Clock = utc_now, *,
                 lock_timeout: float | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self.duration = _check_duration(duration)
        self.identifier = check_identifier(identifier) or socket.gethostname()
        self.obtained = False
        self.end: datetime.datetime | None = None
        self._lock_timeout = check_timeout(lock_timeout)
        self._utcnow = utcnow
        self._tried = False

    def __await__(self) -> Generator[Any, None, NonBlockingLease]:
        return self._obtain_once().__await__()

    async def _obtain_once(self) -> NonBlockingLease:
        if not self._tried:
            await self.obtain()
        return self

    async def obtain(self) -> bool:
        """Try for the lease (once per call); True if obtained (``end`` is set then)."""
        self._tried = True
        client = self.client
        await client.retry(client.ensure_path, self.path)
        holder_path = join_path(self.path, "lease_holder")
        lock = Lock(client, self.path, self.identifier)
        if not await lock.acquire(timeout=self._lock_timeout):
            return False
        try:
            now = self._utcnow()
            current = await client.retry(self._read, holder_path)
            if current is not None and not may_take_lease(current[0], self.identifier, now, holder_path,
                                                          LEASE_VERSION):
                return False
            new_end = now + self.duration
            payload = encode_lease(self.identifier, new_end)
            # Fenced (a holder that lost the lock cannot overwrite the next one's lease) and
            # never re-run blindly: a lost reply is settled by the lock's marker, or raises
            # OutcomeUnknownError (the lease may have been written).
            try:
                if current is None:
                    await lock._writer.write(holder_path, "lease",
                                             lambda tx: tx.create(holder_path, payload))
                else:
                    version = current[1]
                    await lock._writer.write(holder_path, "lease",
                                             lambda tx: tx.set_data(holder_path, payload, version))
            except LockLostError:
                return False  # nothing was written: not obtained
            self.obtained = True
            self.end = new_end.replace(microsecond=0)
            return True
        finally:
            await lock.release()

    async def _read(self, holder_path: str) -> tuple[dict[str, Any], int] | None:
        try:
            raw, stat = await self.client.get(holder_path)
        except NoNodeError:
            return None
        return decode_lease(raw or b"", holder_path), stat.version

    def __bool__(self) -> bool:
        return self.obtained

    def __repr__(self) -> str:
        return f"NonBlockingLease({self.path!r}, obtained={self.obtained}, end={self.end})"


class MultiNonBlockingLease:
    """One of ``count`` leases ``<path>/0`` … ``<path>/<count-1>``, tried in order by ``await``.

    ``bool(lease)`` is True if one was obtained; ``lease.lease`` is that one.
    """

    def __init__(self, client: AsyncRecipeClient, count: int, path: str, duration: datetime.timedelta,
                 identifier: str | None = None, utcnow: Clock = utc_now, *,
                 lock_timeout: float | None = None) -> None:
        self.client = client
        self.count = check_count(count, "count")
        check_identifier(identifier)
        check_path(path)
        _check_duration(duration)
        self.obtained = False
        self.lease: NonBlockingLease | None = None
        self._leases = [NonBlockingLease(client, f"{path}/{number}", duration, identifier, utcnow,
                                         lock_timeout=lock_timeout) for number in range(count)]
        self._tried = False

    def __await__(self) -> Generator[Any, None, MultiNonBlockingLease]:
        return self._obtain_once().__await__()

    async def _obtain_once(self) -> MultiNonBlockingLease:
        if not self._tried:
            await self.obtain()
        return self

    async def obtain(self) -> bool:
        """Try the leases in order; True once one was obtained."""
        self._tried = True
        for lease in self._leases:
            if await lease.obtain():
                self.obtained = True
                self.lease = lease
                return True
        return False

    def __bool__(self) -> bool:
        return self.obtained

    def __repr__(self) -> str:
        return f"MultiNonBlockingLease(obtained={self.obtained})"
