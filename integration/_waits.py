"""Bounded waits shared by the client and the recipe integration tests.

Every wait uses the client's own handler (``handler.sleep_func``,
``handler.event_object()``, ``handler.lock_object()``) so that, with the gevent
handler in an unpatched process, the hub keeps running while a test waits (a
plain ``threading.Event.wait`` would block the hub and with it the client's
I/O loop). Import it as ``from _waits import …``: integration/ is on sys.path
because of integration/conftest.py, as each test folder is for its own helpers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")

#: Default bound for waits on events the server or the client must produce.
WAIT = 30.0


def wait_until(client: Any, predicate: Callable[[], bool], timeout: float = WAIT,
               message: str = "condition", interval: float = 0.02) -> None:
    """Poll ``predicate`` (sleeping with the client's handler) until true; else AssertionError."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")
        client.handler.sleep_func(interval)


class Recorder(Generic[T]):
    """Collects what callbacks hand it (call it, or ``add``); waits on the handler's event.

    ``wait_timeout`` is the bound used when a wait is given no ``timeout``.
    """

    wait_timeout: ClassVar[float] = WAIT

    def __init__(self, client: Any) -> None:
        self.items: list[T] = []
        self._event = client.handler.event_object()
        self._lock = client.handler.lock_object()

    def add(self, item: T) -> None:
        """Record ``item`` and wake a waiter."""
        with self._lock:
            self.items.append(item)
        self._event.set()

    def __call__(self, item: T) -> None:
        """Record ``item`` (usable directly as a watch callback or listener)."""
        self.add(item)

    def snapshot(self) -> list[T]:
        """A copy of the items recorded so far."""
        with self._lock:
            return list(self.items)

    def wait_for(self, predicate: Callable[[list[T]], bool], timeout: float | None = None,
                 message: str = "recorded items") -> list[T]:
        """Return the items once ``predicate(items)`` holds; AssertionError after ``timeout``."""
        limit = self.wait_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            self._event.clear()
            items = self.snapshot()
            if predicate(items):
                return items
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {message}; got {items!r}")
            self._event.wait(min(remaining, 0.5))

    def wait_count(self, count: int, timeout: float | None = None) -> list[T]:
        """Wait until at least ``count`` items were recorded."""
        return self.wait_for(lambda items: len(items) >= count, timeout, f"{count} item(s)")
