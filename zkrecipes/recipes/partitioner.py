"""SetPartitioner: split a set of items among the members of a group, safely.

Members join a :class:`~zkrecipes.recipes.party.ShallowParty` under
``<path>/party``. When membership has been stable for ``time_boundary``
seconds, each member computes its share with ``partition_func(identifier,
members, items)`` and **locks every item of its share before owning it**: an
item lock is the ephemeral node ``<path>/locks/<item>``, so two live sessions
can never own the same item. Only when all of its locks are held does a member
enter ACQUIRED.

States (:class:`PartitionState`): ALLOCATING → ACQUIRED → (membership changes)
RELEASE → ``release_set()`` → ALLOCATING … ; any state → FAILURE (terminal).
Typical loop::

    p = client.SetPartitioner("/work", set=items, time_boundary=5)
    while True:
        if p.failed:
            break
        elif p.release:
            p.release_set()
        elif p.acquired:
            for item in p:
                work(item)
        elif p.allocating:
            p.wait_for_acquire(10)

Failure semantics (Curator style):

* **SUSPENDED** — the state becomes RELEASE: stop working on the items (while
  disconnected this member cannot know whether its locks still exist) and call
  ``release_set()`` to re-allocate once connected.
* **LOST** — the session's party node and item locks are gone; the state
  becomes FAILURE and the partitioner leaves the party. Create a new
  SetPartitioner to take part again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import (
    NodeExistsError,
    ZkException,
)
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._nodes import create_own_ephemeral, delete_own_ephemeral
from zkrecipes.recipes._partition_rules import (
    Next,
    Overtaken,
    PartitionMachine,
    PartitionState,
    SessionVerdict,
    item_lock_path,
    member_layout,
)
from zkrecipes.recipes._partition_rules import PartitionFunc as PartitionFunc  # still importable from here
from zkrecipes.recipes._partition_rules import default_partitioner as default_partitioner
from zkrecipes.recipes.party import ShallowParty
from zkrecipes.recipes.watchers import PatientChildrenWatch

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Event, Pending, RecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["PartitionState", "SetPartitioner"]

class _ItemLock:
    """An exclusive lock on one item: the ephemeral node ``<locks>/<quoted item>``."""

    def __init__(self, client: RecipeClient, path: str, owner: bytes) -> None:
        self.client = client
        self.path = path
        self.owner = owner
        self.held = False

    def acquire(self, timeout: float) -> bool:
        """Try for up to ``timeout`` seconds; True once the node is ours."""
        deadline_event = self.client.handler.event_object()
        deadline = Deadline(timeout)
        while True:
            try:
                self.client.retry(self._create)
                self.held = True
                return True
            except NodeExistsError:
                pass
            deadline_event.clear()
            stat = self.client.retry(self.client.exists, self.path, lambda _e: deadline_event.set())
            if stat is None:
                continue
            if deadline.expired():
                return False
            deadline_event.wait(deadline.remaining())

    def _create(self) -> None:
        """Create the item's node; ours already if a retried create's first reply was lost."""
        create_own_ephemeral(self.client, self.path, self.owner)

    def release(self) -> None:
        """Delete the lock node if it is still ours (re-read before any retried delete)."""
        delete_own_ephemeral(self.client, self.path, self.owner)
        self.held = False


class SetPartitioner:
    """Partition ``set`` among the members of ``path`` (kazoo's ``SetPartitioner``).

    Guarantees: an item is listed by iteration only while this member holds its
    lock node (never by two live members at once); ``state_change_event`` (if
    given) is set on every state change; ``wait_for_acquire`` returns when
    ACQUIRED is reached (or the timeout passes). The states and every decision
    between them are :mod:`zkrecipes.recipes._partition_rules`' (shared with
    the asyncio recipe); this class does the I/O, under ``_state_lock``.
    """

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        set: Iterable[Any],  # noqa: A002 - kazoo's argument name
        partition_func: PartitionFunc | None = None,
        identifier: str | None = None,
        time_boundary: float = 30,
        max_reaction_time: float = 1,
        state_change_event: Event | None = None,
    ) -> None:
        layout = member_layout(path, identifier, partition_func, time_boundary, max_reaction_time)
        self._rules = PartitionMachine()
        self.state_change_event = state_change_event or client.handler.event_object()
        self._client = client
        self._path, self._lock_path, self._party_path = layout.path, layout.lock_path, layout.party_path
        self._identifier, self._owner = layout.identifier, layout.owner
        self._partition_func: PartitionFunc = layout.partition_func
        self._set = list(set)
        self._locks: list[_ItemLock] = []
        self._time_boundary = time_boundary
        self._max_reaction_time = max_reaction_time
        self._acquire_event = client.handler.event_object()
        self._state_lock = client.handler.rlock_object()

        client.ensure_path(self._lock_path)
        client.ensure_path(self._party_path)
        self._party = ShallowParty(client, self._party_path, identifier=self._identifier)
        self._party._auto_rejoin = False  # after LOST this member fails out instead
        self._party.join()
        client.add_listener(self._on_session_state)
        self._start_allocation()

    # ------------------------------------------------------------- public API

    def __iter__(self) -> Iterator[Any]:
        """The items this member owns (empty unless ACQUIRED)."""
        with self._state_lock:
            items = self._rules.items()
        return iter(items)

    @property
    def state(self) -> PartitionState:
        """The current state (see :class:`PartitionState`)."""
        return self._rules.state

    @property
    def state_id(self) -> int:
        """Grows by one on every state change."""
        return self._rules.state_id

    @property
    def failed(self) -> bool:
        return self._rules.failed

    @property
    def release(self) -> bool:
        return self._rules.release

    @property
    def allocating(self) -> bool:
        return self._rules.allocating

    @property
    def acquired(self) -> bool:
        return self._rules.acquired

    @property
    def identifier(self) -> str:
        return self._identifier

    def wait_for_acquire(self, timeout: float = 30) -> bool:
        """Block until ACQUIRED or ``timeout`` seconds; True if ACQUIRED was reached."""
        seconds = check_timeout(timeout)
        reached: bool = self._acquire_event.wait(seconds)
        return bool(reached)

    def release_set(self) -> None:
        """Release every item lock and start allocating again (from RELEASE).

        Does nothing once FAILURE. If some lock cannot be released the
        partitioner goes to FAILURE.
        """
        self._release_locks()
        with self._state_lock:
            follow = self._rules.release_set(bool(self._locks))
            if follow is Next.ALLOCATE:
                self._signal()
        if follow is Next.FAIL_OUT:
            self._fail_out()
        elif follow is Next.ALLOCATE:
            self._start_allocation()

    def finish(self) -> None:
        """Release every item, leave the party, and go to FAILURE (terminal)."""
        self._release_locks()
        self._fail_out()

    # -------------------------------------------------------------- internals

    def _signal(self) -> None:
        """After a transition of the rules: the events follow the state (under ``_state_lock``)."""
        if self._rules.acquired:
            self._acquire_event.set()
        else:
            self._acquire_event.clear()
        self.state_change_event.set()

    def _fail_out(self) -> None:
        with self._state_lock:
            if self._rules.fail():
                self._signal()
        self._client.remove_listener(self._on_session_state)
        if self._party.participating:
            try:
                self._party.leave()
            except ZkException:
                pass

    def _start_allocation(self) -> None:
        watcher = PatientChildrenWatch(self._client, self._party_path, self._time_boundary)
        settled = watcher.start()
        settled.rawlink(lambda result: self._client.handler.spawn(self._allocate, result))

    def _allocate(self, settled: Pending[tuple[list[str], Pending[WatchedEvent]]]) -> None:
        """Runs in its own thread once membership settled: lock our share, then ACQUIRED."""
        if settled.exception is not None:
            self._fail_out()
            return
        _children, changed = settled.get()
        with self._state_lock:
            state_id = self._rules.claim()
        if state_id is None:
            return
        try:
            members = list(self._party)
            share = self._partition_func(self._identifier, members, list(self._set))
            for item in share:
                lock = _ItemLock(self._client, item_lock_path(self._lock_path, item), self._owner)
                while not lock.acquire(self._max_reaction_time):
                    if self._rules.should_abort(state_id, changed.ready()):
                        self._restart_or_stop(state_id)
                        return
                self._locks.append(lock)
                if self._rules.should_abort(state_id, changed.ready()):
                    self._restart_or_stop(state_id)
                    return
        except ZkException:
            with self._state_lock:
                current = self._rules.is_current(state_id)
            if current:
                self.finish()
            else:
                self._restart_or_stop(state_id)  # SUSPENDED/LOST/finish decided already
            return
        with self._state_lock:
            if self._rules.acquire(state_id, share, changed.ready()):
                self._signal()
                acquired_id = self._rules.state_id
                changed.rawlink(lambda _r: self._on_membership_changed(acquired_id))
                return
        self._restart_or_stop(state_id)

    def _restart_or_stop(self, state_id: int) -> None:
        """Allocation was overtaken: by a party change (release, re-allocate) or
        by a state change (SUSPENDED/LOST/finish: keep that state)."""
        with self._state_lock:
            overtaken = self._rules.overtaken(state_id)
        if overtaken is Overtaken.KEEP:
            return
        self._release_locks()  # DROP_LOCKS: finish() ran meanwhile, drop what we took since
        if overtaken is Overtaken.DROP_LOCKS:
            return
        with self._state_lock:
            follow = self._rules.restart(state_id, bool(self._locks))
        if follow is Next.FAIL_OUT:
            self._fail_out()
        elif follow is Next.ALLOCATE:
            self._start_allocation()

    def _on_membership_changed(self, acquired_state_id: int) -> None:
        with self._state_lock:
            if self._rules.membership_changed(acquired_state_id):
                self._signal()

    def _release_locks(self) -> None:
        self._acquire_event.clear()
        for lock in list(self._locks):
            try:
                lock.release()
            except ZkException:
                continue
            self._locks.remove(lock)

    def _on_session_state(self, state: ZkState) -> bool:
        with self._state_lock:
            verdict = self._rules.on_session(state)
            if verdict is SessionVerdict.RELEASED:
                self._signal()
            elif verdict is SessionVerdict.FAIL_OUT:
                self._locks.clear()  # they died with the session
                self._client.handler.spawn(self._fail_out)
        return verdict is SessionVerdict.REMOVE_LISTENER  # FAIL_OUT: _fail_out removes this listener
