"""InterProcessSemaphoreV2: Curator's counting semaphore, on Curator's znode layout.

Interoperable with Curator's ``InterProcessSemaphoreV2`` on the same path when
every participant passes the same ``max_leases`` (it is **not** stored in
ZooKeeper, as in Curator) — or the same started :class:`~.shared_count.SharedCount`,
whose value is then the limit (a change wakes the waiters). Layout (``docs/curator.md``)::

    <path>/locks/_c_<uuid>-lock-<seq>     an InterProcessMutex: the FIFO gate
    <path>/leases/_c_<uuid>-lease-<seq>   one per held lease, data = local address

Acquiring one lease: take the gate mutex ``<path>/locks``; create our lease
node; list ``<path>/leases`` with a child watch until at most ``max_leases``
children exist (**every** child counts, whatever its name); release the gate.
On timeout the lease node is deleted and None returned.

Failure semantics: **SUSPENDED** — held leases stay (their nodes live with the
session); a pending acquire keeps waiting. **LOST** — the lease nodes are gone
(:meth:`Lease.exists` turns False); a pending acquire starts over. This class
does not kazoo's layout (``zkrecipes.recipes.Semaphore`` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockTimeout, NoNodeError
from zkrecipes.recipes._checks import check_count, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._reaper import delete_own_node, reap
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import create_protected
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._ordering import new_protected_prefix
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.recipes.curator.lease import Lease

if TYPE_CHECKING:
    from collections.abc import Iterable

    from zkrecipes.recipes._client import Event, RecipeClient
    from zkrecipes.recipes.curator.shared_count import SharedCount
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["InterProcessSemaphoreV2"]

LEASE_PARENT = "leases"
LOCK_PARENT = "locks"
LEASE_NAME = "lease-"


class _Missing(Exception):
    """Our lease node is not among the leases (its session ended): try again."""


class InterProcessSemaphoreV2:
    """A counting semaphore shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, max_leases: int | SharedCount, *,
                 lease_data: bytes | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        self._count: SharedCount | None = None
        self._waiting: list[Event] = []
        self._guard = client.handler.lock_object()
        if isinstance(max_leases, int):
            self._fixed = check_count(max_leases, "max_leases")
        else:  # a started SharedCount: its value is the limit, and a change wakes the waiters
            self._count = max_leases
            self._fixed = 0
            max_leases.add_listener(self)
        if lease_data is not None and not isinstance(lease_data, bytes):
            raise TypeError("lease_data must be bytes")
        self._data = lease_data
        self.leases_path = join_path(self.path, LEASE_PARENT)
        self._gate = InterProcessMutex(client, join_path(self.path, LOCK_PARENT))

    def __repr__(self) -> str:
        return f"InterProcessSemaphoreV2({self.path!r}, max_leases={self.max_leases})"

    @property
    def max_leases(self) -> int:
        """The limit now (the SharedCount's value when one was given)."""
        return self._count.get_count() if self._count is not None else self._fixed

    def count_has_changed(self, shared_count: SharedCount, new_count: int) -> None:
        """SharedCount listener: the limit changed; waiters look again."""
        with self._guard:
            waiting = list(self._waiting)
        for wake in waiting:
            wake.set()

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
        if not self._gate.acquire(deadline.remaining()):
            return None
        wake = self.client.handler.event_object()

        def on_state(state: ZkState) -> None:
            wake.set()

        self.client.add_listener(on_state)
        with self._guard:
            self._waiting.append(wake)
        try:
            while True:
                try:
                    return self._take(deadline, wake)
                except _Missing:
                    continue
        finally:
            with self._guard:
                self._waiting.remove(wake)
            safe_remove_listener(self.client, on_state)
            self._gate.release()

    def _take(self, deadline: Deadline, wake: Event) -> Lease | None:
        prefix = new_protected_prefix()
        data = self._data if self._data is not None else local_address()
        node: str | None = None
        try:
            node, _stat = create_protected(self.client, self.leases_path, prefix, LEASE_NAME, data, deadline)
            if self._wait(node, deadline, wake):
                return Lease(self.client, self.leases_path, node, prefix)
        except _Missing:
            raise
        except LockTimeout:
            pass
        except BaseException:
            self._drop(prefix, node)
            raise
        self._drop(prefix, node)
        return None

    def _wait(self, node: str, deadline: Deadline, wake: Event) -> bool:
        what = f"acquire of {self.path}"

        def changed(event: WatchedEvent) -> None:
            wake.set()

        while True:
            wake.clear()
            listing = self.client.get_children_async(self.leases_path, watch=changed)
            children = bounded(listing, deadline, what)
            if node not in children:
                raise _Missing(node)
            if len(children) <= self.max_leases:
                return True
            if not wake.wait(deadline.remaining()) and deadline.expired():
                return False

    def _drop(self, prefix: str, node: str | None) -> None:
        if node is not None:
            delete_own_node(self.client, self.leases_path, node, prefix)
        else:
            reap(self.client, self.leases_path, prefix, try_now=self.client.connected)
