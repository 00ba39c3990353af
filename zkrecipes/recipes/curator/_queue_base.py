"""What the four Curator queue classes share: life cycle, pull ``take`` and the consumer thread.

Held by composition of a :class:`._queue_engine.QueueEngine` (the ZooKeeper
steps) and, when a ``consumer`` callable is given, a
:class:`._queue_consumer.ConsumerLoop`. The public classes add their own
``put`` forms (a name prefix per kind, :mod:`._queue_names`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._nodes import take_node
from zkrecipes.recipes.curator._queue_consumer import ConsumerLoop
from zkrecipes.recipes.curator._queue_engine import QueueEngine
from zkrecipes.recipes.curator._queue_rules import items_of
from zkrecipes.recipes.curator._queue_steps import Taken, put_back
from zkrecipes.recipes.curator._queue_take_locked import LockedTake
from zkrecipes.recipes.curator._queue_wait import wait_for
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes.curator._queue_names import QueueKind
    from zkrecipes.states import WatchedEvent

__all__ = ["QueueBase"]

_Q = TypeVar("_Q", bound="QueueBase")


class QueueBase:
    """A Curator queue of byte items at ``path`` (see the public classes for their guarantees)."""

    def __init__(self, client: RecipeClient, path: str, kind: QueueKind, *,
                 consumer: Callable[[bytes], Any] | None = None, lock_path: str | None = None,
                 error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        self.client = client
        self.path = check_path(path)
        self.lock_path = check_path(lock_path, "lock_path") if lock_path is not None else None
        if not isinstance(error_mode, ErrorMode):
            raise TypeError("error_mode must be an ErrorMode")
        self.error_mode = error_mode
        self._engine = QueueEngine(client, self.path, kind, self.lock_path)
        self._loop = ConsumerLoop(self._engine, consumer, error_mode) if consumer is not None else None
        self._buffer: deque[bytes] = deque()
        self._lock = client.handler.lock_object()

    def __repr__(self) -> str:
        extra = f", lock_path={self.lock_path!r}" if self.lock_path else ""
        return f"{type(self).__name__}({self.path!r}{extra})"

    def start(self) -> None:
        """Create the queue node (and lock path) if absent; start the consumer thread if there is one."""
        self._engine.start()
        if self._loop is not None:
            self._loop.start()

    def close(self) -> None:
        """Stop the consumer thread (after its item in progress) and remove every watch and listener it added.

        Idempotent. Items still in ZooKeeper stay there; items a pull ``take``
        buffered (the rest of a ``put_multi`` node) stay takeable.
        """
        if self._loop is not None:
            self._loop.close()
        self._engine.close()

    def __enter__(self: _Q) -> _Q:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def take(self, timeout: float | None = None) -> bytes | None:
        """The next ready item, waiting up to ``timeout`` seconds (None: until there is one); None at timeout.

        The timeout also bounds the lock and finish steps: a step cut short at
        it runs on and is undone (:mod:`._queue_steps`: the lock given back, a
        removed item put back under its own name).

        Without a lock path the item's node is deleted before it is returned
        (at most once). With one, the node is deleted together with its lock
        in one transaction before it is returned; a node whose lock another
        consumer holds is skipped (and watched). Not for a queue built with a
        ``consumer`` (its items go to the consumer).
        """
        if self._loop is not None:
            raise RuntimeError(f"{self!r} has a consumer: its items go to the consumer, not take()")
        with self._lock:
            if self._buffer:
                return self._buffer.popleft()
        taken = wait_for(self._engine, Deadline(check_timeout(timeout)), self._take_one, self._put_back)
        if taken is None:
            return None
        with self._lock:
            self._buffer.extend(taken.items[1:])
        return taken.items[0]

    def _take_one(self, name: str, watch: Callable[[WatchedEvent], Any]) -> Taken | None:
        engine = self._engine
        if engine.locks is None:
            path = join_path(self.path, name)
            try:
                data, _stat = self.client.retry(self.client.get, path)
            except NoNodeError:
                return None
            if not take_node(self.client, path, data or b"", "queue take"):
                return None
            items = items_of(path, data)
            return Taken(name, data or b"", items) if items else None
        claim = engine.claim(name, watch)
        if claim is None or not engine.finish(claim):
            return None
        return Taken(name, claim.data or b"", claim.items)

    def _put_back(self, taken: Taken) -> None:
        put_back(self.client, self.path, taken.name, taken.data)

    def take_locked(self, timeout: float | None = None) -> LockedTake:
        """``with queue.take_locked(timeout) as item:`` — at least once: the item is deleted after the block.

        Needs a lock path. The block gets the next item (None at the timeout)
        while we hold its lock; the node and lock are deleted in one
        transaction when the block ends normally, requeued or deleted per
        ``error_mode`` when it raises, and left for another consumer when our
        session was lost meanwhile (see :mod:`._queue_take_locked`). The rest
        of a ``put_multi`` node is requeued with the finish.
        """
        if self._loop is not None:
            raise RuntimeError(f"{self!r} has a consumer: its items go to the consumer, not take_locked()")
        return LockedTake(self._engine, timeout, self.error_mode)

    def _put(self, prefix: str, items: Iterable[bytes]) -> None:
        self._engine.put(prefix, items)
