"""SharedValue: Curator's shared bytes, on Curator's znode layout.

Interoperable with Curator's ``SharedValue`` on the same path: one PERSISTENT
node holding the raw bytes. ``start()`` creates it with the seed if absent
(NodeExists is fine; missing parents become containers) and reads it with a
data watch; every change is read again (and the watch renewed), and listeners
(``value_has_changed(shared_value, new_value)``) are told, on the client's
completion queue. A value is only ever replaced by one of a higher version.

``try_set_value(previous, new)`` is Curator's optimistic update: False at once
when ``previous`` is not the value this object last saw; else a ``set`` with
``previous.version`` — False (after reading the value again) when someone
wrote first. A connection loss during that ``set`` raises (the write may or
may not have been applied: read before retrying) — Curator's retry loop
would re-send it and report False for a write that was applied.

SUSPENDED: the last value read stays readable (it may be stale). CONNECTED
again (after SUSPENDED or LOST): the value is read again and listeners told.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from zkrecipes.exceptions import BadVersionError, NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator.versioned_value import VersionedValue
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["SharedValue", "SharedValueListener"]

log = logging.getLogger(__name__)

_UNREAD = -1  # the version before the first read (Curator's initial UNINITIALIZED_VERSION)


class SharedValueListener(Protocol):
    """Told of each new value."""

    def value_has_changed(self, shared_value: SharedValue, new_value: bytes) -> None:
        """``new_value`` is the value now."""


class SharedValue:
    """Bytes shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, seed_value: bytes) -> None:
        if not isinstance(seed_value, bytes):
            raise TypeError("seed_value must be bytes")
        self.client = client
        self.path = check_path(path)
        self._seed = seed_value
        self._lock = client.handler.lock_object()
        self._current: VersionedValue[bytes] = VersionedValue(_UNREAD, seed_value)
        self._listeners: list[SharedValueListener] = []
        self._started = False
        self._closed = False
        self._disconnected = False

    def __repr__(self) -> str:
        return f"SharedValue({self.path!r}, version={self._current.version})"

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Create the node with the seed if absent, then read it (and watch it)."""
        with self._lock:
            if self._started:
                raise RuntimeError("Cannot be started more than once")
            self._started = True
        try:
            create_with_containers(self.client, self.path, self._seed, Deadline(None))
        except NodeExistsError:
            pass
        self.client.add_listener(self._on_state)
        self._read()

    def close(self) -> None:
        """Stop following the value; drop the listeners (a pending watch fires into nothing)."""
        with self._lock:
            self._closed = True
            self._listeners.clear()
        safe_remove_listener(self.client, self._on_state)

    def __enter__(self) -> SharedValue:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ Curator's API

    def get_value(self) -> bytes:
        """The value last seen."""
        return self._current.value

    def get_versioned_value(self) -> VersionedValue[bytes]:
        """The value last seen, with its version."""
        return self._current

    def set_value(self, new_value: bytes) -> None:
        """Write ``new_value`` unconditionally."""
        self._require_started()
        stat = self.client.retry(self.client.set, self.path, new_value)
        self._update(stat.version, new_value)

    def try_set_value(self, previous: VersionedValue[bytes], new_value: bytes) -> bool:
        """Write ``new_value`` only if the node is still at ``previous``; True when written."""
        self._require_started()
        current = self._current
        if previous.version != current.version or previous.value != current.value:
            return False
        try:
            stat = self.client.set(self.path, new_value, version=previous.version)
        except BadVersionError:
            self._read()
            return False
        self._update(stat.version, new_value)
        return True

    def add_listener(self, listener: SharedValueListener) -> None:
        """Tell ``listener`` of every new value."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: SharedValueListener) -> None:
        """Stop telling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    # ------------------------------------------------------------------ reading

    def _require_started(self) -> None:
        if not self._started or self._closed:
            raise RuntimeError("not started")

    def _read(self) -> None:
        data, stat = self.client.retry(self.client.get, self.path, self._on_watch)
        self._update(stat.version, data or b"")

    def _on_watch(self, event: WatchedEvent) -> None:
        self._reread()

    def _reread(self) -> None:
        if self._closed:
            return
        try:
            self.client.get_async(self.path, watch=self._on_watch).rawlink(self._on_read)
        except Exception:  # the client is stopping; a reconnect reads again
            log.debug("re-reading %s failed", self.path, exc_info=True)

    def _on_read(self, result: Any) -> None:
        if result.exception is not None:
            if not isinstance(result.exception, NoNodeError):
                log.debug("reading %s failed: %r", self.path, result.exception)
            return
        data, stat = result.get(timeout=0)
        self._update(stat.version, data or b"")

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.CONNECTED:
            with self._lock:
                again, self._disconnected = self._disconnected, False
            if again:
                self._reread()
        else:
            with self._lock:
                self._disconnected = True

    def _update(self, version: int, value: bytes) -> None:
        with self._lock:
            if version <= self._current.version:
                return
            self._current = VersionedValue(version, value)
            listeners = [] if self._closed else list(self._listeners)
        for listener in listeners:
            try:
                listener.value_has_changed(self, value)
            except Exception:
                log.exception("SharedValue listener %r failed", listener)
