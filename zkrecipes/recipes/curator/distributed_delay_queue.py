"""DistributedDelayQueue: Curator's delay queue, on Curator's znode layout.

Interoperable with Curator's ``DistributedDelayQueue`` on the same path: an
item due at ``t`` (epoch milliseconds) is ``<path>/queue-|<%08X of t>|<seq>``.
An item is **invisible to consumers until it is due** (by the consumer's wall
clock, as Curator); due items are taken earliest due time first. A waiting
consumer sleeps until the earliest due time or a change in the queue (a child
watch), whichever comes first — no polling. A name without a readable due
time counts as due. Taking, the lock path, the consumer thread and the error
policy are those of :class:`~zkrecipes.recipes.curator.DistributedQueue`; a
requeued item keeps its due time (Curator's requeue makes it due at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes.curator._queue_base import QueueBase
from zkrecipes.recipes.curator._queue_engine import now_ms
from zkrecipes.recipes.curator._queue_names import QueueKind, delay_prefix, due_after
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["DistributedDelayQueue"]


class DistributedDelayQueue(QueueBase):
    """A queue of byte items each hidden until its due time (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, *, consumer: Callable[[bytes], Any] | None = None,
                 lock_path: str | None = None, error_mode: ErrorMode = ErrorMode.REQUEUE) -> None:
        super().__init__(client, path, QueueKind.DELAY, consumer=consumer, lock_path=lock_path,
                         error_mode=error_mode)

    def put(self, item: bytes, delay_until_epoch_ms: int) -> None:
        """Add ``item``, due at ``delay_until_epoch_ms`` (epoch milliseconds, > 0; Curator's form)."""
        self.put_multi([item], delay_until_epoch_ms)

    def put_multi(self, items: Iterable[bytes], delay_until_epoch_ms: int) -> None:
        """Add several items in one node, due at ``delay_until_epoch_ms`` (taken together)."""
        self._put(delay_prefix(delay_until_epoch_ms), items)

    def put_after(self, item: bytes, delay: float) -> int:
        """Add ``item`` due ``delay`` seconds from now (by this machine's clock); its due time (epoch ms)."""
        due = due_after(check_timeout(delay), now_ms())
        self.put(item, due)
        return due
