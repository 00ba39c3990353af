"""The sync state stream of the leadership recipes: callbacks and a blocking iterator over a StateFeed.

The buffering policy is :mod:`._state_feed`'s. State callbacks run on the
client handler's WATCH queue (kazoo's "callback queue"; in publication order,
never on the recipe's own worker), or in the publishing thread when the
handler has no queues. ``close()`` publishes CLOSED, wakes every reader (their
iterations end after it) and drops every callback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from zkrecipes.handlers import CallbackKind
from zkrecipes.recipes._checks import check_timeout
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT, StateBuffer, StateFeed

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Event, RecipeClient
    from zkrecipes.recipes.curator.leadership_state import LeadershipState

__all__ = ["LeaderStateStream", "StateCallback"]

log = logging.getLogger(__name__)

#: A state callback: called with each new :class:`LeadershipState`.
StateCallback = Callable[["LeadershipState"], object]


class LeaderStateStream:
    """Publishes a recipe's states to callbacks and iterators (thread-safe)."""

    def __init__(self, client: RecipeClient) -> None:
        self._client = client
        self._lock = client.handler.lock_object()
        self._feed = StateFeed()
        self._wakes: dict[int, tuple[StateBuffer, Event]] = {}
        self._callbacks: list[StateCallback] = []

    @property
    def current(self) -> LeadershipState:
        """The latest state."""
        return self._feed.current

    @property
    def last_epoch(self) -> int | None:
        """The epoch of the last term led (None if none yet)."""
        return self._feed.last_epoch

    def publish(self, state: LeadershipState | None) -> None:
        """Make ``state`` current (None: nothing) and tell the readers and callbacks."""
        if state is None:
            return
        with self._lock:
            if not self._feed.publish(state):
                return
            wakes = [wake for _buffer, wake in self._wakes.values()]
            callbacks = list(self._callbacks)
        for wake in wakes:
            wake.set()
        for callback in callbacks:
            self._dispatch(callback, state)

    def resign(self) -> None:
        """Publish RESIGNED for the current term, if leading."""
        with self._lock:
            state = self._feed.resign()
        self.publish(state)

    def close(self) -> None:
        """Publish CLOSED (the last state) and drop every callback."""
        with self._lock:
            state = self._feed.closing()
        self.publish(state)
        with self._lock:
            self._callbacks.clear()

    def add_callback(self, callback: StateCallback) -> None:
        """Call ``callback(state)`` for every new state (not the current one)."""
        if not callable(callback):
            raise TypeError("callback must be callable")
        with self._lock:
            self._callbacks.append(callback)

    def remove_callback(self, callback: StateCallback) -> None:
        """Stop calling ``callback`` (idempotent)."""
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def iterate(self, timeout: float | None = None, limit: int = DEFAULT_LIMIT) -> Iterator[LeadershipState]:
        """The current state, then each new one; ends after CLOSED or ``timeout`` s without a state."""
        wait = check_timeout(timeout)
        wake = self._client.handler.event_object()
        with self._lock:
            buffer = self._feed.subscribe(limit)
            self._wakes[id(buffer)] = (buffer, wake)
        try:
            while True:
                with self._lock:
                    wake.clear()
                    state = buffer.pop()
                if state is not None:
                    yield state
                    if buffer.ended:
                        return
                    continue
                if not wake.wait(wait):
                    return
        finally:
            with self._lock:
                self._feed.unsubscribe(buffer)
                self._wakes.pop(id(buffer), None)

    def _dispatch(self, callback: StateCallback, state: LeadershipState) -> None:
        dispatch = getattr(self._client.handler, "dispatch_callback", None)
        if dispatch is not None:
            try:
                dispatch(CallbackKind.WATCH, self._call, callback, state)
                return
            except Exception:  # a stopped or foreign handler: call it here
                log.debug("state callback not queued; calling it now", exc_info=True)
        self._call(callback, state)

    @staticmethod
    def _call(callback: StateCallback, state: LeadershipState) -> None:
        try:
            callback(state)
        except Exception:
            log.exception("leadership state callback %r failed", callback)
