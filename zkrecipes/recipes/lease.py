"""Time-limited, non-blocking leases (kazoo's ``NonBlockingLease`` / ``MultiNonBlockingLease``).

A lease is a persistent ``<path>/lease_holder`` node holding JSON
``{"version": 1, "holder": <identifier>, "end": "<UTC %Y-%m-%dT%H:%M:%S>"}``
(kazoo's format, so kazoo and zkrecipes clients share leases). Obtaining one
is a short critical section under a :class:`~zkrecipes.recipes.lock.Lock` on
``path``: the lease is granted if there is no holder, the holder's lease has
ended, or the holder is us (a renewal). Expiry uses the clients' clocks, which
must be roughly synchronised.

Failure semantics (Curator style): a granted lease does not depend on the
session — **SUSPENDED** and **LOST** change nothing; it simply ends at its
end time. The lease node is written with the lock's fenced write
(:meth:`~zkrecipes.recipes.lock.Lock.fenced_set`'s marker): a connection loss
while obtaining is settled (granted, or sent again) when the marker can tell;
a session lost while obtaining makes the attempt fail (not granted) when
nothing was written, and raises
:class:`~zkrecipes.exceptions.OutcomeUnknownError` when the lease may have been
written.
"""

from __future__ import annotations

import datetime
import json
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    LockLostError,
    MalformedNodeDataError,
    NoNodeError,
)
from zkrecipes.recipes._checks import check_count, check_identifier, check_path, check_timeout
from zkrecipes.recipes.lock import Lock

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    """The current UTC time as a naive datetime (the lease format carries no zone)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


#: The lease record's format version and end-time format (kazoo's).
LEASE_VERSION = 1
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def encode_lease(holder: str, end: datetime.datetime) -> bytes:
    """The ``lease_holder`` node data for ``holder`` until ``end`` (UTC, whole seconds).

    UTF-8 JSON ``{"version": 1, "holder": …, "end": "%Y-%m-%dT%H:%M:%S"}``,
    byte for byte what kazoo writes.
    """
    record = {"version": LEASE_VERSION, "holder": holder, "end": end.strftime(DATE_FORMAT)}
    return json.dumps(record).encode("utf-8")


def decode_lease(raw: bytes, where: str) -> dict[str, Any]:
    """The JSON object stored in a ``lease_holder`` node.

    Raises :class:`MalformedNodeDataError` (naming ``where``) if ``raw`` is not
    UTF-8 JSON holding an object.
    """
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedNodeDataError(f"lease holder {where} holds {raw[:64]!r}") from error
    if not isinstance(data, dict):
        raise MalformedNodeDataError(f"lease holder {where} holds {raw[:64]!r}")
    return data


def lease_end(data: dict[str, Any], where: str) -> datetime.datetime:
    """The end time of a decoded lease record (naive UTC).

    Raises :class:`MalformedNodeDataError` if ``end`` is missing or not in :data:`DATE_FORMAT`.
    """
    try:
        return datetime.datetime.strptime(str(data["end"]), DATE_FORMAT)
    except (KeyError, ValueError) as error:
        raise MalformedNodeDataError(f"lease holder {where} has no valid end") from error


def may_take_lease(
    record: dict[str, Any], identifier: str, now: datetime.datetime, where: str, version: int = LEASE_VERSION
) -> bool:
    """Whether ``identifier`` may (re)take a lease whose current record is ``record`` (pure).

    Yes if the holder is ``identifier`` (a renewal) or the lease has ended at
    ``now``; never for a record of another format ``version`` (left to clients
    that understand it). Raises :class:`MalformedNodeDataError` for a record
    without a valid end.
    """
    if record.get("version") != version:
        return False
    end = lease_end(record, where)
    return record.get("holder") == identifier or now >= end


def _check_duration(duration: object) -> datetime.timedelta:
    if not isinstance(duration, datetime.timedelta):
        raise InvalidTypeError(f"duration must be a datetime.timedelta, not {type(duration).__name__}")
    if duration <= datetime.timedelta(0):
        raise InvalidArgumentError(f"duration must be positive, not {duration}")
    return duration


class NonBlockingLease:
    """An exclusive lease, tried once at construction; ``bool(lease)`` says whether it was obtained.

    The holder renews by constructing a new lease with the same path and
    identifier. ``identifier`` defaults to the host name. ``lock_timeout``
    (an addition to kazoo's API) bounds the wait for the short internal lock;
    None waits as long as needed. ``utcnow`` is the clock (for tests).
    """

    _version = LEASE_VERSION
    _date_format = DATE_FORMAT

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        duration: datetime.timedelta,
        identifier: str | None = None,
        utcnow: Clock = utc_now,
        *,
        lock_timeout: float | None = None,
    ) -> None:
        self.path = check_path(path)
        self.duration = _check_duration(duration)
        self.identifier = check_identifier(identifier) or socket.gethostname()
        self.obtained = False
        self.end: datetime.datetime | None = None
        self._attempt(client, check_timeout(lock_timeout), utcnow)

    def _attempt(self, client: RecipeClient, lock_timeout: float | None, utcnow: Clock) -> None:
        client.retry(client.ensure_path, self.path)
        holder_path = join_path(self.path, "lease_holder")
        lock = Lock(client, self.path, self.identifier)
        if not lock.acquire(timeout=lock_timeout):
            return
        try:
            now = utcnow()
            current = client.retry(self._read, client, holder_path)
            if current is not None and not may_take_lease(
                current[0], self.identifier, now, holder_path, self._version
            ):
                return
            new_end = now + self.duration
            payload = encode_lease(self.identifier, new_end)
            # Fenced (a holder that lost the lock cannot overwrite the next one's lease) and
            # never re-run blindly: a lost reply is settled by the lock's marker, or raises
            # OutcomeUnknownError (the lease may have been written).
            try:
                if current is None:
                    lock._fenced_write(holder_path, "lease", lambda tx: tx.create(holder_path, payload))
                else:
                    version = current[1]
                    lock._fenced_write(
                        holder_path, "lease", lambda tx: tx.set_data(holder_path, payload, version))
            except LockLostError:
                return  # nothing was written: not obtained
            self.obtained = True
            self.end = new_end.replace(microsecond=0)
        finally:
            lock.release()

    @staticmethod
    def _read(client: RecipeClient, holder_path: str) -> tuple[dict[str, Any], int] | None:
        try:
            raw, stat = client.get(holder_path)
        except NoNodeError:
            return None
        return decode_lease(raw or b"", holder_path), stat.version

    def __bool__(self) -> bool:
        return self.obtained

    def __repr__(self) -> str:
        return f"NonBlockingLease({self.path!r}, obtained={self.obtained}, end={self.end})"


class MultiNonBlockingLease:
    """One of ``count`` leases ``<path>/0`` … ``<path>/<count-1>``, tried in order.

    ``bool(lease)`` is True if one was obtained; ``lease.lease`` is that one.
    """

    def __init__(
        self,
        client: RecipeClient,
        count: int,
        path: str,
        duration: datetime.timedelta,
        identifier: str | None = None,
        utcnow: Clock = utc_now,
        *,
        lock_timeout: float | None = None,
    ) -> None:
        check_count(count, "count")
        check_identifier(identifier)
        check_path(path)
        _check_duration(duration)
        self.obtained = False
        self.lease: NonBlockingLease | None = None
        for number in range(count):
            lease = NonBlockingLease(
                client, f"{path}/{number}", duration, identifier, utcnow, lock_timeout=lock_timeout
            )
            if lease:
                self.obtained = True
                self.lease = lease
                break

    def __bool__(self) -> bool:
        return self.obtained

    def __repr__(self) -> str:
        return f"MultiNonBlockingLease(obtained={self.obtained})"
