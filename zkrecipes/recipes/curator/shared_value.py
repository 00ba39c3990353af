"""SharedValue: Curator's shared bytes, on Curator's znode layout.

Interoperable with Curator's ``SharedValue`` on the same path: one PERSISTENT
node holding the raw bytes. ``start()`` creates it with the seed if absent
(NodeExists is fine; missing parents become containers) and reads it with a
data watch; every change is read again (and the watch renewed), and listeners
(``value_has_changed(shared_value, new_value)``; ``state_changed(client,
state)`` too when they define it, as Curator's ``SharedValueListener`` is a
``ConnectionStateListener``) are told, on the client's completion queue.
A read replaces the value only when it is newer by the node's **mzxid**
(CURATOR-688: the 32-bit version wraps; ordering by it froze Curator's value).

``try_set_value(previous, new)`` is Curator's optimistic update: False at once
when ``previous`` is not the value this object last saw; else a ``set`` with
``previous.version`` — False (after reading the value again) when someone
wrote first. A node at version -1 (wrapped) raises ValueError: ``-1`` means
"any version" to the server (ZOOKEEPER-4743). When the reply of that ``set``
is lost with the connection, the node is read back (``sync`` + ``get``):
unchanged → sent again; at the next version with other bytes → False;
otherwise :class:`~zkrecipes.exceptions.OutcomeUnknownError` (read before
retrying) — never Curator's "False for a write that was applied".

SUSPENDED: the last value read stays readable (it may be stale). CONNECTED
again (after SUSPENDED or LOST): the value is read again and listeners told.
``close()`` removes everything ``start()`` added: the connection listener,
the data watch (from the server too when connected) and the listeners.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.exceptions import (
    BadVersionError,
    ConnectionClosedError,
    NodeExistsError,
    NoNodeError,
    ZkException,
)
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._conditional_write import (
    NOT_APPLIED,
    RESENDS,
    check_conditional_version,
    is_newer,
    same_read,
    settle,
    unknown,
)
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator.versioned_value import VersionedValue
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.states import WatchedEvent, ZnodeStat

__all__ = ["SharedValue", "SharedValueListener"]

log = logging.getLogger(__name__)

_UNREAD = -1  # version and zxid before the first read (Curator's UNINITIALIZED_VERSION)


class SharedValueListener(Protocol):
    """Told of each new value (and, if it defines ``state_changed(client, state)``, of connection changes)."""

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
        self._current: VersionedValue[bytes] = VersionedValue(_UNREAD, seed_value, _UNREAD)
        self._listeners: list[SharedValueListener] = []
        self._started = False
        self._closed = False
        self._disconnected = False
        self._watcher = self._on_watch  # one object: the same callable to set and to remove

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
        """Stop following the value: remove the connection listener, the data watch and the listeners."""
        with self._lock:
            was_open = self._started and not self._closed
            self._closed = True
            self._listeners.clear()
        safe_remove_listener(self.client, self._on_state)
        if was_open and self.client.connected:
            try:
                self.client.remove_watches(self.path, self._watcher, WatcherType.DATA)
            except ZkException:  # already fired, or the connection went: it fires into nothing
                log.debug("removing the watch of %s failed", self.path, exc_info=True)

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
        """The value last seen, with its version and mzxid."""
        return self._current

    def set_value(self, new_value: bytes) -> None:
        """Write ``new_value`` unconditionally."""
        self._require_started()
        stat = self.client.retry(self.client.set, self.path, new_value)
        self._update(stat, new_value)

    def try_set_value(self, previous: VersionedValue[bytes], new_value: bytes) -> bool:
        """Write ``new_value`` only if the node is still at ``previous``; True when written.

        Raises ValueError when the node's version wrapped to -1, and
        OutcomeUnknownError when a lost reply leaves the outcome unproven.
        """
        self._require_started()
        current = self._current
        if not same_read((previous.version, previous.zxid, previous.value),
                         (current.version, current.zxid, current.value)):
            return False
        check_conditional_version(self.path, previous.version)
        for _ in range(RESENDS):
            try:
                stat = self.client.set(self.path, new_value, version=previous.version)
            except BadVersionError:
                self._read()
                return False
            except RETRYABLE as error:
                if self._settle(previous, new_value, error) == NOT_APPLIED:
                    continue
                return False
            self._update(stat, new_value)
            return True
        raise unknown(self.path, "try_set_value", "the connection kept failing")

    def add_listener(self, listener: SharedValueListener) -> None:
        """Tell ``listener`` of every new value."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: SharedValueListener) -> None:
        """Stop telling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    # ------------------------------------------------------------------ a lost reply

    def _settle(self, previous: VersionedValue[bytes], new_value: bytes, error: Exception) -> str:
        """NOT_APPLIED or LOST_RACE for our lost ``set``; raise OutcomeUnknownError otherwise."""
        if isinstance(error, ConnectionClosedError):
            raise unknown(self.path, "try_set_value", "the client is closed") from error
        try:
            self.client.retry(self.client.sync, self.path)
            data, stat = self.client.retry(self.client.get, self.path)
            found: tuple[bytes, ZnodeStat] | None = (data or b"", stat)
        except NoNodeError:
            found = None
        except Exception as read_error:
            raise unknown(self.path, "try_set_value", f"reading it back failed ({read_error!r})") from error
        if found is not None:  # newer by mzxid only: a no-op when nothing changed
            self._update(found[1], found[0])
        return settle(self.path, "try_set_value", previous.version, previous.zxid, new_value, found, error)

    # ------------------------------------------------------------------ reading

    def _require_started(self) -> None:
        if not self._started or self._closed:
            raise RuntimeError("not started")

    def _read(self) -> None:
        data, stat = self.client.retry(self.client.get, self.path, self._watcher)
        self._update(stat, data or b"")

    def _on_watch(self, event: WatchedEvent) -> None:
        self._reread()

    def _reread(self) -> None:
        if self._closed:
            return
        try:
            self.client.get_async(self.path, watch=self._watcher).rawlink(self._on_read)
        except Exception:  # the client is stopping; a reconnect reads again
            log.debug("re-reading %s failed", self.path, exc_info=True)

    def _on_read(self, result: Any) -> None:
        if result.exception is not None:
            if not isinstance(result.exception, NoNodeError):
                log.debug("reading %s failed: %r", self.path, result.exception)
            return
        data, stat = result.get(timeout=0)
        self._update(stat, data or b"")

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.CONNECTED:
            with self._lock:
                again, self._disconnected = self._disconnected, False
            if again:
                self._reread()
        else:
            with self._lock:
                self._disconnected = True
        self._tell_state(state)

    def _tell_state(self, state: ZkState) -> None:
        with self._lock:
            listeners = [] if self._closed else list(self._listeners)
        for listener in listeners:
            state_changed = getattr(listener, "state_changed", None)
            if state_changed is None:
                continue
            try:
                state_changed(self.client, state)
            except Exception:
                log.exception("SharedValue listener %r failed", listener)

    def _update(self, stat: ZnodeStat, value: bytes) -> None:
        with self._lock:
            if not is_newer(stat.mzxid, self._current.zxid):
                return
            self._current = VersionedValue(stat.version, value, stat.mzxid)
            listeners = [] if self._closed else list(self._listeners)
        for listener in listeners:
            try:
                listener.value_has_changed(self, value)
            except Exception:
                log.exception("SharedValue listener %r failed", listener)
