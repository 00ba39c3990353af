"""``RequestMetrics``: the request histogram and byte counters, read from the clients' stats at scrape.

Each attached client keeps a :class:`~zkrecipes.observe.request_stats.RequestStats`
(the hub fills it without building an event per request); this collector sums
them into ``<prefix>_request_duration_seconds{operation, code}`` (the exposition
of a ``Histogram``: cumulative ``_bucket``s with ``le`` and ``+Inf``, ``_sum``,
``_count``) and ``<prefix>_request_bytes_total{direction}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from zkrecipes.observe.request_stats import RequestStats, Series

__all__ = ["RequestMetrics"]


class RequestMetrics(Collector):
    """Sums the stats of the clients attached (see the module docstring)."""

    def __init__(self, prefix: str, bounds: Sequence[float]) -> None:
        self._prefix = prefix
        self.bounds = tuple(float(b) for b in bounds)
        self.stats: list[RequestStats] = []

    def collect(self) -> Iterator[Metric]:
        total: Series = {}
        sent = received = 0
        for stats in list(self.stats):
            series, s, r = stats.snapshot()
            sent += s
            received += r
            for key, values in series.items():
                into = total.setdefault(key, [0.0] * len(values))
                for index, value in enumerate(values):
                    into[index] += value
        histogram = HistogramMetricFamily(
            f"{self._prefix}_request_duration_seconds", "Request latency from submit to reply or failure.",
            labels=["operation", "code"])
        bounds = [repr(b) for b in self.bounds] + ["+Inf"]
        for (operation, code), values in sorted(total.items()):
            cumulative = []
            running = 0.0
            for bound, count in zip(bounds, values[:-1], strict=True):
                running += count
                cumulative.append((bound, running))
            histogram.add_metric([operation, str(code)], cumulative, values[-1])
        yield histogram
        counter = CounterMetricFamily(f"{self._prefix}_request_bytes", "Bytes of request and reply frames.",
                                      labels=["direction"])
        counter.add_metric(["sent"], sent)
        counter.add_metric(["received"], received)
        yield counter

    def describe(self) -> Iterator[Metric]:
        return iter(())
