"""A queue's consumer thread in Curator's style: ``consumer(item)`` called for each item as it comes.

One daemon thread per started queue. Each round clears its wake-up event,
lists the queue with a child watch, and hands every item that is ready (in
the queue's order) to the consumer; then it waits for the first of: a child
watch, a watch on a lock node another consumer holds, a session state change,
a delay queue's next due time, or :meth:`ConsumerLoop.close`. No polling.

A change seen while handing items over ends the round early, so a more
urgent item put (or requeued) meanwhile is taken next.

Errors: a consumer's exception is logged; with a lock path the item is
requeued or deleted per :class:`ErrorMode`, without one it is already gone. A
ZooKeeper error in a round (connection loss while SUSPENDED, ...) is logged at
debug level and the round is tried again after the next state change (or a
second at most).

:meth:`close` stops the thread (after the item in progress; called from the
consumer callable itself it does not wait), removes the state
listener and every watch this loop set (apache/curator#1292: nothing is left
behind), and is idempotent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import ZkException
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._queue_engine import now_ms
from zkrecipes.recipes.curator._queue_wait import seconds_until
from zkrecipes.recipes.curator.queue_error_mode import ErrorMode

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Joinable
    from zkrecipes.recipes.curator._queue_engine import QueueEngine
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["ConsumerLoop"]

log = logging.getLogger(__name__)

#: The longest pause after a failed round when no state change wakes the loop sooner.
ERROR_PAUSE = 1.0


class ConsumerLoop:
    """Calls ``consumer(item)`` for each item of ``engine``'s queue on a thread of its own."""

    def __init__(self, engine: QueueEngine, consumer: Callable[[bytes], Any], error_mode: ErrorMode) -> None:
        self.engine = engine
        self.consumer = consumer
        self.error_mode = error_mode
        client = engine.client
        self._wake = client.handler.event_object()
        self._closed = False
        self._thread: Joinable | None = None
        self._worker_ident: int | None = None
        self._watched: set[str] = set()
        self._guard = client.handler.lock_object()

    def start(self) -> None:
        """Start the thread (once)."""
        with self._guard:
            if self._thread is not None or self._closed:
                raise RuntimeError("the queue consumer was already started")
            self.engine.client.add_listener(self._on_state)
            self._thread = self.engine.client.handler.spawn(self._run)

    def close(self, timeout: float | None = 30.0) -> None:
        """Stop the thread (waiting up to ``timeout`` s for the item in progress); drop listener, watches."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        self._wake.set()
        if thread is not None and threading.get_ident() != self._worker_ident:
            thread.join(timeout)  # (not from the consumer callable itself: it returns to a stopped loop)
        client = self.engine.client
        safe_remove_listener(client, self._on_state)
        with self._guard:
            watched, self._watched = set(self._watched), set()
        for path in watched:
            try:
                client.remove_watches(path, self._changed, WatcherType.ANY)
            except ZkException:
                pass  # fired already, or disconnected: a one-shot watch dies with its firing or the session

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    # ------------------------------------------------------------------ thread

    def _changed(self, event: WatchedEvent) -> None:
        with self._guard:
            self._watched.discard(event.path)  # a one-shot watch that fired is no longer ours to remove
        self._wake.set()

    def _on_state(self, state: ZkState) -> None:
        self._wake.set()

    def _watch(self, path: str) -> Callable[[WatchedEvent], Any]:
        with self._guard:
            self._watched.add(path)
        return self._changed

    def _run(self) -> None:
        self._worker_ident = threading.get_ident()
        while not self._closed:
            self._wake.clear()
            try:
                later = self._round()
            except ZkException as error:
                log.debug("queue consumer of %s: round failed (%r); trying again", self.engine.path, error)
                self._wake.wait(ERROR_PAUSE)
                continue
            except Exception:
                log.exception("queue consumer of %s: round failed; trying again", self.engine.path)
                self._wake.wait(ERROR_PAUSE)
                continue
            if not self._closed:
                self._wake.wait(seconds_until(later, Deadline(None), now_ms()))

    def _round(self) -> int | None:
        engine = self.engine
        names, later = engine.ready(self._watch(engine.path))
        for name in names:
            if self._closed or self._wake.is_set():
                break  # the queue changed (or a lock went): list it again first, as Curator's refreshOnWatch
            watch: Callable[[WatchedEvent], Any] = self._changed
            if engine.locks is not None:
                watch = self._watch(join_path(engine.locks.lock_path, name))
            engine.take(name, self._hand_over, watch)
        return later

    def _hand_over(self, items: list[bytes]) -> bool:
        for item in items:
            try:
                self.consumer(item)
            except Exception:
                log.exception("queue consumer of %s failed on an item", self.engine.path)
                if self.engine.locks is not None and self.error_mode is ErrorMode.REQUEUE:
                    return True
        return False
