"""SharedValue on asyncio: Curator's shared bytes (``zkrecipes.recipes.curator.SharedValue`` with ``await``).

The same node and rules as the sync recipe, so sync, asyncio and Curator
processes share one value: one PERSISTENT node holding the raw bytes, created
with the seed by ``await start()`` if absent (container parents), read with a
data watch and read again on every change; a read replaces the value only
when it is newer by **mzxid** (CURATOR-688), a write conditional on version
``-1`` is refused (ZOOKEEPER-4743), and a lost reply is settled by reading
the node back (:mod:`zkrecipes.recipes.curator._conditional_write`): sent
again when proven not applied, False when another write took the version,
else :class:`~zkrecipes.exceptions.OutcomeUnknownError`.

Listeners: objects with ``value_has_changed(shared_value, new_value)`` and
optionally ``state_changed(client, state)``, or a bare callable
``(shared_value, new_value)``; each may be a plain or a coroutine function.
They run in order on this object's callback queue (a slow one delays only
this object's later calls).

**Cancellation**: a cancelled ``try_set_value`` is settled as a lost reply:
``CancelledError`` when the read-back proves our write was not applied,
``OutcomeUnknownError`` (from the ``CancelledError``) otherwise. A cancelled
``start()`` closes the object. SUSPENDED: the last value stays readable
(maybe stale); CONNECTED again: the value is read again and listeners told.
``await close()`` removes the connection listener and the data watch.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from zkrecipes.aio._callbacks import CallbackQueue
from zkrecipes.aio.recipes.curator._counter_io import create_with_containers, write_settled
from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.exceptions import BadVersionError, ConnectionClosedError, NodeExistsError, ZkException
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._conditional_write import (
    NOT_APPLIED,
    RESENDS,
    check_conditional_version,
    is_newer,
    same_read,
    unknown,
)
from zkrecipes.recipes.curator.versioned_value import VersionedValue
from zkrecipes.states import ZkState, ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["SharedValue"]

log = logging.getLogger(__name__)

_UNREAD = -1  # version and zxid before the first read (Curator's UNINITIALIZED_VERSION)


class SharedValue:
    """Bytes shared with sync zkrecipes and Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, seed_value: bytes) -> None:
        if not isinstance(seed_value, bytes):
            raise TypeError("seed_value must be bytes")
        self.client = client
        self.path = check_path(path)
        self._seed = seed_value
        self._current: VersionedValue[bytes] = VersionedValue(_UNREAD, seed_value, _UNREAD)
        self._listeners: list[Any] = []
        self._queue = CallbackQueue(f"shared-value-{self.path}")
        self._started = False
        self._closed = False
        self._disconnected = False
        self._reader: asyncio.Task[None] | None = None
        self._again = False
        self._watcher = self._on_watch  # one object: the same callable to set and to remove

    def __repr__(self) -> str:
        return f"SharedValue({self.path!r}, version={self._current.version})"

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Create the node with the seed if absent, then read it (and watch it)."""
        if self._started:
            raise RuntimeError("Cannot be started more than once")
        self._started = True
        self._queue.start()
        try:
            try:
                await self.client.retry(create_with_containers, self.client, self.path, self._seed)
            except NodeExistsError:
                pass
            self.client.add_listener(self._on_state)
            await self._read()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop following the value: remove the connection listener, the data watch and the listeners."""
        was_open = self._started and not self._closed
        self._closed = True
        self._listeners.clear()
        safe_remove_listener(self.client, self._on_state)  # type: ignore[arg-type]
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
        if was_open and self.client.connected:
            try:
                await self.client.remove_watches(self.path, self._watcher, WatcherType.DATA)
            except ZkException:  # already fired, or the connection went: it fires into nothing
                log.debug("removing the watch of %s failed", self.path, exc_info=True)
        self._queue.stop()

    async def __aenter__(self) -> SharedValue:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ Curator's API

    def get_value(self) -> bytes:
        """The value last seen."""
        return self._current.value

    def get_versioned_value(self) -> VersionedValue[bytes]:
        """The value last seen, with its version and mzxid."""
        return self._current

    async def set_value(self, new_value: bytes) -> None:
        """Write ``new_value`` unconditionally."""
        self._require_started()
        stat = await self.client.retry(self.client.set, self.path, new_value)
        self._update(stat, new_value)

    async def try_set_value(self, previous: VersionedValue[bytes], new_value: bytes) -> bool:
        """Write ``new_value`` only if the node is still at ``previous``; True when written.

        Raises ValueError when the node's version wrapped to -1, and
        OutcomeUnknownError when a lost reply (or a cancellation) leaves the outcome unproven.
        """
        self._require_started()
        current = self._current
        if not same_read((previous.version, previous.zxid, previous.value),
                         (current.version, current.zxid, current.value)):
            return False
        check_conditional_version(self.path, previous.version)

        def write() -> Any:
            return self.client.set(self.path, new_value, version=previous.version)

        for _ in range(RESENDS):
            try:
                outcome = await write_settled(self.client, self.path, "try_set_value", write,
                                              previous.version, previous.zxid, new_value, self._seen)
            except BadVersionError:
                await self._read()
                return False
            if isinstance(outcome, ZnodeStat):
                self._update(outcome, new_value)
                return True
            if outcome != NOT_APPLIED:
                return False
        raise unknown(self.path, "try_set_value", "the connection kept failing")

    def add_listener(self, listener: Any) -> None:
        """Tell ``listener`` of every new value (see the module docstring for its shape)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Any) -> None:
        """Stop telling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    # ------------------------------------------------------------------ reading

    def _require_started(self) -> None:
        if not self._started or self._closed:
            raise RuntimeError("not started")

    async def _read(self) -> None:
        data, stat = await self.client.retry(self.client.get, self.path, watch=self._watcher)
        self._update(stat, data or b"")

    def _seen(self, found: tuple[bytes, ZnodeStat]) -> None:
        self._update(found[1], found[0])

    def _on_watch(self, event: WatchedEvent) -> None:
        self._reread()

    def _reread(self) -> None:
        """Read again in a task of our own (one at a time; a change meanwhile reads once more)."""
        if self._closed:
            return
        if self._reader is not None and not self._reader.done():
            self._again = True
            return
        self._reader = asyncio.get_running_loop().create_task(self._read_loop(), name=f"zkrecipes-{self}")

    async def _read_loop(self) -> None:
        while not self._closed:
            self._again = False
            try:
                await self._read()
            except ConnectionClosedError:
                return
            except Exception as error:  # missing node, or the connection went: a reconnect reads again
                log.debug("re-reading %s failed: %r", self.path, error)
                return
            if not self._again:
                return

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.CONNECTED:
            again, self._disconnected = self._disconnected, False
            if again:
                self._reread()
        else:
            self._disconnected = True
        if not self._closed:
            for listener in list(self._listeners):
                state_changed = getattr(listener, "state_changed", None)
                if state_changed is not None:
                    self._queue.put(state_changed, self.client, state)

    def _update(self, stat: ZnodeStat, value: bytes) -> None:
        if not is_newer(stat.mzxid, self._current.zxid):
            return
        self._current = VersionedValue(stat.version, value, stat.mzxid)
        if self._closed:
            return
        for listener in list(self._listeners):
            told = getattr(listener, "value_has_changed", None)
            self._queue.put(told if told is not None else listener, self, value)
