"""``ObserverHub``: one client's observers, and what the client's core tells them.

The core holds a hub only while at least one observer is attached (otherwise
the attribute is None and each call site costs one ``is not None`` check). The
session machine reports submits, writes and replies (with the xids and the
times it is given: it is sans-IO); the transports report the outputs they
apply (failed requests, state changes, watch fires); the handlers and the
asyncio client's queues hand their callbacks through :attr:`queues`; the
recipes report through :meth:`recipe`. Every front end so gets the same events
from the same code. An observer that raises is logged and otherwise ignored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.events import Reply
from zkrecipes.client.session.outputs import Complete, Dispatch, StateChanged
from zkrecipes.observe._frames import FrameSizes
from zkrecipes.observe._names import operation_name, request_names
from zkrecipes.observe._queue_timing import QueueTiming
from zkrecipes.observe.callback_event import CallbackEvent
from zkrecipes.observe.connection_event import ConnectionEvent, ConnectionEventKind
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.recipe_event import RecipeEvent
from zkrecipes.observe.request_event import RequestEvent
from zkrecipes.observe.request_start import RequestStart
from zkrecipes.observe.request_stats import RequestStats
from zkrecipes.observe.state_event import StateEvent
from zkrecipes.observe.watch_event import WatchEvent
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.client.session.machine import SessionMachine
    from zkrecipes.client.session.parts import SessionParts

__all__ = ["ObserverHub"]

log = logging.getLogger("zkrecipes.observe")

_METHODS = ("on_request", "on_state", "on_connection", "on_watch", "on_callback", "on_recipe")


def _overrides(observer: object, name: str) -> bool:
    method = getattr(type(observer), name, None)
    return method is not None and method is not getattr(Observer, name)


class ObserverHub:
    """The observers of one client (see the module docstring); an
    :class:`~zkrecipes.observe.source.ObservedClient` for them."""

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.clock = clock
        self._table: dict[int, list[Any]] = {}  # the tracked requests, by id of their result
        self._server_name: tuple[Any, str | None] = (None, None)  # (host, str(host)) cached
        self.frames = FrameSizes()
        self.queues = QueueTiming(self)
        self._observers: list[Any] = []
        self._by_method: dict[str, list[Any]] = {name: [] for name in _METHODS}
        # (on_request or None, on_request_start or None) of each observer overriding either
        self._requesters: list[tuple[Any, Any]] = []
        self._starting = False  # does any observer override on_request_start?
        self._no_tokens: tuple[tuple[Any, object], ...] = ()
        self._stats: list[RequestStats] = []  # aggregates observers asked for (request_stats)
        self._machine: SessionMachine | None = None
        self._state: ZkState | None = None

    # ------------------------------------------------------------ observers

    @property
    def observers(self) -> list[Any]:
        return list(self._observers)

    def __bool__(self) -> bool:
        return bool(self._observers)

    def add(self, observer: Any) -> None:
        """Attach ``observer`` (once; adding it again does nothing)."""
        if any(o is observer for o in self._observers):
            return
        self._observers.append(observer)
        self._rebuild()
        if _overrides(observer, "on_attach"):
            self._call(observer.on_attach, self)

    def remove(self, observer: Any) -> bool:
        """Detach ``observer``; True if it was attached."""
        kept = [o for o in self._observers if o is not observer]
        if len(kept) == len(self._observers):
            return False
        self._observers = kept
        self._rebuild()
        if _overrides(observer, "on_detach"):
            self._call(observer.on_detach, self)
        return True

    def _rebuild(self) -> None:
        self._by_method = {m: [o for o in self._observers if _overrides(o, m)] for m in _METHODS}
        self._requesters = [(o.on_request if _overrides(o, "on_request") else None,
                             o.on_request_start if _overrides(o, "on_request_start") else None)
                            for o in self._observers
                            if _overrides(o, "on_request") or _overrides(o, "on_request_start")]
        self._starting = any(begin is not None for _end, begin in self._requesters)
        self._no_tokens = tuple((end, None) for end, _begin in self._requesters)

    @staticmethod
    def _call(method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except Exception:
            log.exception("observer %r failed", method)
            return None

    def _emit(self, name: str, event: object) -> None:
        for observer in self._by_method[name]:
            self._call(getattr(observer, name), event)

    # ------------------------------------------------------ ObservedClient

    @property
    def state(self) -> ZkState | None:
        return self._state

    def in_flight(self) -> int:
        return len(self._table)

    def live_watches(self) -> int:
        machine = self._machine
        proto = None if machine is None else machine.protocol
        if proto is None:
            return 0
        paths = proto.watched_paths()
        return (len(paths.data) + len(paths.exist) + len(paths.child) + len(paths.persistent)
                + len(paths.persistent_recursive))

    def queue_depths(self) -> dict[str, int]:
        return self.queues.depths()

    # ------------------------------------------------- inputs from the core

    def bind(self, machine: SessionMachine) -> None:
        """The session this hub observes (for the gauges and the server/session labels)."""
        self._machine = machine

    def _where(self) -> tuple[str | None, int]:
        machine = self._machine
        return (None, 0) if machine is None else self._labels(machine.parts)

    def submitted(self, request: Any, result: Any, now: float | None = None) -> None:
        """A request was submitted (the caller's thread or task: its context is current)."""
        if now is None:
            now = self.clock()
        tokens = self._start(request, now) if self._starting else self._no_tokens
        # [started, frame size, xid, tokens, request]; keyed by the result's id, removed when
        # it ends (a result is alive until then: the session's queues reference it)
        self._table[id(result)] = [now, 0, 0, tokens, request]

    def _start(self, request: Any, now: float) -> tuple[tuple[Any, object], ...]:
        operation, path = request_names(request)
        start = RequestStart(operation, path, now)
        return tuple((end, None if begin is None else self._call(begin, start))
                     for end, begin in self._requesters)

    def written(self, result: Any, xid: int, size: int) -> None:
        """A tracked request went on the wire with ``xid`` in a ``size``-byte frame."""
        entry = self._table.get(id(result))
        if entry is not None:
            entry[1] = size
            entry[2] = xid

    def received(self, p: SessionParts, events: list[Any], data: bytes | bytearray | memoryview,
                 now: float) -> None:
        """Decoded ``events`` came from ``data``: end the tracked requests they answer."""
        sizes: list[int] | None = self.frames.feed(data) if data else None
        if sizes is not None and len(sizes) != len(events):
            sizes = None
        pop = self._table.pop
        stats = self._stats
        labels: tuple[str | None, int] | None = None
        for index, event in enumerate(events):
            if type(event) is not Reply:
                continue
            pending = event.pending
            ctx = pending.context
            if type(ctx) is not tuple:
                continue
            entry = pop(id(ctx[0]), None)
            if entry is None:
                continue
            size = 0 if sizes is None else sizes[index]
            latency = now - entry[0]
            if stats:
                operation = operation_name(pending.request)
                for stat in stats:
                    stat.add(operation, event.err, latency, entry[1], size)
            if entry[3]:
                if labels is None:
                    labels = self._labels(p)
                operation, path = request_names(pending.request)
                self._end(entry, operation, path, event.err, None, labels, pending.xid, event.zxid, latency,
                          size)

    def outputs(self, outputs: Iterable[Any]) -> None:
        """The transport applies ``outputs``: failed requests, state changes, watch fires."""
        table = self._table
        now = 0.0
        for output in outputs:
            kind = type(output)
            if kind is Complete:
                # Replies were ended by received(); what is left are the requests that failed.
                if output.error is None or not table:
                    continue
                entry = table.pop(id(output.result), None)
                if entry is not None:
                    self._failed(entry, output, now or self.clock())
            elif kind is StateChanged:
                now = now or self.clock()
                previous, self._state = self._state, output.state
                server, session_id = self._where()
                self._emit("on_state", StateEvent(previous, output.state, session_id, server, now))
            elif kind is Dispatch and self._by_method["on_watch"]:
                now = now or self.clock()
                _server, session_id = self._where()
                event = output.event
                self._emit("on_watch", WatchEvent(event.type, event.path, len(output.watchers),
                                                  session_id, now))

    def _failed(self, entry: list[Any], output: Complete, now: float) -> None:
        """A tracked request ended without a reply (lost, expired, closed, refused)."""
        error = output.error
        code = int(getattr(error, "code", -1) or -1)
        operation, path = request_names(entry[4])
        latency = now - entry[0]
        for stat in self._stats:
            stat.add(operation, code, latency, entry[1], 0)
        if entry[3]:
            self._end(entry, operation, path, code, error, self._where(), entry[2], 0, latency, 0)

    def _labels(self, p: SessionParts) -> tuple[str | None, int]:
        host = p.current_host
        cached = self._server_name
        if cached[0] is not host:
            cached = self._server_name = (host, None if host is None else str(host))
        return cached[1], (0 if p.protocol is None else p.protocol.session_id)

    def _end(self, entry: list[Any], operation: str, path: str | None, code: int, error: BaseException | None,
             labels: tuple[str | None, int], xid: int, zxid: int, latency: float, received: int) -> None:
        event = RequestEvent(operation, path, code, labels[0], labels[1], xid, zxid, entry[0], latency,
                             entry[1], received, error)
        for end, token in entry[3]:  # the observers attached when it started
            if end is not None:
                try:
                    end(event, token)
                except Exception:
                    log.exception("observer %r failed", end)

    def request_stats(self, bounds: Sequence[float]) -> RequestStats:
        """Aggregates over ``bounds`` (seconds), kept from now on (one per distinct bounds)."""
        wanted = tuple(float(b) for b in bounds)
        for stats in self._stats:
            if stats.bounds == wanted:
                return stats
        stats = RequestStats(wanted)
        self._stats = [*self._stats, stats]
        return stats

    def connection(self, kind: ConnectionEventKind, p: SessionParts, now: float | None = None) -> None:
        """A connection/session milestone (see :class:`ConnectionEventKind`)."""
        if not self._by_method["on_connection"]:
            return
        host = p.current_host
        session_id = 0 if p.protocol is None else p.protocol.session_id
        self._emit("on_connection", ConnectionEvent(kind, None if host is None else str(host), session_id,
                                                    self.clock() if now is None else now))

    def callback(self, event: CallbackEvent) -> None:
        self._emit("on_callback", event)

    def recipe(self, event: RecipeEvent) -> None:
        self._emit("on_recipe", event)
