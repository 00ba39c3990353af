"""Waiting for a queue's items: watches, a session listener, a delay queue's next due time, a deadline."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, TypeVar

from zkrecipes.exceptions import ConnectionClosedError, LockTimeout, NoNodeError
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._queue_engine import now_ms
from zkrecipes.recipes.curator._queue_steps import within

if TYPE_CHECKING:
    from collections.abc import Callable

    from zkrecipes.recipes._client import Event, RecipeClient
    from zkrecipes.recipes.curator._queue_engine import QueueEngine
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["look_bound", "seconds_until", "take_when_ready", "wait_for"]

_T = TypeVar("_T")


def take_when_ready(client: RecipeClient, path: str, deadline: Deadline,
                    attempt: Callable[[list[str]], bytes | None]) -> bytes | None:
    """List ``path`` (with a watch) and call ``attempt(children)`` until it returns an item.

    Waits for the watch (or a session change) between listings; None once
    ``deadline`` passes. A missing ``path`` counts as empty.
    """
    wake = client.handler.event_object()

    def changed(event: WatchedEvent) -> None:
        wake.set()

    def on_state(state: ZkState) -> None:
        wake.set()

    client.add_listener(on_state)
    try:
        return _loop(client, path, deadline, attempt, wake, changed)
    except LockTimeout:
        return None
    finally:
        safe_remove_listener(client, on_state)


def _loop(client: RecipeClient, path: str, deadline: Deadline, attempt: Callable[[list[str]], bytes | None],
          wake: Event, changed: Callable[[WatchedEvent], None]) -> bytes | None:
    while True:
        wake.clear()
        try:
            children = bounded(client.get_children_async(path, watch=changed), deadline, f"take from {path}")
        except NoNodeError:
            bounded(client.exists_async(path, watch=changed), deadline, f"take from {path}")
            children = []
        item = attempt(children)
        if item is not None:
            return item
        if not wake.wait(deadline.remaining()) and deadline.expired():
            return None


def seconds_until(due_ms: int | None, deadline: Deadline, now: int) -> float | None:
    """How long to wait: until the deadline or the next due time (epoch ms), whichever is first."""
    remaining = deadline.remaining()
    if due_ms is None:
        return remaining
    until = max(0.0, (due_ms - now) / 1000.0)
    return until if remaining is None else min(remaining, until)


def look_bound(deadline: Deadline, first: bool, connected: bool) -> Deadline | None:
    """What bounds a round's listing: the deadline, except a first look with no time left while connected.

    ``take(timeout=0)`` still looks once: its first listing waits for the
    reply of a connected server (under the client's retry policy). Later
    rounds, and a first one while disconnected, are bounded by the deadline.
    """
    return None if first and connected and deadline.expired() else deadline


def wait_for(engine: QueueEngine, deadline: Deadline,
             attempt: Callable[[str, Callable[[WatchedEvent], None]], _T | None],
             undo: Callable[[_T], object] | None = None) -> _T | None:
    """Call ``attempt(name, watch)`` on each ready item name in order until one answers; None at the deadline.

    With ``undo``, each attempt is bounded by the deadline too (:func:`._queue_steps.within`:
    an attempt cut short is undone with ``undo`` once it ends).

    Between rounds it waits — no polling — for the first of: a child watch on
    the queue, a watch on a lock node someone else holds, a session state
    change, the earliest due time of a delay queue's item, or the deadline.
    """
    client = engine.client
    wake = client.handler.event_object()

    def changed(event: WatchedEvent) -> None:
        wake.set()

    def on_state(state: ZkState) -> None:
        wake.set()

    client.add_listener(on_state)
    first = True
    try:
        while True:
            wake.clear()
            try:
                bound, first = look_bound(deadline, first, client.connected), False
                names, later = engine.ready(changed, bound)
                for name in names:
                    if undo is None:
                        got = attempt(name, changed)
                    else:
                        got = within(client, bound, functools.partial(attempt, name, changed), undo)
                    if got is not None:
                        return got
            except LockTimeout:
                return None
            except RETRYABLE as error:  # disconnected: wait for a state change (a second at most)
                if isinstance(error, ConnectionClosedError):
                    raise
                later = now_ms() + 1000
            if deadline.expired():
                return None
            if not wake.wait(seconds_until(later, deadline, now_ms())) and deadline.expired():
                return None
    finally:
        safe_remove_listener(client, on_state)
