"""Pull at least once: ``with queue.take_locked(timeout) as item:`` — the item goes only after the block.

The item's lock is taken and the node read before the block runs
(:meth:`QueueEngine.claim`); the node and its lock are deleted in one
transaction when the block ends (:meth:`QueueEngine.finish`, the session
marker rule of :mod:`._queue_rules`):

* the block ends normally → deleted (the rest of a ``put_multi`` node is
  requeued in that same transaction, under the node's own name prefix);
* the block raises an ``Exception`` → ``ErrorMode.REQUEUE`` puts the whole
  node back in that transaction, ``ErrorMode.DELETE`` finishes it as if done;
  a ``BaseException`` that is not an ``Exception`` (KeyboardInterrupt, a
  cancellation) gives the lock back and leaves the node untouched;
* the session was lost inside the block → the lock went with the session, the
  node is left for another consumer, and the exit deletes nothing (the marker
  check fails whichever session sends it); :attr:`LockedTake.finished` is False.

No item at the timeout: the block gets None.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._queue_rules import after_work
from zkrecipes.recipes.curator._queue_wait import wait_for

if TYPE_CHECKING:
    from zkrecipes.recipes.curator._queue_engine import QueueEngine
    from zkrecipes.recipes.curator._queue_rules import Claim
    from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

__all__ = ["LockedTake"]


class LockedTake:
    """The context manager :meth:`take_locked` returns (one use)."""

    def __init__(self, engine: QueueEngine, timeout: float | None, error_mode: ErrorMode) -> None:
        if engine.locks is None:
            raise RuntimeError("take_locked needs a queue with a lock_path")
        self._engine = engine
        self._timeout = check_timeout(timeout)
        self._mode = error_mode
        self._claim: Claim | None = None
        self._entered = False
        #: After the block: True once the node was finished by us, False if it was left (session lost).
        self.finished: bool | None = None

    def __enter__(self) -> bytes | None:
        if self._entered:
            raise RuntimeError("a LockedTake is used once")
        self._entered = True
        engine = self._engine
        self._claim = wait_for(engine, Deadline(self._timeout), engine.claim, engine.release)
        return None if self._claim is None else self._claim.items[0]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        claim, self._claim = self._claim, None
        if claim is None:
            return
        if exc is not None and not isinstance(exc, Exception):
            self._engine.release(claim)
            self.finished = False
            return
        requeue = after_work(claim.data, claim.items, exc is not None, self._mode)
        self.finished = self._engine.finish(claim, requeue)
