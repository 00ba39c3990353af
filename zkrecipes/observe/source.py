"""``ObservedClient``: the gauges a client answers on demand (what an observer may poll)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from zkrecipes.observe.request_stats import RequestStats
from zkrecipes.states import ZkState

__all__ = ["ObservedClient"]


class ObservedClient(Protocol):
    """Read-only, never blocking; safe from any thread (values may be a moment old)."""

    @property
    def name(self) -> str:
        """A label for this client (``hosts`` unless given)."""
        ...

    @property
    def state(self) -> ZkState | None:
        """The last state listeners were told (None before the first)."""
        ...

    def in_flight(self) -> int:
        """Requests submitted and not yet ended."""
        ...

    def live_watches(self) -> int:
        """Registered (kind, path) watches of the session."""
        ...

    def queue_depths(self) -> dict[str, int]:
        """Items waiting or running per callback queue (``session``, ``watch``, ``completion``)."""
        ...

    def request_stats(self, bounds: Sequence[float]) -> RequestStats:
        """Latency histograms (over ``bounds``, seconds) and byte totals of the requests that
        end from now on, kept by the client without an event per request (cheaper than
        ``on_request`` when only aggregates are needed). The same object for the same bounds."""
        ...
