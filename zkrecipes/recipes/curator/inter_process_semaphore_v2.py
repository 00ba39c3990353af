"""InterProcessSemaphoreV2: Curator's counting semaphore, on Curator's znode layout.

Interoperable with Curator's ``InterProcessSemaphoreV2`` on the same path when
every participant passes the same ``max_leases`` (it is **not** stored in
ZooKeeper, as in Curator) — or the same started :class:`~.shared_count.SharedCount`,
whose value is then the limit (a change wakes the waiters). Layout (``docs/curator.md``)::

    <path>/locks/_c_<uuid>-lock-<seq>     an InterProcessMutex: the FIFO gate
    <path>/leases/_c_<uuid>-lease-<seq>   one per held lease, data = local address

Acquiring one lease runs the lock internals' loop (:mod:`._internals`, a
:class:`~._drivers.LeaseDriver`): a held lease is a lease node created while
at most ``max_leases`` children of ``<path>/leases`` exist (**every** child
counts, whatever its name). First one ungated try — create the lease node and
list the leases, pipelined: uncontended, that is the whole acquire (one round
trip, one write; the return is one delete). When it does not fit, that node is
deleted and Curator's way follows: take the gate mutex ``<path>/locks``,
create a lease node, wait on a child watch until it fits, release the gate.
The ungated try never exceeds the limit (a lease counts itself and every
earlier node, the gated waiter's included) and never waits, so the gate's
FIFO order among waiters stays Curator's. On timeout the lease node is
deleted and None returned.

Each :class:`~.lease.Lease` has a ``fencing_token`` (its node's czxid) and
fenced writes (``fenced_set`` ...), refused by the server once the lease is gone.

Failure semantics: **SUSPENDED** — held leases stay (their nodes live with the
session); a pending acquire keeps waiting. **LOST** — the lease nodes are gone
(:meth:`Lease.exists` turns False); a pending acquire starts over. This class
does not kazoo's layout (``zkrecipes.recipes.Semaphore`` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_count, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._drivers import LeaseDriver
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._internals import LockInternals
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.recipes.curator.lease import Lease

if TYPE_CHECKING:
    from collections.abc import Iterable

    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator._internals import Contender
    from zkrecipes.recipes.curator.shared_count import SharedCount

__all__ = ["InterProcessSemaphoreV2"]

LEASE_PARENT = "leases"
LOCK_PARENT = "locks"


class InterProcessSemaphoreV2:
    """A counting semaphore shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, max_leases: int | SharedCount, *,
                 lease_data: bytes | None = None) -> None:
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
        self.leases_path = join_path(self.path, LEASE_PARENT)
        self._leases = LockInternals(client, self.leases_path, LeaseDriver(lambda: self.max_leases))
        self._gate = InterProcessMutex(client, join_path(self.path, LOCK_PARENT))
        if self._count is not None:
            self._count.add_listener(self)

    def __repr__(self) -> str:
        return f"InterProcessSemaphoreV2({self.path!r}, max_leases={self.max_leases})"

    @property
    def max_leases(self) -> int:
        """The limit now (the SharedCount's value when one was given)."""
        return self._count.get_count() if self._count is not None else self._fixed

    def count_has_changed(self, shared_count: SharedCount, new_count: int) -> None:
        """SharedCount listener: the limit changed; waiters look again."""
        self._leases.wake_all()

    def acquire(self, timeout: float | None = None) -> Lease | None:
        """One lease, waiting at most ``timeout`` seconds (None: until acquired); None on timeout."""
        leases = self.acquire_many(1, timeout)
        return None if leases is None else leases[0]

    def acquire_many(self, qty: int, timeout: float | None = None) -> list[Lease] | None:
        """``qty`` leases within ``timeout`` (one at a time); None, with none kept, on timeout."""
        count = check_count(qty, "qty")
        deadline = Deadline(check_timeout(timeout))
        held: list[Lease] = []
        try:
            for _ in range(count):
                lease = self._acquire_one(deadline)
                if lease is None:
                    self.return_all(held)
                    return None
                held.append(lease)
        except BaseException:
            self.return_all(held)
            raise
        return held

    def return_lease(self, lease: Lease) -> None:
        """Return one lease (``lease.close()``)."""
        lease.close()

    def return_all(self, leases: Iterable[Lease]) -> None:
        """Return every lease given."""
        for lease in leases:
            lease.close()

    def get_participant_nodes(self) -> list[str]:
        """The names of the current lease nodes (any order)."""
        try:
            return list(self.client.retry(self.client.get_children, self.leases_path))
        except NoNodeError:
            return []

    # ------------------------------------------------------------------ one lease

    def _acquire_one(self, deadline: Deadline) -> Lease | None:
        data = self._data if self._data is not None else local_address()
        contender = self._leases.attempt(deadline.remaining(), data, wait=False)  # ungated, one try
        if contender is None:
            if not self._gate.acquire(deadline.remaining()):
                return None
            try:
                contender = self._leases.attempt(deadline.remaining(), data)
            finally:
                self._gate.release()
        return None if contender is None else self._lease(contender)

    def _lease(self, contender: Contender) -> Lease:
        return Lease(self.client, self.leases_path, contender.name, contender.prefix,
                     data=contender.data, token=contender.czxid)
