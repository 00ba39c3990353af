"""Distributed queues with priorities: Queue (take = delete) and LockingQueue.

Entries are persistent sequential nodes named ``entry-<ppp>-<10-digit seq>``
(``ppp`` the zero-padded priority, lower first), so the lexical order of the
names is (priority, insertion order).

Queue failure semantics (Curator style):

* **SUSPENDED** — ``put``/``get`` block in the client's retry until the
  connection is back or the retry gives up (then ConnectionLoss is raised).
* **LOST** — nothing is held, so nothing is lost beyond what ZooKeeper
  documents: a ``put`` that fails with ConnectionLoss may or may not have added
  its entry (``put`` is not retried). A ``get`` whose delete reply was lost
  reads the entry back: still there, it deletes again; gone (taken by this call
  or by another consumer, which cannot be told apart) it raises
  :class:`~zkrecipes.exceptions.OutcomeUnknownError` whose ``value`` is the
  entry's value — it never silently drops it and returns the next one.

LockingQueue failure semantics:

* **SUSPENDED** — an item taken by ``get`` stays taken while the session lives;
  ``holds_lock()`` answers only once connected again.
* **LOST** — the session's ephemeral ``taken/`` node is gone, so the item is
  back in the queue for other consumers. This consumer forgets the item:
  ``holds_lock()`` is False, ``consume()`` and ``release()`` return False, and
  the next ``get`` takes a fresh item. Processing is therefore at-least-once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    InvalidArgumentError,
    InvalidTypeError,
    NodeExistsError,
    NoNodeError,
)
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._consume import consume_item
from zkrecipes.recipes._nodes import create_own_ephemeral, delete_own_ephemeral, take_node
from zkrecipes.states import EventType, WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["LockingQueue", "Queue"]

_MIN_PRIORITY = 0
_MAX_PRIORITY = 999


def _check_value(value: object) -> None:
    if not isinstance(value, bytes):
        raise InvalidTypeError(f"queue values must be bytes, not {type(value).__name__}")


def entry_name(prefix: str, priority: object) -> str:
    """The name (before ZooKeeper's sequence suffix) of an entry with ``priority``.

    ``<prefix><ppp>-`` with the priority zero-padded to three digits, so that the
    lexical order of entry names is (priority, insertion order). Raises
    InvalidTypeError/InvalidArgumentError for a priority that is not an int in 0..999.
    """
    return f"{prefix}{_check_priority(priority):03d}-"


def _check_priority(priority: object) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidTypeError(f"priority must be an int, not {type(priority).__name__}")
    if not _MIN_PRIORITY <= priority <= _MAX_PRIORITY:
        raise InvalidArgumentError(f"priority must be in [{_MIN_PRIORITY}, {_MAX_PRIORITY}], got {priority}")
    return priority


class _BaseQueue:
    def __init__(self, client: RecipeClient, path: str) -> None:
        if not isinstance(path, str):
            raise InvalidTypeError(f"queue path must be a str, not {type(path).__name__}")
        self.client = client
        self.path = path.rstrip("/") or "/"
        self._entries_path = self.path
        self._structure_paths: tuple[str, ...] = (self.path,)
        self._ensured = False

    def _ensure_paths(self) -> None:
        if not self._ensured:
            for p in self._structure_paths:
                self.client.ensure_path(p)
            self._ensured = True

    def _entry_prefix(self) -> str:
        """The name prefix of this queue's entries (before the priority)."""
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of entries now (from the entries node's stat; taken ones included)."""
        self._ensure_paths()
        _, stat = self.client.retry(self.client.get, self._entries_path)
        return int(stat.numChildren)

    def put(self, value: bytes, priority: int = 100) -> str:
        """Append ``value`` with ``priority`` (0 = first, 999 = last); return the entry path.

        Raises InvalidTypeError/InvalidArgumentError for a non-bytes value or a
        priority outside 0..999. Not retried: ConnectionLoss means the entry
        may or may not have been added.
        """
        _check_value(value)
        name = entry_name(self._entry_prefix(), priority)
        self._ensure_paths()
        created: str = self.client.create(join_path(self._entries_path, name), value, sequence=True)
        return created

    def put_all(self, values: Sequence[bytes], priority: int = 100) -> None:
        """Append every value with the same priority, all or none (one transaction).

        Every value is checked before anything is written.
        """
        if not isinstance(values, (list, tuple)):
            raise InvalidTypeError(f"values must be a list or tuple, not {type(values).__name__}")
        for v in values:
            _check_value(v)
        name = entry_name(self._entry_prefix(), priority)
        if not values:
            return
        self._ensure_paths()
        with self.client.transaction() as txn:
            for v in values:
                txn.create(join_path(self._entries_path, name), v, sequence=True)


class Queue(_BaseQueue):
    """A priority queue whose ``get`` removes the entry (kazoo's ``Queue``).

    ``get()`` does not block: it returns the first entry's value, or None when
    the queue is empty.
    """

    prefix = "entry-"

    def _entry_prefix(self) -> str:
        return self.prefix

    def get(self) -> bytes | None:
        """Remove and return the highest-priority, oldest entry; None if empty.

        Entries taken concurrently by other consumers are skipped; each entry
        is returned to at most one caller.
        """
        self._ensure_paths()
        result: bytes | None = self.client.retry(self._inner_get)
        return result

    def _inner_get(self) -> bytes | None:
        children: list[str] = self.client.get_children(self._entries_path)
        for name in sorted(children):
            path = join_path(self._entries_path, name)
            try:
                data, _ = self.client.get(path)
            except NoNodeError:
                continue
            # never retried blindly: a retry after a lost delete reply would skip (lose) this entry
            if not take_node(self.client, path, data or b"", "queue get"):
                continue  # taken by another consumer
            result: bytes = data or b""
            return result
        return None


class LockingQueue(_BaseQueue):
    """A priority queue whose items are locked while processed (kazoo's ``LockingQueue``).

    ``get`` takes the first item not taken by anyone, by creating the ephemeral
    node ``<path>/taken/<entry>``; ``consume`` deletes the entry and its taken
    node in one transaction; ``release`` deletes only the taken node. A
    consumer whose session ends releases its item automatically.
    """

    entry = "entry"
    _taken_dir = "taken"
    _entries_dir = "entries"

    def __init__(self, client: RecipeClient, path: str) -> None:
        super().__init__(client, path)
        self.id: bytes = uuid.uuid4().hex.encode("ascii")
        self.processing_element: tuple[str, bytes] | None = None
        self._lock_path = join_path(self.path, self._taken_dir)
        self._entries_path = join_path(self.path, self._entries_dir)
        self._structure_paths = (self._lock_path, self._entries_path)
        self._state_lock = client.handler.lock_object()
        self._listening = False

    def _entry_prefix(self) -> str:
        return f"{self.entry}-"

    def get(self, timeout: float | None = None) -> bytes | None:
        """Take (lock) the first free entry and return its value.

        If this consumer already holds an unconsumed item, that item's value is
        returned again. Blocks until an entry is free, or ``timeout`` seconds
        (then returns None). ``timeout=None`` waits without limit.
        """
        timeout = check_timeout(timeout)
        self._ensure_paths()
        if not self._listening:
            self._listening = True
            self.client.add_listener(self._session_listener)
        with self._state_lock:
            if self.processing_element is not None:
                return self.processing_element[1]
        return self._inner_get(timeout)

    def holds_lock(self) -> bool:
        """True if this consumer's taken node for its current item exists now.

        Does a ``sync`` and a read, so the answer reflects the leader's state.
        """
        element = self.processing_element
        if element is None:
            return False
        lock_path = join_path(self._lock_path, element[0])
        self.client.retry(self.client.sync, lock_path)
        try:
            value, _ = self.client.retry(self.client.get, lock_path)
        except NoNodeError:
            return False
        held: bool = value == self.id
        return held

    def consume(self) -> bool:
        """Remove the current item from the queue (entry and taken node, atomically).

        Returns False (and removes nothing) if no item is held or the lock was
        lost. A reply lost with the connection is never answered by sending the
        transaction again blindly: the outcome is read back (True: removed; False:
        not, the item is back in the queue), and where it cannot be established
        :class:`~zkrecipes.exceptions.OutcomeUnknownError` carries the item's value.
        """
        element = self.processing_element
        if element is None or not self.holds_lock():
            self.processing_element = None
            return False
        name, value = element
        try:
            return consume_item(self.client, join_path(self._entries_path, name),
                                join_path(self._lock_path, name), self.id, value)
        finally:
            self.processing_element = None

    def release(self) -> bool:
        """Give the current item back to the queue without consuming it.

        Returns False if no item is held or the lock was lost.
        """
        element = self.processing_element
        if element is None or not self.holds_lock():
            self.processing_element = None
            return False
        delete_own_ephemeral(self.client, join_path(self._lock_path, element[0]), self.id)
        self.processing_element = None
        return True

    # -------------------------------------------------------------- internals

    def _session_listener(self, state: ZkState) -> None:
        if state == ZkState.LOST:
            with self._state_lock:
                self.processing_element = None

    def _inner_get(self, timeout: float | None) -> bytes | None:
        found = self.client.handler.event_object()
        lock = self.client.handler.lock_object()
        cancelled = False
        taken_value: list[tuple[str, bytes]] = []

        def check(event: WatchedEvent | None = None) -> None:
            if event is not None and event.type != EventType.CHILD:
                return
            with lock:
                if cancelled or found.is_set():
                    return
                entries: list[str] = self.client.retry(self.client.get_children, self._entries_path, check)
                taken: list[str] = self.client.retry(self.client.get_children, self._lock_path, check)
                taken_set = set(taken)
                for name in sorted(entries):
                    if name in taken_set:
                        continue
                    got = self._take(name)
                    if got is not None:
                        taken_value.append(got)
                        found.set()
                        return

        check()
        found.wait(timeout)
        with lock:
            cancelled = True
            if taken_value:
                with self._state_lock:
                    self.processing_element = taken_value[0]
                return taken_value[0][1]
        return None

    def _take(self, name: str) -> tuple[str, bytes] | None:
        lock_path = join_path(self._lock_path, name)
        try:
            self.client.retry(self._create_taken, lock_path)
        except NodeExistsError:
            return None
        try:
            value, _ = self.client.retry(self.client.get, join_path(self._entries_path, name))
        except NoNodeError:
            # Consumed by someone else between our listing and our lock.
            delete_own_ephemeral(self.client, lock_path, self.id)
            return None
        data: bytes = value or b""
        return (name, data)

    def _create_taken(self, lock_path: str) -> None:
        """Create our ephemeral taken node; a node already there that belongs to
        this session (a retried create whose first reply was lost) counts as ours."""
        create_own_ephemeral(self.client, lock_path, self.id)
