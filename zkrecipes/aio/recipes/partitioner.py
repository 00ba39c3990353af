"""SetPartitioner on asyncio: split a set of items among a group's members (``recipes/partitioner.py``).

The threaded recipe's layout and states, so threaded and asyncio members
partition one set together: members join an asyncio
:class:`~zkrecipes.aio.recipes.party.ShallowParty` under ``<path>/party``; once
membership has been stable for ``time_boundary`` s each member computes its
share with ``partition_func(identifier, members, items)`` (default: the
threaded recipe's round-robin :func:`~zkrecipes.recipes.partitioner.default_partitioner`)
and locks every item of it — the ephemeral ``<path>/locks/item-<quoted item>`` —
before it enters ACQUIRED. States are :class:`~zkrecipes.recipes.partitioner.PartitionState`;
the naming, the share and every state decision are :mod:`zkrecipes.recipes._partition_rules`'
(the threaded recipe drives the same rules).

::

    async with zk.SetPartitioner("/work", set=items, time_boundary=5) as p:
        while not p.failed:
            if p.release:
                await p.release_set()
            elif p.acquired:
                seen = p.state_id
                for item in p: ...
                await p.wait_for_change(since=seen)   # RELEASE (or FAILURE) next
            else:
                await p.wait_for_acquire(10)

SUSPENDED → RELEASE (stop working on the items; ``release_set()`` re-allocates);
LOST → FAILURE (the locks died with the session; the member leaves the party).
**Cancellation**: a cancelled wait changes nothing; ``finish()`` (and leaving
``async with``) cancels the allocation task, whose in-flight item lock is
undone, releases every lock and leaves the party.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.aio.recipes._nodes import settle, spawn
from zkrecipes.aio.recipes._own import create_own_ephemeral, delete_own_ephemeral
from zkrecipes.aio.recipes._patient import settled_children
from zkrecipes.aio.recipes.party import ShallowParty
from zkrecipes.exceptions import NodeExistsError, ZkException
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._partition_rules import (
    Next,
    Overtaken,
    PartitionFunc,
    PartitionMachine,
    PartitionState,
    SessionVerdict,
    item_lock_path,
    member_layout,
)

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import ZkState

__all__ = ["PartitionState", "SetPartitioner"]

log = logging.getLogger(__name__)


class _ItemLock:
    """An exclusive lock on one item: the ephemeral node ``path`` holding ``owner``."""

    def __init__(self, client: AsyncRecipeClient, path: str, owner: bytes) -> None:
        self.client, self.path, self.owner = client, path, owner

    async def acquire(self, timeout: float) -> bool:
        """Try for up to ``timeout`` s; True once ours. Cancelled or failed: no node of ours is left."""
        deadline = Deadline(timeout)
        wake = asyncio.Event()
        try:
            while True:
                try:
                    await self.client.retry(create_own_ephemeral, self.client, self.path, self.owner)
                    return True
                except NodeExistsError:
                    pass
                wake.clear()
                if await self.client.retry(self.client.exists, self.path, lambda _e: wake.set()) is None:
                    continue
                if deadline.expired() or not await wait_event(wake, deadline.remaining()):
                    return False
        except BaseException:
            await settle(spawn(self.release(), f"zkrecipes-item-unlock-{self.path}"))
            raise

    async def release(self) -> None:
        """Delete the node if it is still ours."""
        await delete_own_ephemeral(self.client, self.path, self.owner)


class SetPartitioner:
    """Partition ``set`` among the members of ``path`` (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str,
                 set: Iterable[Any],  # noqa: A002 - kazoo's argument name
                 partition_func: PartitionFunc | None = None, identifier: str | None = None,
                 time_boundary: float = 30, max_reaction_time: float = 1,
                 state_change_event: asyncio.Event | None = None) -> None:
        layout = member_layout(path, identifier, partition_func, time_boundary, max_reaction_time)
        self._rules = PartitionMachine()
        self.state_change_event = state_change_event or asyncio.Event()
        self.client = client
        self._path, self._lock_path, self._party_path = layout.path, layout.lock_path, layout.party_path
        self._identifier, self._owner = layout.identifier, layout.owner
        self._partition_func: PartitionFunc = layout.partition_func
        self._set = list(set)
        self._locks: list[_ItemLock] = []
        self._time_boundary = time_boundary
        self._max_reaction_time = max_reaction_time
        self._acquire_event = asyncio.Event()
        self._changed = asyncio.Event()  # set on every state change (wait_for_change)
        self._party = ShallowParty(client, self._party_path, identifier=self._identifier)
        self._party._auto_rejoin = False  # after LOST this member fails out instead
        self._task: asyncio.Task[None] | None = None
        self._started = False

    # ------------------------------------------------------------- public API

    async def start(self) -> None:
        """Join the party and start allocating (once)."""
        if self._started:
            return
        self._started = True
        await self.client.retry(self.client.ensure_path, self._lock_path)
        await self.client.retry(self.client.ensure_path, self._party_path)
        await self._party.join()
        self.client.add_listener(self._on_session_state)
        self._start_allocation()

    async def __aenter__(self) -> SetPartitioner:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.finish()

    def __iter__(self) -> Iterator[Any]:
        """The items this member owns (empty unless ACQUIRED)."""
        return iter(self._rules.items())

    @property
    def state(self) -> PartitionState:
        """The current state (see :class:`~zkrecipes.recipes.partitioner.PartitionState`)."""
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

    async def wait_for_acquire(self, timeout: float | None = 30) -> bool:
        """Wait until ACQUIRED or ``timeout`` s; True if ACQUIRED was reached."""
        return await wait_event(self._acquire_event, timeout)

    async def wait_for_change(self, timeout: float | None = None, *, since: int | None = None) -> bool:
        """Wait until ``state_id`` differs from ``since`` (default: now); False after ``timeout`` s.

        Pass the ``state_id`` read when you last looked at the state, so a
        change made meanwhile is not missed.
        """
        seen = self.state_id if since is None else since
        deadline = Deadline(timeout)
        while self.state_id == seen:
            self._changed.clear()  # cleared, then checked: a change from here on sets it again
            if self.state_id != seen:
                break
            if not await wait_event(self._changed, deadline.remaining()):
                return self.state_id != seen
        return True

    async def release_set(self) -> None:
        """Release every item lock and allocate again (from RELEASE); FAILURE if a lock cannot go."""
        await self._release_locks()
        follow = self._rules.release_set(bool(self._locks))
        if follow is Next.FAIL_OUT:
            await self._fail_out()
        elif follow is Next.ALLOCATE:
            self._signal()
            self._start_allocation()

    async def finish(self) -> None:
        """Release every item, leave the party, and go to FAILURE (terminal)."""
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.wait({task})
        await self._release_locks()
        await self._fail_out()

    # -------------------------------------------------------------- internals

    def _signal(self) -> None:
        """After a transition of the rules: the events follow the state."""
        if self._rules.acquired:
            self._acquire_event.set()
        else:
            self._acquire_event.clear()
        self.state_change_event.set()
        self._changed.set()

    async def _fail_out(self) -> None:
        if self._rules.fail():
            self._signal()
        try:
            self.client.remove_listener(self._on_session_state)
        except (KeyError, ValueError):
            pass
        if self._party.participating:
            try:
                await self._party.leave()
            except ZkException:
                pass

    def _start_allocation(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._allocate(self.state_id),
                                                            name=f"zkrecipes-partition-{self._path}")

    async def _allocate(self, state_id: int) -> None:
        """Once membership settled: lock our share, then ACQUIRED (or give way to what overtook us)."""
        try:
            _children, changed = await settled_children(self.client, self._party_path, self._time_boundary)
            if self._rules.claim(state_id) is None:
                return
            members = await self._party.members()
            share = self._partition_func(self._identifier, members, list(self._set))
            for item in share:
                lock = _ItemLock(self.client, item_lock_path(self._lock_path, item), self._owner)
                while not await lock.acquire(self._max_reaction_time):
                    if self._rules.should_abort(state_id, changed.is_set()):
                        await self._restart_or_stop(state_id)
                        return
                self._locks.append(lock)
                if self._rules.should_abort(state_id, changed.is_set()):
                    await self._restart_or_stop(state_id)
                    return
        except ZkException as error:
            log.info("partitioner %s: allocation failed: %r", self._path, error)
            if self._rules.is_current(state_id):
                await self.finish()
            else:
                await self._restart_or_stop(state_id)  # SUSPENDED/LOST/finish decided already
            return
        if self._rules.acquire(state_id, share, changed.is_set()):
            self._signal()
            spawn(self._watch_membership(changed, self.state_id), f"zkrecipes-partition-watch-{self._path}")
            return
        await self._restart_or_stop(state_id)

    async def _watch_membership(self, changed: asyncio.Event, acquired_id: int) -> None:
        await changed.wait()
        if self._rules.membership_changed(acquired_id):
            self._signal()

    async def _restart_or_stop(self, state_id: int) -> None:
        """Allocation was overtaken: by a party change (release, allocate again) or a state change."""
        overtaken = self._rules.overtaken(state_id)
        if overtaken is Overtaken.KEEP:
            return
        await self._release_locks()  # DROP_LOCKS: finish() ran meanwhile, drop what we took since
        if overtaken is Overtaken.DROP_LOCKS:
            return
        follow = self._rules.restart(state_id, bool(self._locks))
        if follow is Next.FAIL_OUT:
            await self._fail_out()
        elif follow is Next.ALLOCATE:
            self._start_allocation()

    async def _release_locks(self) -> None:
        self._acquire_event.clear()
        for lock in list(self._locks):
            try:
                await lock.release()
            except ZkException:
                continue
            self._locks.remove(lock)

    def _on_session_state(self, state: ZkState) -> bool:
        verdict = self._rules.on_session(state)
        if verdict is SessionVerdict.RELEASED:
            self._signal()
        elif verdict is SessionVerdict.FAIL_OUT:
            self._locks.clear()  # they died with the session
            spawn(self._fail_out(), f"zkrecipes-partition-fail-{self._path}")
        return verdict is SessionVerdict.REMOVE_LISTENER  # FAIL_OUT: _fail_out removes this listener
