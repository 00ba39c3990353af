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
from zkrecipes.observe._frames import FrameSizes
from zkrecipes.observe._names import request_names
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
        # [started, request, tokens, xid, frame size, result (kept alive: its id is the key)]
        self._table[id(result)] = [now, request, tokens, 0, 0, result]

    def _start(self, request: Any, now: float) -> tuple[tuple[Any, object], ...]:
        operation, path = request_names(request)
        start = RequestStart(operation, path, now)
        return tuple((end, None if begin is None else self._call(begin, start))
                     for end, begin in self._requesters)

    def written(self, result: Any, xid: int, size: int) -> None:
        """A tracked request went on the wire with ``xid`` in a ``size``-byte frame."""
        entry = self._table.get(id(result))
        if entry is not None:
            entry[3] = xid
            entry[4] = size

    def received(self, p: SessionParts, events: list[Any], data: bytes | bytearray | memoryview,
                 now: float) -> None:
        """Decoded ``events`` came from ``data``: end the tracked requests they answer."""
        sizes: list[int] | None = self.frames.feed(data)
        if sizes is not None and len(sizes) != len(events):
            sizes = None
        pop = self._table.pop
        server: str | None = None
        session_id = 0
        known = False
        for index, event in enumerate(events):
            if type(event) is not Reply:
                continue
            ctx = event.pending.context
            if type(ctx) is not tuple:
                continue
            entry = pop(id(ctx[0]), None)
            if entry is None:
                continue
            if not known:
                server, session_id = self._labels(p)
                known = True
            self._end(entry, event.err, None, server, session_id, event.pending.xid, event.zxid, now,
                      sizes[index] if sizes is not None else 0)

    def outputs(self, outputs: Iterable[Any]) -> None:
        """The transport applies ``outputs``: failed requests, state changes, watch fires."""
        table = self._table
        now = 0.0
        for output in outputs:
            kind = type(output)
            if kind is Complete:
                if not table:
                    continue
                entry = table.pop(id(output.result), None)
                if entry is not None:
                    error = output.error
                    code = 0 if error is None else int(getattr(error, "code", -1) or -1)
                    server, session_id = self._where()
                    self._end(entry, code, error, server, session_id, entry[3], 0, now or self.clock(), 0)
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

    def _labels(self, p: SessionParts) -> tuple[str | None, int]:
        host = p.current_host
        cached = self._server_name
        if cached[0] is not host:
            cached = self._server_name = (host, None if host is None else str(host))
        return cached[1], (0 if p.protocol is None else p.protocol.session_id)

    def _end(self, entry: list[Any], code: int, error: BaseException | None, server: str | None,
             session_id: int, xid: int, zxid: int, now: float, received: int) -> None:
        operation, path = request_names(entry[1])
        started = entry[0]
        event = RequestEvent(operation, path, code, server, session_id, xid, zxid, started, now - started,
                             entry[4], received, error)
        for end, token in entry[2]:  # the observers attached when it started
            if end is not None:
                try:
                    end(event, token)
                except Exception:
                    log.exception("observer %r failed", end)

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
