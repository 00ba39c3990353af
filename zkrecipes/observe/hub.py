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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.events import Reply
from zkrecipes.client.session.outputs import Complete, Dispatch, StateChanged
from zkrecipes.observe._flights import Flight, Flights
from zkrecipes.observe._frames import FrameSizes
from zkrecipes.observe._queue_timing import QueueTiming
from zkrecipes.observe.callback_event import CallbackEvent
from zkrecipes.observe.connection_event import ConnectionEvent, ConnectionEventKind
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.recipe_event import RecipeEvent
from zkrecipes.observe.request_event import RequestEvent
from zkrecipes.observe.request_start import RequestStart
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
        self.flights = Flights()
        self.frames = FrameSizes()
        self.queues = QueueTiming(self)
        self._observers: list[Any] = []
        self._by_method: dict[str, list[Any]] = {name: [] for name in _METHODS}
        self._requesters: list[Any] = []  # on_request_start or on_request overridden
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
        self._requesters = [o for o in self._observers
                            if _overrides(o, "on_request") or _overrides(o, "on_request_start")]

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
        return len(self.flights)

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
        if machine is None:
            return None, 0
        host = machine.parts.current_host
        proto = machine.parts.protocol
        return (None if host is None else str(host)), (0 if proto is None else proto.session_id)

    def submitted(self, request: Any, result: Any, now: float | None = None) -> None:
        """A request was submitted (the caller's thread or task: its context is current)."""
        operation, path = Flights.names(request)
        started = self.clock() if now is None else now
        requesters = self._requesters
        tokens: tuple[tuple[Any, object], ...] = ()
        if requesters:
            start = RequestStart(operation, path, started)
            tokens = tuple((o, self._call(o.on_request_start, start)) for o in requesters)
        self.flights.add(Flight(operation, path, result, started, tokens))

    def written(self, result: Any, xid: int, size: int) -> None:
        """A tracked request went on the wire with ``xid`` in a ``size``-byte frame."""
        self.flights.written(result, xid, size)

    def received(self, p: SessionParts, events: list[Any], data: bytes | bytearray | memoryview,
                 now: float) -> None:
        """Decoded ``events`` came from ``data``: end the tracked requests they answer."""
        sizes: list[int] | None = self.frames.feed(data)
        if sizes is not None and len(sizes) != len(events):
            sizes = None
        host = p.current_host
        server = None if host is None else str(host)
        session_id = 0 if p.protocol is None else p.protocol.session_id
        pop = self.flights.pop
        for index, event in enumerate(events):
            if type(event) is not Reply:
                continue
            ctx = event.pending.context
            if type(ctx) is not tuple:
                continue
            flight = pop(ctx[0])
            if flight is not None:
                self._finish(flight, event.err, None, server, session_id, event.pending.xid,
                             event.zxid, now, sizes[index] if sizes is not None else 0)

    def outputs(self, outputs: Iterable[Any]) -> None:
        """The transport applies ``outputs``: failed requests, state changes, watch fires."""
        now = self.clock()
        for output in outputs:
            kind = type(output)
            if kind is Complete:
                flight = self.flights.pop(output.result)
                if flight is not None:
                    error = output.error
                    code = 0 if error is None else int(getattr(error, "code", -1) or -1)
                    server, session_id = self._where()
                    self._finish(flight, code, error, server, session_id, flight.xid, 0, now, 0)
            elif kind is StateChanged:
                previous, self._state = self._state, output.state
                server, session_id = self._where()
                self._emit("on_state", StateEvent(previous, output.state, session_id, server, now))
            elif kind is Dispatch and self._by_method["on_watch"]:
                _server, session_id = self._where()
                event = output.event
                self._emit("on_watch", WatchEvent(event.type, event.path, len(output.watchers),
                                                  session_id, now))

    def _finish(self, flight: Flight, code: int, error: BaseException | None, server: str | None,
                session_id: int, xid: int, zxid: int, now: float, received: int) -> None:
        event = RequestEvent(flight.operation, flight.path, code, server, session_id, xid, zxid,
                             flight.started, now - flight.started, flight.sent, received, error)
        for observer, token in flight.tokens:  # the observers attached when it started
            self._call(observer.on_request, event, token)

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
