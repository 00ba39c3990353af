"""``RecordingObserver``: keeps every event it is told, in order (tests, debugging)."""

from __future__ import annotations

import threading
from typing import Any

from zkrecipes.observe.callback_event import CallbackEvent
from zkrecipes.observe.connection_event import ConnectionEvent
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.recipe_event import RecipeEvent
from zkrecipes.observe.request_event import RequestEvent
from zkrecipes.observe.request_start import RequestStart
from zkrecipes.observe.state_event import StateEvent
from zkrecipes.observe.watch_event import WatchEvent

__all__ = ["RecordingObserver"]


class RecordingObserver(Observer):
    """Every event, per kind, in arrival order (``starts``, ``requests``, ``states``,
    ``connections``, ``watches``, ``callbacks``, ``recipes``). Lists are appended under
    ``lock``: hold it (or take a :meth:`snapshot`) to read them while clients run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.starts: list[RequestStart] = []
        self.requests: list[RequestEvent] = []
        self.states: list[StateEvent] = []
        self.connections: list[ConnectionEvent] = []
        self.watches: list[WatchEvent] = []
        self.callbacks: list[CallbackEvent] = []
        self.recipes: list[RecipeEvent] = []

    def snapshot(self, kind: str) -> list[object]:
        """A copy of one list (``"requests"``, ``"states"`` ...)."""
        with self.lock:
            return list(getattr(self, kind))

    def _add(self, target: list[Any], event: object) -> None:
        with self.lock:
            target.append(event)

    def on_request_start(self, start: RequestStart) -> object:
        self._add(self.starts, start)
        return start

    def on_request(self, event: RequestEvent, token: object) -> None:
        self._add(self.requests, event)

    def on_state(self, event: StateEvent) -> None:
        self._add(self.states, event)

    def on_connection(self, event: ConnectionEvent) -> None:
        self._add(self.connections, event)

    def on_watch(self, event: WatchEvent) -> None:
        self._add(self.watches, event)

    def on_callback(self, event: CallbackEvent) -> None:
        self._add(self.callbacks, event)

    def on_recipe(self, event: RecipeEvent) -> None:
        self._add(self.recipes, event)
