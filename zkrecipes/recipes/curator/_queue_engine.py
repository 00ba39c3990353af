"""The queue family's steps on ZooKeeper, shared by the four queue classes and their consumer.

One :class:`QueueEngine` per queue object: it creates the queue node, puts
framed items under a name prefix, lists the queue in its kind's order
(:mod:`._queue_names`), and takes or processes one item node:

* **without a lock path** (Curator's default, at most once): the node is
  deleted (first deleter wins) *before* its items are handed over; a lost
  delete reply with the node gone raises ``OutcomeUnknownError`` carrying the
  node's bytes (it was taken by us or by another consumer);
* **with a lock path** (at least once): :class:`._queue_lock.ItemLocks`. An
  item whose lock someone else holds is skipped, and its lock node watched,
  so a waiter wakes when that holder finishes or dies.

A node whose bytes are not Curator's framing is deleted and skipped (logged),
as Curator does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._nodes import take_node
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._queue_format import encode_items
from zkrecipes.recipes.curator._queue_lock import ItemLocks
from zkrecipes.recipes.curator._queue_names import QueueKind, order
from zkrecipes.recipes.curator._queue_rules import Claim, items_of
from zkrecipes.states import EventType, KeeperState, WatchedEvent

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["Claim", "Handover", "QueueEngine", "now_ms"]


#: Called with an item node's items; returns True to requeue the node (lock path only).
Handover = Callable[[list[bytes]], bool]
Watch = Callable[[WatchedEvent], Any]


def now_ms() -> int:
    """The wall clock in epoch milliseconds (the clock Curator's delay queue uses)."""
    return time.time_ns() // 1_000_000


class QueueEngine:
    """Put, list and take items of one queue of ``kind`` at ``path`` (optionally with ``lock_path``)."""

    def __init__(self, client: RecipeClient, path: str, kind: QueueKind, lock_path: str | None) -> None:
        self.client = client
        self.path = path
        self.kind = kind
        self.locks = ItemLocks(client, path, lock_path) if lock_path is not None else None

    def start(self) -> None:
        """Create the queue node (and the lock path) with the default data if absent."""
        try:
            create_with_containers(self.client, self.path, local_address(), Deadline(None))
        except NodeExistsError:
            pass
        if self.locks is not None:
            self.locks.start()

    def close(self) -> None:
        """Drop this object's lock-path session markers."""
        if self.locks is not None:
            self.locks.close()

    def put(self, prefix: str, items: Iterable[bytes]) -> str:
        """Create one item node ``<path>/<prefix><seq>`` holding ``items``; its path.

        A retried create after a lost reply may put the node twice (as
        Curator's put): items are delivered at least once by a producer.
        """
        data = encode_items(items)
        target = join_path(self.path, prefix)
        try:
            return self.client.retry(self.client.create, target, data, sequence=True)
        except NoNodeError:
            self.start()
            return self.client.retry(self.client.create, target, data, sequence=True)

    def children(self, watch: Watch | None = None, deadline: Deadline | None = None) -> list[str]:
        """The queue node's children (with a child watch); [] (with an exists watch) when absent.

        With a ``deadline`` each read waits at most until it (``LockTimeout``),
        else the client's retry policy applies.
        """
        try:
            if deadline is None:
                return self.client.retry(self.client.get_children, self.path, watch=watch)
            return bounded(self.client.get_children_async(self.path, watch=watch), deadline,
                           f"listing {self.path}")
        except NoNodeError:
            if deadline is None:
                there = self.client.retry(self.client.exists, self.path, watch=watch) is not None
            else:
                there = bounded(self.client.exists_async(self.path, watch=watch), deadline,
                                f"listing {self.path}") is not None
            return self.children(watch, deadline) if there else []

    def ready(self, watch: Watch | None = None,
              deadline: Deadline | None = None) -> tuple[list[str], int | None]:
        """The item names to take now, in order, and the earliest later due time (epoch ms) if any."""
        return order(self.children(watch, deadline), self.kind, now_ms())

    def take(self, name: str, handover: Handover, watch: Watch | None = None) -> bool:
        """Take item node ``name`` and hand its items over; True if this call took it.

        False when someone else took it first (or holds its lock: then ``watch``
        is set on that lock node). With a lock path, ``handover`` runs while we
        hold the lock and its True requeues the node; without one, the node is
        already deleted and its answer is ignored.
        """
        if self.locks is None:
            return self._take_plain(name, handover)
        return self._take_locked(name, handover, watch)

    def _take_plain(self, name: str, handover: Handover) -> bool:
        path = join_path(self.path, name)
        try:
            data, _stat = self.client.retry(self.client.get, path)
        except NoNodeError:
            return False
        if not take_node(self.client, path, data or b"", "queue take"):
            return False
        items = items_of(path, data)
        if items:
            handover(items)
        return True

    def _take_locked(self, name: str, handover: Handover, watch: Watch | None) -> bool:
        claim = self.claim(name, watch)
        if claim is None:
            return False
        requeue = False
        try:
            requeue = handover(claim.items)
        finally:
            finished = self.finish(claim, claim.data if requeue else None)
        return finished

    def claim(self, name: str, watch: Watch | None = None) -> Claim | None:
        """Lock item ``name`` and read it (lock path only); None when it is not ours to process.

        None when someone else holds its lock (``watch`` is then set on that
        lock node) or took it first; a node that is not Curator's framing is
        finished (deleted) and None returned. The caller must :meth:`finish`
        (or :meth:`release`) a returned claim.
        """
        assert self.locks is not None
        held = self.locks.lock(name)
        if held is None:
            if watch is not None and not self.locks.holder_gone_watch(name, watch):
                watch_fired_now(watch)  # released meanwhile: look again
            return None
        path = join_path(self.path, name)
        try:
            data, _stat = self.client.retry(self.client.get, path)
        except NoNodeError:
            self.locks.release(held)  # a consumer before us finished it
            return None
        except BaseException:
            self.locks.release(held)
            raise
        items = items_of(path, data)
        if not items:
            self.locks.finish(held)
            return None
        return Claim(held, data, items)

    def finish(self, claim: Claim, requeue: bytes | None = None) -> bool:
        """Delete a claimed node and its lock in one transaction (or requeue ``requeue`` bytes).

        True once applied; False when our session ended first (the item is
        left to another consumer: nothing of theirs is deleted).
        """
        assert self.locks is not None
        return self.locks.finish(claim.held, requeue)

    def release(self, claim: Claim) -> None:
        """Give a claimed node's lock back and leave the node in the queue."""
        assert self.locks is not None
        self.locks.release(claim.held)

    def remove(self, names: Iterable[str]) -> int:
        """Delete the item nodes ``names`` (respecting their locks); how many this call deleted."""
        count = 0
        for name in names:
            if self.take(name, lambda _items: False):
                count += 1
        return count


def watch_fired_now(watch: Watch) -> None:
    """Call a watch callback as if it had fired (a change happened between two reads)."""
    watch(WatchedEvent(EventType.NONE, KeeperState.CONNECTED, ""))
