"""``RequestStats``: request latency histograms and byte totals kept by the hub itself.

The per-request path is the hot one. An observer that only needs aggregates
(the Prometheus adapter) asks the client for a ``RequestStats``
(:meth:`~zkrecipes.observe.source.ObservedClient.request_stats`) instead of
overriding ``on_request``: the hub then adds each ended request to plain
counters — a bucket found by bisection, a sum, two byte totals — and builds no
event object for it. :meth:`snapshot` hands the counts out (at scrape time).

Threads: :meth:`add` takes no lock (one costs as much as the rest of it). It is
called on the session's owner side — the I/O loop, which ends every request but
the ones failed by a call racing the end of a run (a ``submit`` just after
``stop``) — so a lost update needs two threads adding at the same instant
during shutdown. Snapshots copy under a lock of their own, between additions
(each list copy is atomic under the GIL).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Sequence

__all__ = ["RequestStats", "Series"]

Series = dict[tuple[str, int], list[float]]
"""``(operation, code)`` → counts per bucket (the last one is +Inf), then the sum of the latencies."""


class RequestStats:
    """Counts per ``(operation, code)`` over fixed ``bounds`` (upper bounds, seconds, ascending)."""

    __slots__ = ("_lock", "_series", "bounds", "received", "sent")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(float(b) for b in bounds)
        if list(self.bounds) != sorted(set(self.bounds)):
            raise ValueError("bucket bounds must be ascending and distinct")
        self._lock = threading.Lock()
        self._series: Series = {}
        self.sent = 0
        self.received = 0

    def add(self, operation: str, code: int, seconds: float, sent: int, received: int) -> None:
        """One ended request (the session's owner side: see the module docstring)."""
        key = (operation, code)
        series = self._series.get(key)
        if series is None:
            series = self._series.setdefault(key, [0.0] * (len(self.bounds) + 2))
        series[bisect_left(self.bounds, seconds)] += 1
        series[-1] += seconds
        self.sent += sent
        self.received += received

    def snapshot(self) -> tuple[Series, int, int]:
        """A copy: ``(series, bytes sent, bytes received)``."""
        with self._lock:
            items = list(self._series.items())
            return {key: list(values) for key, values in items}, self.sent, self.received

    def count(self, operation: str, code: int = 0) -> int:
        """Requests ended so far for one ``(operation, code)``."""
        series = self._series.get((operation, code))
        return 0 if series is None else int(sum(series[:-1]))
