"""InterProcessSemaphoreV2 on asyncio: Curator's counting semaphore, on Curator's znode layout.

The sync :class:`zkrecipes.recipes.curator.InterProcessSemaphoreV2` with
``await``, on the same nodes and rules::

    <path>/locks/_c_<uuid>-lock-<seq>     an InterProcessMutex: the FIFO gate
    <path>/leases/_c_<uuid>-lease-<seq>   one per held lease, data = local address

A lease is held while at most ``max_leases`` children of ``<path>/leases``
exist (every child counts: the shared :class:`~zkrecipes.recipes.curator._drivers.LeaseDriver`).
Interoperable with Curator's and the threaded one when every participant
passes the same fixed ``max_leases`` (it is not stored in ZooKeeper) — or a
started asyncio :class:`~.shared_count.SharedCount` on the path the others
use, whose value is then the limit: a change (Curator's ``setCount`` included)
wakes the waiters, which judge again with the new limit; ``close()`` removes
the listener this semaphore added to the count. First
one ungated try — the lease create and the listing pipelined, one round trip
when it fits; else that node is deleted and Curator's way follows: take the
gate mutex, create a lease node, wait on a child watch until it fits, release
the gate.

Failure semantics: **SUSPENDED** — held leases stay; a pending acquire keeps
waiting. **LOST** — the lease nodes are gone (``await lease.exists()`` is
False, fenced writes are refused); a pending acquire starts over.
``on_lost(lease)`` (a plain callable or a coroutine function) is called for
each held lease then; ``lease.is_suspended`` / ``lease.is_lost`` tell its state.
**Cancellation** — a cancelled or timed-out acquire deletes its lease node
(and its gate node) and returns none of the leases it had taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes.curator._internals import AsyncLockInternals
from zkrecipes.aio.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.aio.recipes.curator.lease import Lease
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_callable, check_count, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._drivers import LeaseDriver
from zkrecipes.recipes.curator._encoding import local_address

if TYPE_CHECKING:
    from collections.abc import Iterable

    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.aio.recipes.curator.shared_count import SharedCount
    from zkrecipes.recipes.curator._internals import Contender

__all__ = ["InterProcessSemaphoreV2"]

LEASE_PARENT = "leases"
LOCK_PARENT = "locks"


class InterProcessSemaphoreV2:
    """A counting semaphore shared with Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, max_leases: int | SharedCount, *,
                 lease_data: bytes | None = None, on_lost: Callable[[Lease], object] | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self._count: SharedCount | None = None
        if isinstance(max_leases, int):
            self._fixed = check_count(max_leases, "max_leases")
        else:  # a started SharedCount: its value is the limit, and a change wakes the waiters
            self._count = max_leases
            self._fixed = 0
        if lease_data is not None and not isinstance(lease_data, bytes):
            raise TypeError("lease_data must be bytes")
        self._data = lease_data
        self.on_lost = check_callable(on_lost, "on_lost")
        self.leases_path = join_path(self.path, LEASE_PARENT)
        self._leases = AsyncLockInternals(client, self.leases_path, LeaseDriver(lambda: self.max_leases))
        self._gate = InterProcessMutex(client, join_path(self.path, LOCK_PARENT))
        if self._count is not None:
            self._count.add_listener(self)

    @property
    def max_leases(self) -> int:
        """The limit now (the SharedCount's value when one was given)."""
        return self._count.get_count() if self._count is not None else self._fixed

    def count_has_changed(self, shared_count: SharedCount, new_count: int) -> None:
        """SharedCount listener: the limit changed; waiters look again."""
        self._leases.wake_all()

    async def close(self) -> None:
        """Stop following the SharedCount limit (if any); leases held stay held."""
        if self._count is not None:
            self._count.remove_listener(self)

    def __repr__(self) -> str:
        return f"InterProcessSemaphoreV2({self.path!r}, max_leases={self.max_leases})"

    async def acquire(self, timeout: float | None = None) -> Lease | None:
        """One lease within ``timeout`` seconds (None: until acquired); None on timeout."""
        leases = await self.acquire_many(1, timeout)
        return None if leases is None else leases[0]

    async def acquire_many(self, qty: int, timeout: float | None = None) -> list[Lease] | None:
        """``qty`` leases within ``timeout`` (one at a time); None, with none kept, on timeout."""
        count = check_count(qty, "qty")
        deadline = Deadline(check_timeout(timeout))
        held: list[Lease] = []
        try:
            for _ in range(count):
                lease = await self._acquire_one(deadline)
                if lease is None:
                    await self.return_all(held)
                    return None
                held.append(lease)
        except BaseException:
            await self.return_all(held)
            raise
        return held

    async def return_lease(self, lease: Lease) -> None:
        """Return one lease (``await lease.close()``)."""
        await lease.close()

    async def return_all(self, leases: Iterable[Lease]) -> None:
        """Return every lease given."""
        for lease in leases:
            await lease.close()

    async def get_participant_nodes(self) -> list[str]:
        """The names of the current lease nodes (any order)."""
        try:
            return list(await self.client.retry(self.client.get_children, self.leases_path))
        except NoNodeError:
            return []

    async def _acquire_one(self, deadline: Deadline) -> Lease | None:
        data = self._data if self._data is not None else local_address()
        contender = await self._leases.attempt(deadline.remaining(), data, wait=False)  # ungated, one try
        if contender is None:
            if not await self._gate.acquire(deadline.remaining()):
                return None
            try:
                contender = await self._leases.attempt(deadline.remaining(), data)
            finally:
                try:
                    await self._gate.release()
                except BaseException:  # cancelled while giving the gate back: the lease goes too
                    if contender is not None:
                        await self._lease(contender).close()
                    raise
        return None if contender is None else self._lease(contender)

    def _lease(self, contender: Contender) -> Lease:
        return Lease(self.client, self.leases_path, contender.name, contender.prefix,
                     data=contender.data, token=contender.czxid, on_lost=self.on_lost)
