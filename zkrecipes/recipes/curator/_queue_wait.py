"""Waiting for a queue's children to change: one child watch, a session listener, a deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.exceptions import LockTimeout, NoNodeError
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._session_guard import safe_remove_listener

if TYPE_CHECKING:
    from collections.abc import Callable

    from zkrecipes.recipes._client import Event, RecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["take_when_ready"]


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
