"""``PrometheusObserver``: the client's metrics with ``prometheus_client`` (extra ``prometheus``).

Attach one to any number of clients (``client.add_observer(obs)``); its metrics
live on the ``registry`` given (the default registry otherwise). Histograms
and counters are fed by the hook's events; the gauges (requests in flight,
live watches, callback-queue depth, session state) are read from the attached
clients when the registry is scraped, summed over them. Names and labels:
``docs/observability.md``. :func:`start_metrics_server` serves a registry over
HTTP for a quick look.
"""

from __future__ import annotations

from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from zkrecipes.observe._prom_requests import RequestMetrics
from zkrecipes.observe.callback_event import CallbackEvent
from zkrecipes.observe.connection_event import ConnectionEvent, ConnectionEventKind
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.recipe_event import RecipeEvent, RecipePhase
from zkrecipes.observe.source import ObservedClient
from zkrecipes.observe.watch_event import WatchEvent
from zkrecipes.states import ZkState

__all__ = ["PrometheusObserver", "start_metrics_server"]

#: Request latency buckets, seconds (0.25 ms … 10 s).
REQUEST_BUCKETS = (0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0)
#: Lock and callback-queue buckets, seconds (1 ms … 5 min).
WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0)
_QUEUES = ("session", "watch", "completion")


class _Gauges(Collector):
    """The gauges read from the attached clients at scrape time."""

    def __init__(self, prefix: str, clients: list[ObservedClient]) -> None:
        self._prefix = prefix
        self._clients = clients

    def collect(self) -> Iterator[GaugeMetricFamily]:
        p = self._prefix
        clients = list(self._clients)
        yield GaugeMetricFamily(f"{p}_requests_in_flight", "Requests submitted and not yet ended.",
                                value=sum(c.in_flight() for c in clients))
        yield GaugeMetricFamily(f"{p}_watches", "Watches registered by the sessions ((kind, path) pairs).",
                                value=sum(c.live_watches() for c in clients))
        depth = GaugeMetricFamily(f"{p}_callback_queue_depth", "Callbacks queued or running, per queue.",
                                  labels=["queue"])
        totals = dict.fromkeys(_QUEUES, 0)
        for client in clients:
            for queue, count in client.queue_depths().items():
                totals[queue] = totals.get(queue, 0) + count
        for queue, count in totals.items():
            depth.add_metric([queue], count)
        yield depth
        state = GaugeMetricFamily(f"{p}_session_state", "Clients in each session state (1 client: 1 or 0).",
                                  labels=["state"])
        for value in ZkState:
            state.add_metric([value.value], sum(1 for c in clients if c.state is value))
        yield state

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # collected at scrape time only (the values change)


class PrometheusObserver(Observer):
    """Prometheus metrics of every client it is attached to (see the module docstring)."""

    def __init__(self, registry: CollectorRegistry | None = None, prefix: str = "zkrecipes") -> None:
        self.registry = REGISTRY if registry is None else registry
        self._clients: list[ObservedClient] = []
        reg = self.registry
        p = prefix
        self.requests = RequestMetrics(p, REQUEST_BUCKETS)  # from each client's RequestStats
        reg.register(self.requests)
        self.connection_events = Counter(
            f"{p}_connection_events", "Connections made, resumed or dropped, and sessions expired.",
            ["kind"], registry=reg)
        self.reconnects = Counter(f"{p}_reconnects", "Sessions resumed on a new connection.", registry=reg)
        self.expirations = Counter(f"{p}_session_expirations", "Sessions lost (expired).", registry=reg)
        self.watch_events = Counter(f"{p}_watch_events", "Watch notifications dispatched.", ["type"],
                                    registry=reg)
        self.callback_wait = Histogram(
            f"{p}_callback_wait_seconds", "Time a callback waited in its queue.", ["queue"],
            buckets=WAIT_BUCKETS, registry=reg)
        self.callback_run = Histogram(
            f"{p}_callback_run_seconds", "Time a callback ran.", ["queue"], buckets=WAIT_BUCKETS,
            registry=reg)
        self.recipe_wait = Histogram(
            f"{p}_recipe_wait_seconds", "Time spent acquiring a lock-like recipe.", ["recipe", "outcome"],
            buckets=WAIT_BUCKETS, registry=reg)
        self.recipe_hold = Histogram(
            f"{p}_recipe_hold_seconds", "Time a lock-like recipe was held.", ["recipe", "outcome"],
            buckets=WAIT_BUCKETS, registry=reg)
        reg.register(_Gauges(prefix, self._clients))

    def on_attach(self, client: ObservedClient) -> None:
        self._clients.append(client)
        self.requests.stats.append(client.request_stats(self.requests.bounds))

    def on_detach(self, client: ObservedClient) -> None:
        self._clients[:] = [c for c in self._clients if c is not client]
        stats = client.request_stats(self.requests.bounds)
        self.requests.stats[:] = [s for s in self.requests.stats if s is not stats]

    def on_connection(self, event: ConnectionEvent) -> None:
        self.connection_events.labels(event.kind.value).inc()
        if event.kind is ConnectionEventKind.RECONNECTED:
            self.reconnects.inc()
        elif event.kind is ConnectionEventKind.EXPIRED:
            self.expirations.inc()

    def on_watch(self, event: WatchEvent) -> None:
        self.watch_events.labels(event.type.value).inc()

    def on_callback(self, event: CallbackEvent) -> None:
        self.callback_wait.labels(event.queue).observe(event.wait)
        self.callback_run.labels(event.queue).observe(event.run)

    def on_recipe(self, event: RecipeEvent) -> None:
        if event.phase is RecipePhase.ACQUIRED or event.phase is RecipePhase.FAILED:
            self.recipe_wait.labels(event.recipe, event.phase.value).observe(event.wait)
        else:
            self.recipe_hold.labels(event.recipe, event.phase.value).observe(event.hold)


def start_metrics_server(port: int = 0, addr: str = "127.0.0.1", registry: CollectorRegistry | None = None
                         ) -> tuple[PrometheusObserver, WSGIServer]:
    """A :class:`PrometheusObserver` on ``registry`` (a fresh one by default), served at
    ``http://addr:port/metrics`` by a daemon thread (``port`` 0: any free one, see the
    server's ``server_port``); attach the observer to your clients, ``shutdown()`` the
    server when done."""
    reg = CollectorRegistry() if registry is None else registry
    observer = PrometheusObserver(reg)
    server, _thread = start_http_server(port, addr=addr, registry=reg)
    return observer, server
