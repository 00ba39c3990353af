"""The adapters without a server: Prometheus exposition, OpenTelemetry spans and metrics, log fields."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from zkrecipes.exceptions import ConnectionLoss
from zkrecipes.observe import (
    CallbackEvent,
    ConnectionEvent,
    ConnectionEventKind,
    RecipeEvent,
    RecipePhase,
    RequestEvent,
    RequestStart,
    WatchEvent,
)
from zkrecipes.observe.log_context import FIELDS, ZkLogFilter, bind_session, install
from zkrecipes.observe.log_observer import LoggingObserver
from zkrecipes.observe.request_stats import RequestStats
from zkrecipes.states import EventType, ZkState


def _request(code: int = 0, error: BaseException | None = None, latency: float = 0.002) -> RequestEvent:
    return RequestEvent("getData", "/a", code, "127.0.0.1:2181", 0x1A, 7, 9, 1.0, latency, 20, 120, error)


class FakeClient:
    name = "fake"
    state: ZkState | None = ZkState.CONNECTED

    def __init__(self) -> None:
        self.stats: RequestStats | None = None

    def request_stats(self, bounds: Sequence[float]) -> RequestStats:
        if self.stats is None:
            self.stats = RequestStats(bounds)
        return self.stats

    def in_flight(self) -> int:
        return 3

    def live_watches(self) -> int:
        return 5

    def queue_depths(self) -> dict[str, int]:
        return {"watch": 2}


def test_prometheus_histograms_counters_and_scrape_time_gauges() -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    from zkrecipes.observe.prometheus import PrometheusObserver

    registry = prometheus_client.CollectorRegistry()
    obs = PrometheusObserver(registry)
    client = FakeClient()
    obs.on_attach(client)
    assert client.stats is not None  # the hub fills it: no event per request
    client.stats.add("getData", 0, 0.002, 20, 120)
    client.stats.add("getData", 0, 0.2, 20, 120)
    client.stats.add("getData", -101, 0.002, 20, 20)
    obs.on_connection(ConnectionEvent(ConnectionEventKind.RECONNECTED, None, 1, 0.0))
    obs.on_connection(ConnectionEvent(ConnectionEventKind.EXPIRED, None, 1, 0.0))
    obs.on_watch(WatchEvent(EventType.CHANGED, "/a", 1, 1, 0.0))
    obs.on_callback(CallbackEvent("watch", 0.5, 0.1, 0, False))
    obs.on_recipe(RecipeEvent("lock", "/l", RecipePhase.ACQUIRED, wait=1.5))
    obs.on_recipe(RecipeEvent("lock", "/l", RecipePhase.LOST, hold=3.0))
    value = registry.get_sample_value
    assert value("zkrecipes_request_duration_seconds_count", {"operation": "getData", "code": "0"}) == 2
    assert value("zkrecipes_request_duration_seconds_bucket",
                 {"operation": "getData", "code": "0", "le": "0.0025"}) == 1
    assert value("zkrecipes_request_duration_seconds_bucket",
                 {"operation": "getData", "code": "0", "le": "+Inf"}) == 2
    total = value("zkrecipes_request_duration_seconds_sum", {"operation": "getData", "code": "0"})
    assert total == pytest.approx(0.202)
    assert value("zkrecipes_request_duration_seconds_count", {"operation": "getData", "code": "-101"}) == 1
    assert value("zkrecipes_request_bytes_total", {"direction": "sent"}) == 60
    assert value("zkrecipes_reconnects_total") == 1 and value("zkrecipes_session_expirations_total") == 1
    assert value("zkrecipes_connection_events_total", {"kind": "expired"}) == 1
    assert value("zkrecipes_watch_events_total", {"type": "CHANGED"}) == 1
    assert value("zkrecipes_callback_wait_seconds_count", {"queue": "watch"}) == 1
    assert value("zkrecipes_recipe_wait_seconds_sum", {"recipe": "lock", "outcome": "acquired"}) == 1.5
    assert value("zkrecipes_recipe_hold_seconds_sum", {"recipe": "lock", "outcome": "lost"}) == 3.0
    assert value("zkrecipes_requests_in_flight") == 3 and value("zkrecipes_watches") == 5
    assert value("zkrecipes_callback_queue_depth", {"queue": "watch"}) == 2
    assert value("zkrecipes_callback_queue_depth", {"queue": "session"}) == 0
    assert value("zkrecipes_session_state", {"state": "CONNECTED"}) == 1
    assert value("zkrecipes_session_state", {"state": "LOST"}) == 0
    text = prometheus_client.generate_latest(registry).decode()
    assert "# TYPE zkrecipes_request_duration_seconds histogram" in text
    obs.on_detach(FakeClient())  # another object: still attached
    assert value("zkrecipes_requests_in_flight") == 3
    obs.on_detach(client)
    assert value("zkrecipes_requests_in_flight") == 0
    assert value("zkrecipes_request_duration_seconds_count", {"operation": "getData", "code": "0"}) is None


def test_opentelemetry_spans_status_and_metrics() -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import StatusCode

    from zkrecipes.observe.otel import OpenTelemetryObserver

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    obs = OpenTelemetryObserver(tracer_provider, MeterProvider(metric_readers=[reader]))
    token = obs.on_request_start(RequestStart("getData", "/a", 1.0))
    obs.on_request(_request(), token)
    token = obs.on_request_start(RequestStart("getData", "/a", 1.0))
    obs.on_request(_request(-4, ConnectionLoss("connection lost before the reply to getData /a")), token)
    token = obs.on_request_start(RequestStart("getData", "/b", 1.0))
    obs.on_request(RequestEvent("getData", "/b", -101, None, 0, 3, 0, 1.0, 0.1, 10, 16), token)
    obs.on_recipe(RecipeEvent("lock", "/l", RecipePhase.FAILED, wait=0.5, error=TimeoutError("t")))
    ok, lost, missing, recipe = exporter.get_finished_spans()
    attrs = dict(ok.attributes or {})
    assert attrs == {"db.system.name": "zookeeper", "db.operation.name": "getData", "zookeeper.path": "/a",
                     "zookeeper.xid": 7, "zookeeper.zxid": 9, "zookeeper.session.id": "0x1a",
                     "server.address": "127.0.0.1", "server.port": 2181, "zookeeper.request.size": 20,
                     "zookeeper.response.size": 120}
    assert ok.status.status_code is StatusCode.UNSET
    assert lost.status.status_code is StatusCode.ERROR
    assert dict(lost.attributes or {})["error.type"] == "ConnectionLoss"
    assert dict(missing.attributes or {})["error.type"] == "NoNodeError"
    assert dict(missing.attributes or {})["db.response.status_code"] == "-101"
    assert recipe.name == "lock acquire" and recipe.status.status_code is StatusCode.ERROR
    assert (recipe.end_time or 0) - (recipe.start_time or 0) == pytest.approx(0.5e9, rel=0.01)
    data = reader.get_metrics_data()
    assert data is not None
    names = {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    assert {"db.client.operation.duration", "zookeeper.recipe.wait"} <= names


class _Parts:
    def __init__(self) -> None:
        self.protocol = type("P", (), {"session_id": 0xABC})()
        self.current_host = "zk1:2181"


class _Session:
    parts = _Parts()


def test_the_log_filter_adds_the_fields_from_the_bound_session_and_keeps_extra() -> None:
    record = logging.LogRecord("zkrecipes.connection", logging.INFO, __file__, 1, "m", None, None)
    ZkLogFilter().filter(record)
    assert all(getattr(record, name) is None for name in FIELDS)  # nothing bound in this context
    import contextvars

    def bound() -> logging.LogRecord:
        bind_session(_Session())
        inner = logging.LogRecord("zkrecipes.connection", logging.INFO, __file__, 1, "m", None, None)
        inner.zk_xid = 12
        ZkLogFilter().filter(inner)
        return inner

    inner = contextvars.copy_context().run(bound)
    assert (inner.zk_session_id, inner.zk_server, inner.zk_xid, inner.zk_operation) == (  # type: ignore[attr-defined]
        "0xabc", "zk1:2181", 12, None)


def test_install_puts_the_filter_on_every_zkrecipes_logger(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("zkrecipes.observe.test-late")
    install()
    install()  # idempotent
    late = logging.getLogger("zkrecipes.observe.test-late")
    assert sum(isinstance(f, ZkLogFilter) for f in late.filters) == 1
    with caplog.at_level(logging.INFO, logger="zkrecipes"):
        late.info("hello")
    assert caplog.records[-1].zk_session_id is None  # type: ignore[attr-defined]


def test_the_logging_observer_gives_request_fields(caplog: pytest.LogCaptureFixture) -> None:
    obs = LoggingObserver()
    with caplog.at_level(logging.DEBUG, logger="zkrecipes.requests"):
        obs.on_request(_request(), None)
        obs.on_request(_request(-101), None)
    ok, failed = caplog.records
    record: Any = ok
    assert (record.zk_xid, record.zk_operation, record.zk_session_id, record.zk_server) == (
        7, "getData", "0x1a", "127.0.0.1:2181")
    assert ok.levelno == logging.DEBUG and failed.levelno == logging.INFO


def test_exists_of_a_missing_node_is_not_a_failed_span() -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import StatusCode

    from zkrecipes.observe.otel import OpenTelemetryObserver

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    obs = OpenTelemetryObserver(provider)
    event = RequestEvent("exists", "/none", -101, None, 0, 3, 0, 1.0, 0.1, 10, 16)
    assert event.ok
    obs.on_request(event, obs.on_request_start(RequestStart("exists", "/none", 1.0)))
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.UNSET
    attrs = dict(span.attributes or {})
    assert attrs["db.response.status_code"] == "-101" and "error.type" not in attrs


def test_start_metrics_server_serves_the_registry() -> None:
    pytest.importorskip("prometheus_client")
    import urllib.request

    from zkrecipes.observe.prometheus import start_metrics_server

    observer, server = start_metrics_server()
    try:
        observer.on_attach(FakeClient())
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        assert "zkrecipes_requests_in_flight 3.0" in text
    finally:
        server.shutdown()
        server.server_close()
