"""The queue lock path (Curator's ``QueueBuilder.lockPath``): process an item at least once.

A consumer first creates the ephemeral ``<lock path>/<item name>`` (as
Curator does; a Curator consumer that finds it skips the item), reads the
item, hands it over, then deletes item and lock node. If the consumer's
session ends meanwhile the lock node goes with it and the item, still in the
queue, is taken by another consumer: nothing is lost (at least once).

What makes ours safe where a blind retry would not be:

* the lock node holds a unique owner id; a create whose reply was lost is read
  back (ours on this session, or not taken);
* the final delete is one transaction ``[check(session marker), delete(item),
  delete(lock)]`` (or, to requeue, ``delete(item), create(copy), delete(lock)``).
  The *session marker* is an ephemeral ``<lock path>/zkr-live-<session>-<owner>``
  this object creates once per session and whose owner is checked to be that
  session: it exists exactly as long as the session that holds our lock. So a
  consumer whose session was LOST while processing never deletes an item (nor
  the lock node) that another consumer took meanwhile — the transaction fails
  on the marker, atomically, whichever session it is sent on;
* after a lost reply the outcome is read back (:mod:`._queue_outcome`): marker
  and item there → not applied (sent again); item gone → applied; marker gone
  → the session ended, the item is left to whoever holds it now.

Curator never lists the lock path, so the markers are invisible to it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import ConnectionClosedError, NodeExistsError, NoNodeError
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._fence_outcome import ATTEMPTS
from zkrecipes.recipes._nodes import create_own_ephemeral, delete_own_ephemeral, delete_quietly
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._queue_outcome import FinishVerdict, finish_verdict
from zkrecipes.recipes.curator._queue_rules import (
    MARKER_PREFIX,
    CommitVerdict,
    Held,
    commit_verdict,
    fill_finish,
    marker_path,
)

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["MARKER_PREFIX", "Held", "ItemLocks"]

log = logging.getLogger(__name__)

class ItemLocks:
    """The lock-path steps of one queue object (thread-safe; one owner id per object)."""

    def __init__(self, client: RecipeClient, queue_path: str, lock_path: str) -> None:
        self.client = client
        self.queue_path = queue_path
        self.lock_path = lock_path
        self.owner = uuid.uuid4().hex.encode()
        self._markers: dict[int, str] = {}
        self._holding: set[str] = set()  # names this object's threads hold or are taking
        self._guard = client.handler.lock_object()

    def start(self) -> None:
        """Create the lock path (default data, container parents) if absent."""
        try:
            create_with_containers(self.client, self.lock_path, local_address(), Deadline(None))
        except NodeExistsError:
            pass

    def close(self) -> None:
        """Delete our session markers (best effort: they are ephemeral anyway).

        Kept while an item is still held (a close from the consumer callable,
        or one that stopped waiting): its finish needs the marker.
        """
        with self._guard:
            if self._holding:
                return
            markers, self._markers = list(self._markers.values()), {}
        for marker in markers:
            try:
                delete_own_ephemeral(self.client, marker, self.owner)
            except Exception:
                log.debug("could not delete queue session marker %s", marker, exc_info=True)

    # ------------------------------------------------------------------ locking

    def lock(self, name: str) -> Held | None:
        """Take the lock of item ``name``; None when someone else holds it (or it cannot be taken).

        Another thread of this object taking the same item counts as someone
        else (the lock node's owner id is per object, so it is checked here).
        """
        with self._guard:
            if name in self._holding:
                return None
            self._holding.add(name)
        try:
            held = self._lock(name)
        except BaseException:
            self._forget(name)
            raise
        if held is None:
            self._forget(name)
        return held

    def _forget(self, name: str) -> None:
        with self._guard:
            self._holding.discard(name)

    def _lock(self, name: str) -> Held | None:
        path = join_path(self.lock_path, name)
        for _ in range(ATTEMPTS):
            try:
                create_own_ephemeral(self.client, path, self.owner)
                break
            except NodeExistsError:
                return None
            except NoNodeError:
                self.start()  # the lock path vanished (a container parent reaped)
            except RETRYABLE as error:
                if isinstance(error, ConnectionClosedError):
                    raise
        else:
            return None
        stat = self.client.retry(self.client.exists, path)
        if stat is None:
            return None  # our session ended right after the create
        marker = self._marker(stat.ephemeralOwner)
        if marker is None:
            return None  # that session is gone: so is the lock node
        return Held(name, path, marker, stat.ephemeralOwner)

    def release(self, held: Held) -> None:
        """Give the lock back without touching the item (it was gone, or is left in the queue)."""
        try:
            delete_own_ephemeral(self.client, held.lock, self.owner)
        finally:
            self._forget(held.name)

    def holder_gone_watch(self, name: str, watch: Callable[[WatchedEvent], Any]) -> bool:
        """Watch item ``name``'s lock node (``watch`` fires when it changes); True if it is held."""
        return self.client.retry(self.client.exists, join_path(self.lock_path, name), watch=watch) is not None

    def _marker(self, session: int) -> str | None:
        with self._guard:
            known = self._markers.get(session)
        if known is not None:
            return known
        path = marker_path(self.lock_path, session, self.owner)
        try:
            self.client.retry(self.client.create, path, self.owner, ephemeral=True)
        except NodeExistsError:
            pass  # an earlier try of ours (its reply lost); its owner is checked below
        except NoNodeError:
            return None
        stat = self.client.retry(self.client.exists, path)
        if stat is None or stat.ephemeralOwner != session:
            if stat is not None:
                delete_quietly(self.client, path)  # made on a later session: not that session's proof
            return None
        with self._guard:
            self._markers = {s: m for s, m in self._markers.items() if s == session} | {session: path}
        return path

    # ------------------------------------------------------------------ finishing

    def finish(self, held: Held, requeue: bytes | None = None) -> bool:
        """Delete the item and our lock in one transaction (or requeue the item's ``requeue`` bytes).

        True once applied; False when our session ended first (nothing deleted
        by us: the item stays for another consumer, or was already taken by one).
        """
        try:
            return self._finish(held, requeue)
        finally:
            self._forget(held.name)

    def _finish(self, held: Held, requeue: bytes | None) -> bool:
        item = join_path(self.queue_path, held.name)
        for _ in range(ATTEMPTS):
            transaction = self.client.transaction()
            fill_finish(transaction, self.queue_path, held, requeue)
            try:
                results = transaction.commit()
            except RETRYABLE as error:
                if isinstance(error, ConnectionClosedError):
                    raise
                verdict = self._read_back(held, item)
                if verdict is None:
                    continue
                return verdict
            verdict_now = commit_verdict(results)
            if verdict_now is CommitVerdict.SESSION_GONE:
                log.warning("queue item %s: our session ended while processing it; left to others", item)
                return False
            if verdict_now is CommitVerdict.ITEM_GONE:
                log.warning("queue item %s was removed by someone else while locked: %r", item, results)
                self.release(held)
                return False
            return True
        raise ConnectionClosedError(f"finishing queue item {item}: the connection kept failing")

    def _read_back(self, held: Held, item: str) -> bool | None:
        """After a lost reply: True applied, False session gone, None not applied (send again)."""
        marker_there = self.client.retry(self.client.exists, held.marker) is not None
        item_there = marker_there and self.client.retry(self.client.exists, item) is not None
        verdict = finish_verdict(marker_there=marker_there, item_there=item_there)
        if verdict is FinishVerdict.RESEND:
            return None
        return verdict is FinishVerdict.APPLIED
