"""Instrumentation: a typed hook in the client's core, and adapters for it.

Attach an :class:`Observer` with ``client.add_observer(obs)`` (``ZkClient`` and
``AsyncZkClient`` alike) or ``ClientConfig``'s ``observers=``; it is told about
every request, state change, connection milestone, watch fire, callback-queue
item and lock-like recipe acquisition through the event records below. With no
observer attached the hook costs one ``is not None`` check per call site.
Adapters: :mod:`zkrecipes.observe.otel` (OpenTelemetry, extra ``otel``),
:mod:`zkrecipes.observe.prometheus` (extra ``prometheus``),
:mod:`zkrecipes.observe.log_context` (structured log fields). See
``docs/observability.md``.
"""

from __future__ import annotations

from zkrecipes.observe.callback_event import CallbackEvent
from zkrecipes.observe.connection_event import ConnectionEvent, ConnectionEventKind
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.recipe_event import RecipeEvent, RecipePhase
from zkrecipes.observe.request_event import RequestEvent
from zkrecipes.observe.request_start import RequestStart
from zkrecipes.observe.source import ObservedClient
from zkrecipes.observe.state_event import StateEvent
from zkrecipes.observe.watch_event import WatchEvent

__all__ = [
    "CallbackEvent",
    "ConnectionEvent",
    "ConnectionEventKind",
    "ObservedClient",
    "Observer",
    "RecipeEvent",
    "RecipePhase",
    "RequestEvent",
    "RequestStart",
    "StateEvent",
    "WatchEvent",
]
