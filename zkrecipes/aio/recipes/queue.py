"""Distributed queues on asyncio: Queue and LockingQueue (``zkrecipes.recipes.queue`` with ``await``).

The same layout as the threaded queues, so threaded and asyncio producers and
consumers share one queue: entries are persistent sequential nodes named by
:func:`~zkrecipes.recipes.queue.entry_name` (``entry-<ppp>-<seq>``, lower
priority first); a LockingQueue keeps them under ``<path>/entries`` and takes
an item with the ephemeral ``<path>/taken/<entry>`` holding the consumer's id.
SUSPENDED / LOST as the threaded queues: a Queue holds nothing; a
LockingQueue's taken item goes back to the queue with a lost session and this
consumer forgets it (``holds_lock()`` False; at-least-once processing).

**Cancellation**:

* :meth:`Queue.get` never loses an entry. The take (read, delete) runs in a
  task of its own. Cancelled while it only reads, the take is cancelled too
  (nothing changed); cancelled once the delete is sent, the take goes on and an
  entry it deleted is put back under its own name (same data, the same place in
  the order: sequence numbers are never issued twice).
* :meth:`LockingQueue.get` cancelled or timed out leaves no taken node: a take
  whose create may have been in flight is undone (read back, deleted only while
  ours) before it raises.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._consume import consume_item
from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.aio.recipes._nodes import settle, spawn
from zkrecipes.aio.recipes._own import create_own_ephemeral, delete_own_ephemeral, take_node
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import InvalidTypeError, NodeExistsError, NoNodeError, OutcomeUnknownError
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.queue import _check_value, entry_name
from zkrecipes.states import EventType, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["LockingQueue", "Queue"]

log = logging.getLogger(__name__)

_takes: set[asyncio.Task[tuple[str, bytes] | None]] = set()  # strong references while running


class _BaseQueue:
    def __init__(self, client: AsyncRecipeClient, path: str) -> None:
        if not isinstance(path, str):
            raise InvalidTypeError(f"queue path must be a str, not {type(path).__name__}")
        self.client = client
        self.path = path.rstrip("/") or "/"
        self._entries_path = self.path
        self._structure_paths: tuple[str, ...] = (self.path,)
        self._ensured = False

    async def _ensure_paths(self) -> None:
        if not self._ensured:
            for p in self._structure_paths:
                await self.client.retry(self.client.ensure_path, p)
            self._ensured = True

    def _entry_prefix(self) -> str:
        raise NotImplementedError

    async def length(self) -> int:
        """The number of entries now (from the entries node's stat; taken ones included)."""
        await self._ensure_paths()
        _, stat = await self.client.retry(self.client.get, self._entries_path)
        return int(stat.numChildren)

    async def put(self, value: bytes, priority: int = 100) -> str:
        """Append ``value`` with ``priority`` (0 first, 999 last); return the entry path.

        Not retried: ConnectionLoss (or a cancellation) means the entry may or may not have been added.
        """
        _check_value(value)
        name = entry_name(self._entry_prefix(), priority)
        await self._ensure_paths()
        return await self.client.create(join_path(self._entries_path, name), value, sequence=True)

    async def put_all(self, values: Sequence[bytes], priority: int = 100) -> None:
        """Append every value with the same priority, all or none (one transaction).

        A failed transaction raises its error (nothing was added; the threaded
        recipe returns silently then). Not retried: ConnectionLoss (or a
        cancellation) means all or none of the entries may have been added.
        """
        if not isinstance(values, (list, tuple)):
            raise InvalidTypeError(f"values must be a list or tuple, not {type(values).__name__}")
        for v in values:
            _check_value(v)
        name = entry_name(self._entry_prefix(), priority)
        if not values:
            return
        await self._ensure_paths()
        transaction = self.client.transaction()
        for v in values:
            transaction.create(join_path(self._entries_path, name), v, sequence=True)
        results = await transaction.commit()
        for result in results:
            if isinstance(result, Exception):
                raise result


class Queue(_BaseQueue):
    """A priority queue whose ``get`` removes the entry; ``get()`` returns None when empty."""

    prefix = "entry-"

    def _entry_prefix(self) -> str:
        return self.prefix

    async def get(self) -> bytes | None:
        """Remove and return the highest-priority, oldest entry; None if empty (see the module on cancel)."""
        await self._ensure_paths()
        deleting: list[str] = []  # the entry whose delete is sent (at most one at a time)
        task = asyncio.get_running_loop().create_task(self.client.retry(self._inner_get, deleting))
        _takes.add(task)
        task.add_done_callback(_takes.discard)
        try:
            taken = await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done() and not deleting:
                task.cancel()  # only reads so far: nothing to undo
            elif not task.done() or (not task.cancelled() and task.exception() is None):
                spawn(self._put_back(task), f"zkrecipes-queue-put-back-{self.path}")
            raise
        return None if taken is None else taken[1]

    async def _put_back(self, task: asyncio.Task[tuple[str, bytes] | None]) -> None:
        """After a cancelled get: re-create the entry the take deleted, under its own name.

        Retried on connection loss with NodeExists counted as done: if a lost
        reply's create landed and another consumer took the entry before the
        retry, the entry is delivered twice — this path prefers a duplicate to
        a lost entry (at-least-once).
        """
        try:
            taken = await task
        except Exception as error:
            log.warning("queue %s: a cancelled get failed meanwhile: %r", self.path, error)
            return
        if taken is None:
            return
        name, value = taken
        try:
            await self.client.retry(self.client.create, join_path(self._entries_path, name), value)
        except NodeExistsError:
            pass
        except Exception as error:
            log.error("queue %s: could not put back entry %s after a cancelled get: %r",
                      self.path, name, error)

    async def _inner_get(self, deleting: list[str]) -> tuple[str, bytes] | None:
        children: list[str] = await self.client.get_children(self._entries_path)
        for name in sorted(children):
            path = join_path(self._entries_path, name)
            try:
                data, _ = await self.client.get(path)
            except NoNodeError:
                continue
            value = data or b""
            deleting.append(name)
            try:
                if not await take_node(self.client, path, value, "queue get"):
                    continue  # taken by another consumer
            finally:
                deleting.remove(name)
            return name, value
        return None


class LockingQueue(_BaseQueue):
    """A priority queue whose items are locked while processed (kazoo's ``LockingQueue`` layout).

    ``await get(timeout)`` takes the first free item (``<path>/taken/<entry>``),
    ``await consume()`` deletes entry and taken node in one transaction,
    ``await release()`` gives the item back.
    """

    entry = "entry"
    _taken_dir = "taken"
    _entries_dir = "entries"

    def __init__(self, client: AsyncRecipeClient, path: str) -> None:
        super().__init__(client, path)
        self.id: bytes = uuid.uuid4().hex.encode("ascii")
        self.processing_element: tuple[str, bytes] | None = None
        self._lock_path = join_path(self.path, self._taken_dir)
        self._entries_path = join_path(self.path, self._entries_dir)
        self._structure_paths = (self._lock_path, self._entries_path)
        self._listening = False
        self._wake = asyncio.Event()

    def _entry_prefix(self) -> str:
        return f"{self.entry}-"

    async def get(self, timeout: float | None = None) -> bytes | None:
        """Take the first free entry and return its value; None after ``timeout`` s (None: no limit).

        An item this consumer holds and has not consumed is returned again.
        """
        deadline = Deadline(check_timeout(timeout))
        await self._ensure_paths()
        if not self._listening:
            self._listening = True
            self.client.add_listener(self._session_listener)
        if self.processing_element is not None:
            return self.processing_element[1]
        while True:
            self._wake.clear()
            entries: list[str] = await self.client.retry(self.client.get_children, self._entries_path,
                                                         self._on_child)
            taken = set(await self.client.retry(self.client.get_children, self._lock_path, self._on_child))
            for name in sorted(entries):
                if name in taken:
                    continue
                got = await self._take(name)
                if got is not None:
                    self.processing_element = got
                    return got[1]
            if not await wait_event(self._wake, deadline.remaining()):
                return None

    def _on_child(self, event: WatchedEvent) -> None:
        if event.type == EventType.CHILD:
            self._wake.set()

    async def _take(self, name: str) -> tuple[str, bytes] | None:
        lock_path = join_path(self._lock_path, name)
        try:
            try:
                await self.client.retry(create_own_ephemeral, self.client, lock_path, self.id)
            except NodeExistsError:
                return None
            try:
                value, _ = await self.client.retry(self.client.get, join_path(self._entries_path, name))
            except NoNodeError:
                await delete_own_ephemeral(self.client, lock_path, self.id)  # consumed meanwhile
                return None
        except BaseException:
            # Cancelled or failed with the create possibly in flight: undo it (only if ours).
            await settle(spawn(self._untake(lock_path), f"zkrecipes-untake-{lock_path}"))
            raise
        return name, value or b""

    async def _untake(self, lock_path: str) -> None:
        try:
            await delete_own_ephemeral(self.client, lock_path, self.id)
        except Exception as error:
            log.warning("queue %s: could not undo the take of %s: %r", self.path, lock_path, error)

    async def holds_lock(self) -> bool:
        """True if this consumer's taken node for its current item exists now (after a ``sync``)."""
        element = self.processing_element
        if element is None:
            return False
        lock_path = join_path(self._lock_path, element[0])
        await self.client.retry(self.client.sync, lock_path)
        try:
            value, _ = await self.client.retry(self.client.get, lock_path)
        except NoNodeError:
            return False
        return bool(value == self.id)

    async def consume(self) -> bool:
        """Remove the current item (entry and taken node, atomically).

        False if no item is held (or the lock was lost), and when the
        transaction failed (nothing was removed; the threaded recipe reports True then).
        A lost reply is settled by reading back (see :mod:`zkrecipes.aio.recipes._consume`):
        True/False as above, or :class:`~zkrecipes.exceptions.OutcomeUnknownError`
        (with the item's ``value``) when the session was lost meanwhile and the
        entry is gone — never a blind second run.
        """
        element = self.processing_element
        if element is None or not await self.holds_lock():
            self.processing_element = None
            return False
        name, value = element
        try:
            removed = await consume_item(self.client, join_path(self._entries_path, name),
                                         join_path(self._lock_path, name), self.id, value)
        except OutcomeUnknownError:
            self.processing_element = None  # consumed, or back in the queue: not held either way
            raise
        self.processing_element = None
        return removed

    async def release(self) -> bool:
        """Give the current item back without consuming it; False if none is held."""
        element = self.processing_element
        if element is None or not await self.holds_lock():
            self.processing_element = None
            return False
        await delete_own_ephemeral(self.client, join_path(self._lock_path, element[0]), self.id)
        self.processing_element = None
        return True

    def _session_listener(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            self.processing_element = None
        self._wake.set()
