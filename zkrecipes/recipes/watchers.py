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
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.exceptions import (
    ConnectionClosedError,
    InvalidArgumentError,
    InvalidTypeError,
    NoNodeError,
    ZkException,
    ZookeeperStoppedError,
)
from zkrecipes.states import EventType, WatchedEvent, ZkState, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient
    from zkrecipes.client.handlers.interface import AsyncResult

__all__ = ["ChildrenWatch", "DataWatch", "PatientChildrenWatch"]

log = logging.getLogger(__name__)

DataFunc = Callable[..., Any]
ChildrenFunc = Callable[..., Any]


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


class DataWatch:
    """Call ``func(data, stat)`` (or ``func(data, stat, event)``) on every change of ``path``.

    The node need not exist: while it is absent the function gets ``(None,
    None)``. ``event`` is the :class:`~zkrecipes.WatchedEvent` that caused the
    call, or None for the first call and re-reads after a reconnect. Returning
    ``False`` stops the watch. Usable as a decorator::

        @client.DataWatch("/config")
        def on_config(data, stat):
            ...

    Guarantees: calls run one at a time on the client's watch queue, in the
    order of the changes; a state (same mzxid) is never delivered twice in a row.
    """

    def __init__(
        self, client: ZkClient, path: str, func: DataFunc | None = None, *args: Any, **kwargs: Any
    ) -> None:
        if not isinstance(path, str):
            raise InvalidTypeError(f"path must be a str, not {type(path).__name__}")
        if func is not None and not callable(func):
            raise InvalidTypeError("func must be callable")
        # kazoo ignores (and warns about) extra args; they are accepted here for compatibility.
        del args, kwargs
        self._client = client
        self._path = path
        self._func: DataFunc | None = None
        self._with_event = False
        self._stopped = False
        self._ever_called = False
        self._version: int | None = None
        self._run_lock = client.handler.rlock_object()
        self._watcher = self._on_event  # one stable object so re-registration cannot duplicate
        self._listener = self._on_state
        self._disconnected = False
        if func is not None:
            self._start(func)

    def __call__(self, func: DataFunc) -> DataFunc:
        """Decorator form: register ``func`` and return it unchanged."""
        if not callable(func):
            raise InvalidTypeError("func must be callable")
        self._start(func)
        return func

    def _start(self, func: DataFunc) -> None:
        if self._func is not None:
            raise ZkException("a function is already associated with this DataWatch")
        self._func = func
        self._with_event = _accepts_n_args(func, 3)
        self._client.add_listener(self._listener)
        self._get_data()

    def _get_data(self, event: WatchedEvent | None = None) -> None:
        with self._run_lock:
            if self._stopped:
                return
            try:
                self._read_and_call(event)
            except (ConnectionClosedError, ZookeeperStoppedError):
                return

    def _read_and_call(self, event: WatchedEvent | None) -> None:
        while True:
            initial = self._version
            data: bytes | None
            stat: ZnodeStat | None
            try:
                data, stat = self._client.retry(self._client.get, self._path, self._watcher)
            except NoNodeError:
                data = None
                stat = self._client.retry(self._client.exists, self._path, self._watcher)
                if stat is not None:
                    continue  # created between the two reads: read it with a data watch
            self._version = None if stat is None else stat.mzxid
            if initial != self._version or not self._ever_called:
                self._call(data, stat, event)
            return

    def _call(self, data: bytes | None, stat: ZnodeStat | None, event: WatchedEvent | None) -> None:
        func = self._func
        if func is None:
            return
        self._ever_called = True
        try:
            result = func(data, stat, event) if self._with_event else func(data, stat)
        except Exception:
            log.exception("DataWatch function for %s raised", self._path)
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
        self._get_data(event)

    def _on_state(self, state: ZkState) -> bool:
        if self._stopped:
            return True
        if state in (ZkState.SUSPENDED, ZkState.LOST):
            self._disconnected = True
        elif state == ZkState.CONNECTED and self._disconnected:
            self._disconnected = False
            self._client.handler.spawn(self._get_data)
        return False


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
        client: ZkClient,
        path: str,
        func: ChildrenFunc | None = None,
        allow_session_lost: bool = True,
        send_event: bool = False,
    ) -> None:
        if not isinstance(path, str):
            raise InvalidTypeError(f"path must be a str, not {type(path).__name__}")
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

    def __call__(self, func: ChildrenFunc) -> ChildrenFunc:
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
                children: list[str] = self._client.retry(self._client.get_children, self._path, self._watcher)
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
                result = func(children, event) if self._send_event else func(children)
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

    def __init__(self, client: ZkClient, path: str, time_boundary: float = 30) -> None:
        if not isinstance(path, str):
            raise InvalidTypeError(f"path must be a str, not {type(path).__name__}")
        if isinstance(time_boundary, bool) or not isinstance(time_boundary, (int, float)):
            raise InvalidTypeError(f"time_boundary must be a number, not {type(time_boundary).__name__}")
        if time_boundary < 0:
            raise InvalidArgumentError(f"time_boundary must be >= 0, got {time_boundary}")
        self.client = client
        self.path = path
        self.time_boundary = time_boundary
        self.children: list[str] = []
        self._changed = client.handler.event_object()
        self.asy: AsyncResult | None = None

    def start(self) -> AsyncResult:
        """Begin watching in the background; return the async result described above."""
        self.asy = asy = self.client.handler.async_result()
        self.client.handler.spawn(self._run, asy)
        return asy

    def _run(self, asy: AsyncResult) -> None:
        try:
            while True:
                changed = self.client.handler.async_result()
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

    def _make_watcher(self, changed: AsyncResult) -> Callable[[WatchedEvent], None]:
        def watcher(event: WatchedEvent) -> None:
            self._changed.set()
            if not changed.ready():
                changed.set(event)

        return watcher
