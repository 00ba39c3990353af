"""The instrumentation hook against a real server, ``ZkClient`` (threading / gevent handlers).

OpenTelemetry (an in-memory exporter): one span per request with its attributes,
the error status on failures, the caller's active span as parent. Prometheus (a
fresh registry, scraped): exact counts after a scripted workload with a real
session expiry and a contended lock; callback-queue depth and wait while a
watch callback blocks. Structured log fields on the client's records.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from _waits import WAIT, wait_until

pytest.importorskip("opentelemetry.sdk")
pytest.importorskip("prometheus_client")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import CollectorRegistry, generate_latest

from zkrecipes.exceptions import NoNodeError
from zkrecipes.observe.log_observer import LoggingObserver
from zkrecipes.observe.otel import OpenTelemetryObserver
from zkrecipes.observe.prometheus import PrometheusObserver
from zkrecipes.observe.recorder import RecordingObserver
from zkrecipes.recipes.lock import Lock
from zkrecipes.testing.expiry import expire_session


def _tracing() -> tuple[OpenTelemetryObserver, InMemorySpanExporter, TracerProvider]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return OpenTelemetryObserver(tracer_provider=provider), exporter, provider


def _sampler(registry: CollectorRegistry) -> Callable[..., float]:
    def value(name: str, **labels: str) -> float:
        found = registry.get_sample_value(name, labels)
        return 0.0 if found is None else found

    return value


def test_one_span_per_request_with_its_attributes_and_error_status(zk_client_factory: Any) -> None:
    observer, exporter, _provider = _tracing()
    client = zk_client_factory()
    client.add_observer(observer)
    client.create("/span", b"v")
    client.get("/span")
    with pytest.raises(NoNodeError):
        client.get("/span-missing")
    assert client.remove_observer(observer)
    client.exists("/span")  # not observed any more
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["create", "getData", "getData"]
    session_id = f"0x{client.client_id[0]:x}"
    for span, path in zip(spans, ["/span", "/span", "/span-missing"], strict=True):
        attrs = dict(span.attributes or {})
        assert span.kind is SpanKind.CLIENT
        assert attrs["db.system.name"] == "zookeeper"
        assert attrs["db.operation.name"] == span.name
        assert attrs["zookeeper.path"] == path  # the client's path: chroot removed
        assert attrs["zookeeper.session.id"] == session_id
        assert attrs["server.address"] == "127.0.0.1" and isinstance(attrs["server.port"], int)
        assert int(attrs["zookeeper.xid"]) > 0
        assert int(attrs["zookeeper.request.size"]) > 0 and int(attrs["zookeeper.response.size"]) >= 20
    ok_create, ok_get, failed = spans
    assert ok_create.status.status_code is StatusCode.UNSET and ok_get.status.status_code is StatusCode.UNSET
    assert int(dict(ok_create.attributes or {})["zookeeper.zxid"]) > 0
    assert failed.status.status_code is StatusCode.ERROR
    failed_attrs = dict(failed.attributes or {})
    assert failed_attrs["db.response.status_code"] == "-101"
    assert failed_attrs["error.type"] == "NoNodeError"


def test_the_callers_active_span_is_the_parent_captured_at_call_time(zk_client_factory: Any) -> None:
    observer, exporter, provider = _tracing()
    client = zk_client_factory(observers=[observer])
    client.ensure_path("/parent")
    exporter.clear()
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("caller") as caller:
        client.get("/parent")
        pending = client.get_async("/parent")  # its reply is read after the caller's span ended
    pending.get(timeout=WAIT)
    client.get("/parent")  # no active span: a root span
    spans = [s for s in exporter.get_finished_spans() if s.name == "getData"]
    assert len(spans) == 3
    first, second, orphan = spans
    caller_id = caller.get_span_context().span_id
    assert first.parent is not None and first.parent.span_id == caller_id
    assert second.parent is not None and second.parent.span_id == caller_id
    assert first.context.trace_id == caller.get_span_context().trace_id
    assert orphan.parent is None


def test_prometheus_counts_after_a_workload_with_a_real_expiry_and_a_contended_lock(
        zk_client_factory: Any, zk_hosts: str) -> None:
    registry = CollectorRegistry()
    metrics = PrometheusObserver(registry)
    value = _sampler(registry)
    client = zk_client_factory(observers=[metrics])
    before = {op: value("zkrecipes_request_duration_seconds_count", operation=op, code="0")
              for op in ("create", "getData", "setData")}
    assert value("zkrecipes_session_state", state="CONNECTED") == 1.0
    assert value("zkrecipes_connection_events_total", kind="connected") == 1.0
    for n in range(5):
        client.create(f"/w{n}", b"v")
    for n in range(10):
        client.get(f"/w{n % 5}")
    with pytest.raises(NoNodeError):
        client.get("/w-missing")
    fired = client.handler.event_object()
    client.get("/w0", watch=lambda event: fired.set())
    assert value("zkrecipes_watches") == 1.0
    client.set("/w0", b"changed")
    assert fired.wait(WAIT)
    wait_until(client, lambda: value("zkrecipes_watch_events_total", type="CHANGED") == 1.0,
               message="watch count")
    count = lambda op, code="0": value("zkrecipes_request_duration_seconds_count", operation=op, code=code)  # noqa: E731
    assert count("create") - before["create"] == 5
    assert count("getData") - before["getData"] == 11  # 10, and the one that set the watch
    assert count("getData", "-101") == 1
    assert count("setData") - before["setData"] == 1
    assert value("zkrecipes_requests_in_flight") == 0.0 and value("zkrecipes_watches") == 0.0
    assert value("zkrecipes_request_bytes_total", direction="sent") > 0
    assert value("zkrecipes_request_bytes_total", direction="received") > 0

    held = Lock(client, "/held-through-expiry", "holder")
    assert held.acquire(timeout=WAIT)
    old_session = client.client_id[0]
    expire_session(zk_hosts, client.client_id)
    wait_until(client, lambda: client.connected and client.client_id is not None
               and client.client_id[0] != old_session, message="a new session")
    wait_until(client, lambda: value("zkrecipes_session_state", state="CONNECTED") == 1.0, message="state")
    assert value("zkrecipes_session_expirations_total") == 1.0
    assert value("zkrecipes_connection_events_total", kind="expired") == 1.0
    assert value("zkrecipes_connection_events_total", kind="connected") == 2.0
    assert value("zkrecipes_session_state", state="LOST") == 0.0
    lost = lambda: value("zkrecipes_recipe_hold_seconds_count", recipe="lock", outcome="lost")  # noqa: E731
    wait_until(client, lambda: lost() == 1.0, message="the lock lost with the session")
    assert not held.is_acquired

    other = zk_client_factory(observers=[metrics])
    holder, waiter = Lock(client, "/lock", "holder"), Lock(other, "/lock", "waiter")
    assert holder.acquire(timeout=WAIT)
    acquired = other.handler.event_object()
    outcome: list[bool] = []

    def contend() -> None:
        outcome.append(waiter.acquire(timeout=WAIT))
        acquired.set()

    other.handler.spawn(contend)
    wait_until(client, lambda: len(client.get_children("/lock")) == 2, message="the waiter's node")
    assert not acquired.is_set()
    holder.release()
    assert acquired.wait(WAIT) and outcome == [True]
    waiter.release()
    assert value("zkrecipes_recipe_wait_seconds_count", recipe="lock", outcome="acquired") == 3.0  # + held
    assert value("zkrecipes_recipe_hold_seconds_count", recipe="lock", outcome="released") == 2.0
    assert value("zkrecipes_recipe_wait_seconds_count", recipe="lock", outcome="failed") == 0.0


def test_queue_wait_rises_while_a_callback_blocks(zk_client_factory: Any) -> None:
    registry = CollectorRegistry()
    recorder = RecordingObserver()
    value = _sampler(registry)
    client = zk_client_factory(observers=[recorder, PrometheusObserver(registry)])
    client.create("/q1", b"")
    client.create("/q2", b"")
    entered, gate, done = (client.handler.event_object() for _ in range(3))

    def blocker(event: Any) -> None:
        entered.set()
        gate.wait(WAIT)

    client.get("/q1", watch=blocker)
    client.get("/q2", watch=lambda event: done.set())
    waited_before = value("zkrecipes_callback_wait_seconds_count", queue="watch")
    client.set("/q1", b"x")
    assert entered.wait(WAIT)
    client.set("/q2", b"x")
    wait_until(client, lambda: value("zkrecipes_callback_queue_depth", queue="watch") == 2.0,
               message="the second watch callback queued behind the blocked one")
    seen_queued = time.monotonic()
    exposition = generate_latest(registry).decode()  # what an operator scraping now would see
    assert 'zkrecipes_callback_queue_depth{queue="watch"} 2.0' in exposition
    released = time.monotonic()
    gate.set()
    assert done.wait(WAIT)
    wait_until(client, lambda: value("zkrecipes_callback_queue_depth", queue="watch") == 0.0,
               message="drained")
    assert value("zkrecipes_callback_wait_seconds_count", queue="watch") - waited_before == 2.0
    with recorder.lock:
        first, second = [e for e in recorder.callbacks if e.queue == "watch"][-2:]
    assert first.depth == 1  # the second was still queued when the blocker returned
    # Queued before ``seen_queued``, started after ``released``: it waited at least that long.
    assert second.wait >= released - seen_queued > 0
    assert first.run >= released - seen_queued


def test_log_records_carry_the_session_and_request_fields(
        zk_client_factory: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="zkrecipes"):
        client = zk_client_factory(observers=[LoggingObserver()])
        client.get("/")
    session_id = f"0x{client.client_id[0]:x}"
    connected = [r for r in caplog.records
                 if r.name == "zkrecipes.connection" and "connected to" in r.getMessage()]
    assert connected and connected[-1].zk_session_id == session_id  # type: ignore[attr-defined]
    assert connected[-1].zk_server is not None  # type: ignore[attr-defined]
    requests = [r for r in caplog.records if r.name == "zkrecipes.requests"]
    (get,) = [r for r in requests if r.zk_operation == "getData"]  # type: ignore[attr-defined]
    assert get.zk_xid > 0 and get.zk_session_id == session_id  # type: ignore[attr-defined]
    for record in caplog.records:
        if record.name.startswith("zkrecipes"):
            assert hasattr(record, "zk_session_id") and hasattr(record, "zk_xid")


def test_an_election_reports_its_leadership_as_election_events(zk_client: Any) -> None:
    recorder = RecordingObserver()
    zk_client.add_observer(recorder)
    led: list[str] = []
    zk_client.Election("/observed-election", "me").run(led.append, "term")
    assert led == ["term"]
    mine = [e for e in recorder.snapshot("recipes") if getattr(e, "path", None) == "/observed-election"]
    assert [(e.recipe, e.phase.value) for e in mine] == [  # type: ignore[attr-defined]
        ("election", "acquired"), ("election", "released")]
