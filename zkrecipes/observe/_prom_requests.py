"""``RequestMetrics``: request latency histograms and byte counters, kept cheaply per event.

The per-request path is the hot one, so it does not go through
``prometheus_client``'s locked metric objects: each event adds to plain
counters (a bucket found by bisection, a sum, two byte totals) under one lock,
and a collector turns them into ``HistogramMetricFamily``/``CounterMetricFamily``
at scrape time. Same exposition as a ``Histogram``: cumulative ``_bucket``s with
``le`` (``+Inf`` included), ``_sum``, ``_count``.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["RequestMetrics"]


class RequestMetrics(Collector):
    """``<prefix>_request_duration_seconds{operation, code}``, ``<prefix>_request_bytes_total{direction}``."""

    def __init__(self, prefix: str, buckets: Sequence[float]) -> None:
        self._prefix = prefix
        self._bounds = [float(b) for b in buckets]
        self._lock = threading.Lock()
        self._series: dict[tuple[str, int], list[float]] = {}  # key -> [count per bucket..., +Inf, sum]
        self._sent = 0
        self._received = 0

    def observe(self, operation: str, code: int, seconds: float, sent: int, received: int) -> None:
        index = bisect_left(self._bounds, seconds)
        key = (operation, code)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = [0.0] * (len(self._bounds) + 2)
            series[index] += 1
            series[-1] += seconds
            self._sent += sent
            self._received += received

    def count(self, operation: str, code: int = 0) -> int:
        """Observations of one series (for tests and quick looks)."""
        with self._lock:
            series = self._series.get((operation, code))
            return 0 if series is None else int(sum(series[:-1]))

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            series = {key: list(values) for key, values in self._series.items()}
            sent, received = self._sent, self._received
        histogram = HistogramMetricFamily(
            f"{self._prefix}_request_duration_seconds", "Request latency from submit to reply or failure.",
            labels=["operation", "code"])
        bounds = [repr(b) for b in self._bounds] + ["+Inf"]
        for (operation, code), values in sorted(series.items()):
            cumulative = []
            total = 0.0
            for bound, count in zip(bounds, values[:-1], strict=True):
                total += count
                cumulative.append((bound, total))
            histogram.add_metric([operation, str(code)], cumulative, values[-1])
        yield histogram
        counter = CounterMetricFamily(f"{self._prefix}_request_bytes", "Bytes of request and reply frames.",
                                      labels=["direction"])
        counter.add_metric(["sent"], sent)
        counter.add_metric(["received"], received)
        yield counter

    def describe(self) -> Iterator[Metric]:
        return iter(())
