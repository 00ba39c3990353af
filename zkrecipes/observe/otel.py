"""``OpenTelemetryObserver``: spans and metrics with the OpenTelemetry API (extra ``otel``).

One CLIENT span per request, started when the request is submitted (in the
caller's thread or task, so the caller's active span is its parent) and ended
at its reply or failure, with the error status on failure; one span per
lock-like recipe acquisition (its wait), ended when it is held or given up.
Attributes follow the OpenTelemetry semantic conventions where one exists
(``db.system.name``, ``db.operation.name``, ``db.response.status_code``,
``error.type``, ``server.address``, ``server.port``) and use the ``zookeeper.*``
namespace for the rest; metrics: ``db.client.operation.duration`` plus
``zookeeper.client.*``. The table is in ``docs/observability.md``.

Only ``opentelemetry-api`` is needed; without an SDK configured the spans and
instruments are no-ops.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from zkrecipes.exceptions import make_error
from zkrecipes.observe.callback_event import CallbackEvent
from zkrecipes.observe.connection_event import ConnectionEvent
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.recipe_event import RecipeEvent, RecipePhase
from zkrecipes.observe.request_event import RequestEvent
from zkrecipes.observe.request_start import RequestStart
from zkrecipes.observe.watch_event import WatchEvent

__all__ = ["SYSTEM", "OpenTelemetryObserver"]

SYSTEM = "zookeeper"
"""The ``db.system.name`` value (ZooKeeper is not among the well-known values: a custom one)."""

_SCOPE = "zkrecipes"


def _server(attributes: dict[str, Any], server: str | None) -> None:
    if server is None:
        return
    host, _, port = server.rpartition(":")
    attributes["server.address"] = host.strip("[]")
    if port.isdigit():
        attributes["server.port"] = int(port)


class OpenTelemetryObserver(Observer):
    """Spans and metrics of every client it is attached to (see the module docstring)."""

    def __init__(self, tracer_provider: trace.TracerProvider | None = None,
                 meter_provider: metrics.MeterProvider | None = None) -> None:
        from zkrecipes import __version__

        self.tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider)
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider)
        self.duration = meter.create_histogram(
            "db.client.operation.duration", unit="s", description="Duration of ZooKeeper requests.")
        self.connection_events = meter.create_counter(
            "zookeeper.client.connection.events", unit="{event}",
            description="Connections made, resumed or dropped, and sessions expired.")
        self.watch_events = meter.create_counter(
            "zookeeper.client.watch.events", unit="{event}", description="Watch notifications dispatched.")
        self.callback_wait = meter.create_histogram(
            "zookeeper.client.callback.wait", unit="s", description="Time a callback waited in its queue.")
        self.recipe_wait = meter.create_histogram(
            "zookeeper.recipe.wait", unit="s", description="Time spent acquiring a lock-like recipe.")
        self.recipe_hold = meter.create_histogram(
            "zookeeper.recipe.hold", unit="s", description="Time a lock-like recipe was held.")

    # ------------------------------------------------------------ requests

    def on_request_start(self, start: RequestStart) -> object:
        attributes: dict[str, Any] = {"db.system.name": SYSTEM, "db.operation.name": start.operation}
        if start.path is not None:
            attributes["zookeeper.path"] = start.path
        return self.tracer.start_span(start.operation, kind=SpanKind.CLIENT, attributes=attributes)

    def on_request(self, event: RequestEvent, token: object) -> None:
        metric: dict[str, Any] = {"db.system.name": SYSTEM, "db.operation.name": event.operation}
        error_type = None
        if not event.ok:
            error_type = type(event.error if event.error is not None else make_error(event.code)).__name__
            metric["error.type"] = error_type
        if event.code:
            metric["db.response.status_code"] = str(event.code)
        self.duration.record(event.latency, metric)
        span = token
        if not isinstance(span, trace.Span) or not span.is_recording():
            return
        attributes: dict[str, Any] = {"zookeeper.xid": event.xid, "zookeeper.request.size": event.bytes_sent,
                                      "zookeeper.response.size": event.bytes_received}
        if event.zxid:
            attributes["zookeeper.zxid"] = event.zxid
        if event.session_id:
            attributes["zookeeper.session.id"] = f"0x{event.session_id:x}"
        _server(attributes, event.server)
        if error_type is not None:
            attributes["error.type"] = error_type
        if event.code:
            attributes["db.response.status_code"] = str(event.code)
        span.set_attributes(attributes)
        if error_type is not None:
            if event.error is not None:
                span.record_exception(event.error)
            description = str(event.error) if event.error is not None else error_type
            span.set_status(Status(StatusCode.ERROR, description))
        span.end()

    # ------------------------------------------------------------ the rest

    def on_connection(self, event: ConnectionEvent) -> None:
        self.connection_events.add(1, {"zookeeper.connection.event": event.kind.value})

    def on_watch(self, event: WatchEvent) -> None:
        self.watch_events.add(1, {"zookeeper.watch.event.type": event.type.value})

    def on_callback(self, event: CallbackEvent) -> None:
        self.callback_wait.record(event.wait, {"zookeeper.callback.queue": event.queue})

    def on_recipe(self, event: RecipeEvent) -> None:
        attributes = {"zookeeper.recipe.name": event.recipe, "zookeeper.recipe.outcome": event.phase.value}
        if event.phase is RecipePhase.ACQUIRED or event.phase is RecipePhase.FAILED:
            self.recipe_wait.record(event.wait, attributes)
            end = time.time_ns()
            span = self.tracer.start_span(
                f"{event.recipe} acquire", kind=SpanKind.INTERNAL, start_time=end - int(event.wait * 1e9),
                attributes={**attributes, "zookeeper.path": event.path, "db.system.name": SYSTEM})
            if event.phase is RecipePhase.FAILED:
                if event.error is not None:
                    span.record_exception(event.error)
                    span.set_attribute("error.type", type(event.error).__name__)
                span.set_status(Status(StatusCode.ERROR, "not acquired"))
            span.end(end)
        else:
            self.recipe_hold.record(event.hold, attributes)
