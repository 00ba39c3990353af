"""``StateListeners``: the client's session-state listeners, an insertion-ordered set.

Listeners are called in registration order with each :class:`ZkState`, on the
handler's SESSION queue (never on the I/O side); one that returns True is
removed; one that raises is logged and kept. Add and remove are O(1), so
thousands of recipe listeners cost nothing per change.

Listeners hear only real changes, as kazoo's: a state equal to the last one
fired is not fired again, and the first state before any is LOST (kazoo's
initial state), so a client that never connected tells them nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from zkrecipes.exceptions import InvalidCallableError
from zkrecipes.states import ZkState

__all__ = ["StateListeners"]

Listener = Callable[[ZkState], Any]


class StateListeners:
    """The registry; :meth:`fire` is what the SESSION queue runs for one change."""

    __slots__ = ("_last", "_listeners", "_logger")

    def __init__(self, logger: logging.Logger) -> None:
        self._listeners: dict[Listener, None] = {}
        self._logger = logger
        self._last = ZkState.LOST

    def add(self, listener: Listener) -> None:
        """Register ``listener`` (once; a second add keeps its first place)."""
        if not callable(listener):
            raise InvalidCallableError("listener must be callable")
        self._listeners.setdefault(listener, None)

    def remove(self, listener: Listener) -> None:
        """Forget ``listener`` (no error if absent)."""
        self._listeners.pop(listener, None)

    def snapshot(self) -> list[Listener]:
        """The registered listeners, in order (a copy)."""
        return list(self._listeners)

    def fire(self, state: ZkState) -> None:
        """Call every listener with ``state`` unless it is the last state fired; drop those that return True.

        Runs on the SESSION queue only (one at a time), so ``_last`` needs no lock.
        """
        if state == self._last:
            return
        self._last = state
        for listener in list(self._listeners):
            try:
                if listener(state) is True:
                    self.remove(listener)
            except Exception:
                self._logger.exception("error in state listener %r", listener)
