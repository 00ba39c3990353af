"""The instrumentation hook against a real server, ``AsyncZkClient``: the same hook, the same events.

Spans per request with the caller task's active span as parent, the error status
on failures; Prometheus counts after a workload with a real expiry and a
contended asyncio lock; callback-queue depth and wait while a (coroutine) watch
callback blocks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")
pytest.importorskip("prometheus_client")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from prometheus_client import CollectorRegistry

from zkrecipes.aio import AsyncZkClient
from zkrecipes.aio.recipes import Lock
from zkrecipes.exceptions import NoNodeError
from zkrecipes.observe.otel import OpenTelemetryObserver
from zkrecipes.observe.prometheus import PrometheusObserver
from zkrecipes.observe.recorder import RecordingObserver
from zkrecipes.testing import expire_session

WAIT = 20.0


async def _until(predicate: Callable[[], bool | Awaitable[bool]], message: str,
                 timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while True:
        outcome = predicate()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        assert time.monotonic() < end, f"{message}: not met in time"
        await asyncio.sleep(0.02)


def _sampler(registry: CollectorRegistry) -> Callable[..., float]:
    def value(name: str, **labels: str) -> float:
        found = registry.get_sample_value(name, labels)
        return 0.0 if found is None else found

    return value


async def test_spans_per_request_with_parent_and_error_status(zk_aio_client: AsyncZkClient) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    zk = zk_aio_client
    zk.add_observer(OpenTelemetryObserver(tracer_provider=provider))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("caller") as caller:
        await zk.create("/aspan", b"v")
        await zk.get("/aspan")
    with pytest.raises(NoNodeError):
        await zk.get("/aspan-missing")
    spans = [s for s in exporter.get_finished_spans() if s.name != "caller"]
    assert [s.name for s in spans] == ["create", "getData", "getData"]
    created, read, failed = spans
    caller_id = caller.get_span_context().span_id
    assert created.parent is not None and created.parent.span_id == caller_id
    assert read.parent is not None and read.parent.span_id == caller_id
    assert failed.parent is None
    attrs = dict(read.attributes or {})
    assert attrs["zookeeper.path"] == "/aspan" and attrs["db.system.name"] == "zookeeper"
    assert attrs["zookeeper.session.id"] == f"0x{zk.client_id[0]:x}"  # type: ignore[index]
    assert int(attrs["zookeeper.xid"]) > 0 and int(attrs["zookeeper.response.size"]) > 20
    assert failed.status.status_code is StatusCode.ERROR
    assert dict(failed.attributes or {})["error.type"] == "NoNodeError"


async def test_prometheus_counts_with_a_real_expiry_and_a_contended_lock(
        zk_aio_client_factory: Any, zk_hosts: str) -> None:
    registry = CollectorRegistry()
    metrics = PrometheusObserver(registry)
    value = _sampler(registry)
    zk = await zk_aio_client_factory(observers=[metrics])
    before = value("zkrecipes_request_duration_seconds_count", operation="create", code="0")
    for n in range(4):
        await zk.create(f"/a{n}", b"v")
    await asyncio.gather(*(zk.get(f"/a{n}") for n in range(4)))
    with pytest.raises(NoNodeError):
        await zk.get("/a-missing")
    count = lambda op, code="0": value("zkrecipes_request_duration_seconds_count", operation=op, code=code)  # noqa: E731
    assert count("create") - before == 4
    assert count("getData") == 4 and count("getData", "-101") == 1
    assert value("zkrecipes_requests_in_flight") == 0.0

    held = Lock(zk, "/aheld", "holder")
    assert await held.acquire(timeout=WAIT)
    old = zk.client_id
    assert old is not None
    expire_session(zk_hosts, old)
    await _until(lambda: zk.connected and zk.client_id is not None and zk.client_id[0] != old[0],
                 "a new session")
    await _until(lambda: value("zkrecipes_session_state", state="CONNECTED") == 1.0, "state gauge")
    assert value("zkrecipes_session_expirations_total") == 1.0
    assert value("zkrecipes_connection_events_total", kind="connected") == 2.0
    await _until(lambda: value("zkrecipes_recipe_hold_seconds_count", recipe="lock", outcome="lost") == 1.0,
                 "the lock lost with the session")
    assert not held.is_acquired

    other = await zk_aio_client_factory(observers=[metrics])
    holder, waiter = Lock(zk, "/alock", "holder"), Lock(other, "/alock", "waiter")
    assert await holder.acquire(timeout=WAIT)
    contending = asyncio.ensure_future(waiter.acquire(timeout=WAIT))

    async def two_contenders() -> bool:
        return len(await zk.get_children("/alock")) == 2

    await _until(two_contenders, "the waiter's node")
    assert not contending.done()
    await holder.release()
    assert await asyncio.wait_for(contending, WAIT)
    await waiter.release()
    assert value("zkrecipes_recipe_wait_seconds_count", recipe="lock", outcome="acquired") == 3.0  # + held
    assert value("zkrecipes_recipe_hold_seconds_count", recipe="lock", outcome="released") == 2.0


async def test_queue_wait_rises_while_a_coroutine_callback_blocks(zk_aio_client_factory: Any) -> None:
    registry = CollectorRegistry()
    recorder = RecordingObserver()
    value = _sampler(registry)
    zk = await zk_aio_client_factory(observers=[recorder, PrometheusObserver(registry)])
    await zk.create("/aq1", b"")
    await zk.create("/aq2", b"")
    entered, gate, done = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def blocker(event: Any) -> None:
        entered.set()
        await gate.wait()

    await zk.get("/aq1", watch=blocker)
    await zk.get("/aq2", watch=lambda event: done.set())
    await zk.set("/aq1", b"x")
    await asyncio.wait_for(entered.wait(), WAIT)
    await zk.set("/aq2", b"x")
    await _until(lambda: value("zkrecipes_callback_queue_depth", queue="watch") == 2.0, "the second queued")
    seen_queued = time.monotonic()
    await asyncio.sleep(0)  # let the loop run: the blocked callback must still hold the queue
    released = time.monotonic()
    gate.set()
    await asyncio.wait_for(done.wait(), WAIT)
    await _until(lambda: value("zkrecipes_callback_queue_depth", queue="watch") == 0.0, "drained")
    first, second = [e for e in recorder.callbacks if e.queue == "watch"][-2:]
    assert first.depth == 1 and not first.failed
    assert second.wait >= released - seen_queued > 0
    assert first.run >= released - seen_queued  # the awaited coroutine is part of its run time
    assert value("zkrecipes_callback_wait_seconds_count", queue="watch") >= 2.0
