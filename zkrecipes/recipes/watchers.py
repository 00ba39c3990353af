"""Higher-level watches: DataWatch, ChildrenWatch and PatientChildrenWatch.

DataWatch and ChildrenWatch call a function with the current state once at
registration and again after every change ZooKeeper notifies, always in the
order the changes happened (the calls run one at a time). Rapid changes may be
coalesced into one call carrying the latest state: ZooKeeper watches are
one-shot, so a reader sees every *state it reads*, not every write.

Failure semantics (Curator style):

* **SUSPENDED** — no calls. This client restores its watches on reconnect to
  the same session (SetWatches with the last zxid), so a change made while
  disconnected is still delivered; on CONNECTED the state is also re-read and
  the function is called if it differs from the last one delivered.
* **LOST** — the session's watches are gone. When the client is CONNECTED with
  its new session the watch re-reads and re-registers (for ChildrenWatch only if
  ``allow_session_lost``, as in kazoo) and the function sees the current state.
* A closed client (``stop``/``close``) ends the watch silently.

Per-client state: all DataWatch objects of one client share one hub (one
state listener, one small lock, the list re-read after a reconnect), whose
lifetime is the client's; :mod:`zkrecipes.recipes._watch_hub` says how it is
found and why it is shared.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from zkrecipes.exceptions import (
    ConnectionClosedError,
    InvalidTypeError,
    NoNodeError,
    ZkException,
    ZookeeperStoppedError,
)
from zkrecipes.recipes._checks import check_duration_seconds, check_str_path
from zkrecipes.recipes._retrying import call_with_retry
from zkrecipes.recipes._watch_hub import WatchHub as _WatchHub
from zkrecipes.states import EventType, WatchedEvent, ZkState, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Pending, RecipeClient, Settable

__all__ = ["ChildrenWatch", "DataWatch", "PatientChildrenWatch"]

log = logging.getLogger(__name__)

#: ``func(data, stat)`` or ``func(data, stat, event)``; returning False stops the watch.
DataFunc = (
    Callable[[bytes | None, ZnodeStat | None], bool | None]
    | Callable[[bytes | None, ZnodeStat | None, WatchedEvent | None], bool | None]
)
#: ``func(children)`` or, with ``send_event``, ``func(children, event)``; returning False stops it.
ChildrenFunc = Callable[[list[str]], bool | None] | Callable[[list[str], WatchedEvent | None], bool | None]
_DataF = TypeVar("_DataF", bound=DataFunc)
_ChildrenF = TypeVar("_ChildrenF", bound=ChildrenFunc)
#: What PatientChildrenWatch.start() resolves to: the settled children and the next change.
Settled = tuple[list[str], "Pending[WatchedEvent]"]


def _accepts_n_args(func: Callable[..., Any], n: int) -> bool:
    """True if ``func`` can be called with ``n`` positional arguments."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return False
    try:
        sig.bind(*range(n))
    except TypeError:
        return False
    return True


# A DataWatch keeps its whole state in one int: these flag bits, and above them
# (mzxid + 1) of the last state read (0: none yet, or the node was absent).
_STOPPED = 1
_CALLED = 2
_WITH_EVENT = 4
_RUNNING = 8
_PENDING = 16
_FLAG_BITS = 5
_FLAGS = (1 << _FLAG_BITS) - 1

class DataWatch:
    """Call ``func(data, stat)`` (or ``func(data, stat, event)``) on every change of ``path``.

    The node need not exist: while it is absent the function gets ``(None,
    None)``. ``event`` is the :class:`~zkrecipes.WatchedEvent` that caused the
    call, or None for the first call and re-reads after a reconnect. Returning
    ``False`` stops the watch. Usable as a decorator::

        @client.DataWatch("/config")
        def on_config(data, stat):
            ...

    Guarantees: calls run one at a time, in the order of the changes; a state
    (same mzxid) is never delivered twice in a row. The first call runs in the
    constructor (or the decorator), later ones on the client's watch queue —
    or, when a change arrives while a call is running, right after that call
    by the thread that made it. The object is its own watcher (calling it with
    a :class:`~zkrecipes.WatchedEvent` handles the event), so it costs no
    wrapper objects; see ``_WatchHub`` for what it shares with the others.
    """

    __slots__ = ("_func", "_hub", "_path", "_state")

    def __init__(
        self, client: RecipeClient, path: str, func: DataFunc | None = None, *args: Any, **kwargs: Any
    ) -> None:
        check_str_path(path)
        if func is not None and not callable(func):
            raise InvalidTypeError("func must be callable")
        # kazoo ignores (and warns about) extra args; they are accepted here for compatibility.
        del args, kwargs
        self._hub = _WatchHub.of(client)
        self._path = path
        self._func: DataFunc | None = None
        self._state = 0  # flag bits and the last mzxid, see _FLAG_BITS
        if func is not None:
            self._start(func)

    @property
    def stopped(self) -> bool:
        """True once the watch stopped (its function returned False)."""
        return bool(self._state & _STOPPED)

    def reread(self) -> None:
        """Read the node again and call the function if its state changed (after a reconnect)."""
        self._run(None)

    @overload
    def __call__(self, func: WatchedEvent) -> None: ...

    @overload
    def __call__(self, func: _DataF) -> _DataF: ...

    def __call__(self, func: _DataF | WatchedEvent) -> _DataF | None:
        """Decorator form: register ``func`` and return it unchanged.

        Called by the client with a :class:`~zkrecipes.WatchedEvent`, it is the
        watch callback: the node is read again and the function called.
        """
        if isinstance(func, WatchedEvent):
            if func.type != EventType.NONE:
                self._run(func)
            return None
        if not callable(func):
            raise InvalidTypeError("func must be callable")
        self._start(func)
        return func

    def _start(self, func: DataFunc) -> None:
        if self._func is not None:
            raise ZkException("a function is already associated with this DataWatch")
        self._func = func
        if _accepts_n_args(func, 3):
            self._state |= _WITH_EVENT
        self._hub.add(self)
        self._run(None)

    def _run(self, event: WatchedEvent | None) -> None:
        """Read and deliver, one run at a time: a run requested meanwhile is done by the running one."""
        hub = self._hub
        with hub.lock:
            state = self._state
            if state & _STOPPED:
                return
            if state & _RUNNING:
                self._state = state | _PENDING
                if event is not None:
                    hub.pending_events[self] = event
                return
            self._state = state | _RUNNING
        error: BaseException | None = None
        try:
            while True:
                try:
                    self._read_and_call(event)
                except (ConnectionClosedError, ZookeeperStoppedError):
                    return
                except Exception as exc:  # reported after any pending re-read
                    error = error or exc
                with hub.lock:
                    state = self._state
                    if not state & _PENDING or state & _STOPPED:
                        break
                    self._state = state & ~_PENDING
                    event = hub.pending_events.pop(self, None)
        finally:
            with hub.lock:
                self._state &= ~(_RUNNING | _PENDING)
                hub.pending_events.pop(self, None)
        if error is not None:
            raise error

    def _read_and_call(self, event: WatchedEvent | None) -> None:
        client = self._hub.client
        while True:
            data: bytes | None
            stat: ZnodeStat | None
            try:
                data, stat = call_with_retry(client, client.get, self._path, self)
            except NoNodeError:
                data = None
                stat = call_with_retry(client, client.exists, self._path, self)
                if stat is not None:
                    continue  # created between the two reads: read it with a data watch
            seen = 0 if stat is None else (stat.mzxid + 1) << _FLAG_BITS
            with self._hub.lock:
                state = self._state
                changed = (state & ~_FLAGS) != seen or not state & _CALLED
                self._state = seen | (state & _FLAGS) | _CALLED if changed else state
            if changed:
                self._call(data, stat, event)
            return

    def _call(self, data: bytes | None, stat: ZnodeStat | None, event: WatchedEvent | None) -> None:
        func = self._func
        if func is None:
            return
        try:
            result = func(data, stat, event) if self._state & _WITH_EVENT else func(data, stat)  # type: ignore[call-arg]
        except Exception:
            log.exception("DataWatch function for %s raised", self._path)
            raise
        if result is False:
            self._stop()

    def _stop(self) -> None:
        with self._hub.lock:
            if self._state & _STOPPED:
                return
            self._state |= _STOPPED
        self._func = None
        self._hub.forget_one()


class ChildrenWatch:
    """Call ``func(children)`` (or ``func(children, event)`` with ``send_event``)
    on every change of ``path``'s children.

    The node must exist when the watch starts (else the function is never
    called and the watch stops, as in kazoo); the watch also stops when the node
    is deleted. Returning ``False`` stops it. Usable as a decorator.

    Guarantees: calls run one at a time, in the order of the changes; the same
    child list is not delivered twice in a row after a reconnect.
    """

    def __init__(
        self,
        client: RecipeClient,
        path: str,
        func: ChildrenFunc | None = None,
        allow_session_lost: bool = True,
        send_event: bool = False,
    ) -> None:
        check_str_path(path)
        if func is not None and not callable(func):
            raise InvalidTypeError("func must be callable")
        self._client = client
        self._path = path
        self._func: ChildrenFunc | None = None
        self._send_event = send_event
        self._allow_session_lost = allow_session_lost
        self._stopped = False
        self._session_lost = False
        self._disconnected = False
        self._prior: list[str] | None = None
        self._run_lock = client.handler.rlock_object()
        self._watcher = self._on_event
        self._listener = self._on_state
        if func is not None:
            self._start(func)

    def __call__(self, func: _ChildrenF) -> _ChildrenF:
        """Decorator form: register ``func`` and return it unchanged."""
        if not callable(func):
            raise InvalidTypeError("func must be callable")
        self._start(func)
        return func

    def _start(self, func: ChildrenFunc) -> None:
        if self._func is not None:
            raise ZkException("a function is already associated with this ChildrenWatch")
        self._func = func
        self._client.add_listener(self._listener)
        self._get_children()

    def _get_children(self, event: WatchedEvent | None = None, *, reread: bool = False) -> None:
        with self._run_lock:
            if self._stopped:
                return
            try:
                children = self._client.retry(self._client.get_children, self._path, self._watcher)
            except NoNodeError:
                self._stop()
                return
            except (ConnectionClosedError, ZookeeperStoppedError):
                return
            if reread and self._prior is not None and sorted(self._prior) == sorted(children):
                return
            self._prior = children
            func = self._func
            if func is None:
                return
            try:
                result = func(children, event) if self._send_event else func(children)  # type: ignore[call-arg]
            except Exception:
                log.exception("ChildrenWatch function for %s raised", self._path)
                raise
            if result is False:
                self._stop()

    def _stop(self) -> None:
        self._stopped = True
        self._func = None
        self._client.remove_listener(self._listener)

    def _on_event(self, event: WatchedEvent) -> None:
        if event.type == EventType.NONE:
            return
        self._get_children(event)  # after DELETED the read fails with NoNode: the watch stops

    def _on_state(self, state: ZkState) -> bool:
        if self._stopped:
            return True
        if state == ZkState.LOST:
            self._disconnected = True
            self._session_lost = True
        elif state == ZkState.SUSPENDED:
            self._disconnected = True
        elif state == ZkState.CONNECTED and self._disconnected:
            self._disconnected = False
            lost, self._session_lost = self._session_lost, False
            if lost and not self._allow_session_lost:
                self._stop()
                return True
            self._client.handler.spawn(self._get_children, None, reread=True)
        return False


class PatientChildrenWatch:
    """Wait until ``path``'s children have not changed for ``time_boundary`` seconds.

    ``start()`` returns an async result that is set to ``(children, changed)``
    once a full ``time_boundary`` passed with no change: ``children`` is the
    settled list and ``changed`` another async result set on the first change
    after that. Errors (e.g. NoNodeError) are set as the result's exception.

    SUSPENDED/LOST: the underlying one-shot watch behaves as any watch of this
    client (restored on reconnect to the same session, dropped on LOST); a
    ``start()`` in progress keeps retrying its read through the client's retry.
    """

    def __init__(self, client: RecipeClient, path: str, time_boundary: float = 30) -> None:
        check_str_path(path)
        check_duration_seconds(time_boundary, "time_boundary")
        self.client = client
        self.path = path
        self.time_boundary = time_boundary
        self.children: list[str] = []
        self._changed = client.handler.event_object()
        self.asy: Settable[Settled] | None = None

    def start(self) -> Pending[Settled]:
        """Begin watching in the background; return the async result described above."""
        self.asy = asy = self.client.handler.async_result()
        self.client.handler.spawn(self._run, asy)
        return asy

    def _run(self, asy: Settable[Settled]) -> None:
        try:
            while True:
                changed: Settable[WatchedEvent] = self.client.handler.async_result()
                self._changed.clear()
                self.children = self.client.retry(
                    self.client.get_children, self.path, self._make_watcher(changed)
                )
                # Settling is defined by time: wait the boundary, waking early on a change.
                if self._changed.wait(self.time_boundary):
                    continue
                break
            asy.set((self.children, changed))
        except Exception as exc:
            asy.set_exception(exc)

    def _make_watcher(self, changed: Settable[WatchedEvent]) -> Callable[[WatchedEvent], None]:
        def watcher(event: WatchedEvent) -> None:
            self._changed.set()
            if not changed.ready():
                changed.set(event)

        return watcher
