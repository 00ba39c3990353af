"""PersistentNode on asyncio: a node that stays there (Curator's ``PersistentNode``), on Curator's layout.

The asyncio form of :class:`zkrecipes.recipes.curator.PersistentNode`, same
znodes: ``<base_path>`` — or ``<parent>/_c_<uuid>-<name>`` with
``use_protection`` — created with the mode given (ephemeral and/or
sequential; a ``ttl`` in ms for persistent TTL nodes), parents as containers.
It is kept: deleted (by anyone) or gone with a LOST session, it is created
again; a node already there under the exact path is taken over and given our
data (as Curator does). ``await set_data(data)`` writes now and for every
re-creation.

One task does the work, woken by an existence watch on the node and by
session changes. SUSPENDED: nothing to do (an ephemeral node lives with the
session). LOST: the ephemeral node is gone and is created again in the new
session. **Cancellation / close**: ``await close()`` stops the task (letting a
create in flight finish and deleting what it made), removes the session
listener and the existence watch's callback, and deletes the node (with
protection and no node known, our protected names are reaped, after the
reconnect if offline).
"""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._nodes import reap
from zkrecipes.aio.recipes.curator._contender import ensure_containers
from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.client.protocol.paths import join_path, split_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError, ZkException
from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes.curator._ordering import new_protected_prefix
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["PersistentNode"]

log = logging.getLogger(__name__)

#: How long close() lets a create in flight finish before cancelling it.
_CLOSE_WAIT = 10.0


class PersistentNode:
    """A node kept in place, on asyncio (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, base_path: str, data: bytes = b"", *,
                 ephemeral: bool = True, sequential: bool = False, use_protection: bool = False,
                 ttl: int | None = None) -> None:
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        self.client = client
        self.base_path = check_path(base_path, "base_path")
        self.ephemeral = ephemeral
        self.sequential = sequential
        self.use_protection = use_protection
        self.ttl = ttl
        self._data = data
        self._signal = asyncio.Event()
        self._created = asyncio.Event()
        self._actual: str | None = None
        self._watched: set[str] = set()
        self._prefix = new_protected_prefix() if use_protection else ""
        self._running = False
        self._closed = False
        self._worker: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"PersistentNode({self.base_path!r}, actual={self._actual!r})"

    async def start(self) -> None:
        """Begin creating (and keeping) the node, in the background. RuntimeError if started before."""
        if self._running or self._closed:
            raise RuntimeError("Cannot be started more than once")
        self._running = True
        self.client.add_listener(self._on_state)
        self._worker = asyncio.get_running_loop().create_task(self._run(),
                                                              name=f"zkrecipes-node-{self.base_path}")
        self._signal.set()

    async def wait_for_initial_create(self, timeout: float | None = None) -> bool:
        """Wait until the node was created once; whether it was (False after ``timeout`` s)."""
        try:
            await asyncio.wait_for(self._created.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def get_actual_path(self) -> str | None:
        """The node's path (with protection/sequence), or None before it was created."""
        return self._actual

    def get_data(self) -> bytes:
        """The data this node is kept with."""
        return self._data

    async def set_data(self, data: bytes) -> None:
        """Use ``data`` from now on (written now if the node exists)."""
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        self._data = data
        actual = self._actual
        if actual is not None:
            try:
                await self.client.retry(self.client.set, actual, data)
            except NoNodeError:
                self._signal.set()  # the task creates it again with the new data

    async def close(self) -> None:
        """Stop keeping the node, take back the listener and watch callbacks, delete the node."""
        if self._closed:
            return
        self._closed = True
        try:
            self.client.remove_listener(self._on_state)
        except (KeyError, ValueError):
            pass
        self._signal.set()
        worker, self._worker = self._worker, None
        if worker is not None and worker is not asyncio.current_task():
            await asyncio.wait({worker}, timeout=_CLOSE_WAIT)
            if not worker.done():
                worker.cancel()
                await asyncio.wait({worker})
        actual, self._actual = self._actual, None
        if self.client.connected:
            for path in sorted(self._watched):
                try:
                    await self.client.remove_watches(path, self._on_watch, WatcherType.ANY)
                except ZkException:
                    pass  # fired already (or offline): the callback ignores a closed node
        self._watched.clear()
        if actual is not None:
            try:
                await self.client.retry(self.client.delete, actual)
            except NoNodeError:
                pass
        elif self.use_protection:
            reap(self.client, split_path(self.base_path)[0], self._prefix)

    async def __aenter__(self) -> PersistentNode:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    # ------------------------------------------------------------------ the task

    async def _run(self) -> None:
        failures = 0
        while True:
            await self._signal.wait()
            self._signal.clear()
            if self._closed:
                return
            try:
                await self._ensure()
                failures = 0
            except Exception as error:
                failures += 1
                if not is_retryable(error):
                    log.exception("persistent node %s: could not create it", self.base_path)
                try:  # back off, unless woken (a reconnect, close)
                    await asyncio.wait_for(self._signal.wait(), min(2.0, 0.05 * 2 ** failures))
                except TimeoutError:
                    pass
                self._signal.set()

    async def _exists(self, path: str) -> bool:
        self._watched.add(path)
        return await self.client.retry(self.client.exists, path, self._on_watch) is not None

    async def _ensure(self) -> None:
        """Make sure the node exists (watching it); create it if not."""
        actual = self._actual
        if actual is not None and await self._exists(actual):
            return
        path = self.base_path
        if self.use_protection:
            parent, name = split_path(path)
            path = join_path(parent, self._prefix + name)
        created = await self._create(path)
        if self._closed:
            try:
                await self.client.retry(self.client.delete, created)
            except NoNodeError:
                pass
            return
        self._actual = created
        self._created.set()
        if not await self._exists(created):
            self._signal.set()

    async def _create(self, path: str) -> str:
        for _ in range(8):
            try:
                return str(await self.client.create(path, self._data, ephemeral=self.ephemeral,
                                                    sequence=self.sequential, ttl=self.ttl))
            except NoNodeError:
                await ensure_containers(self.client, path)
            except NodeExistsError:
                # already there (ours from an earlier session, or another's): take it over
                await self.client.retry(self.client.set, path, self._data)
                return path
        raise NoNodeError(f"create of {path}: the parent kept vanishing")

    def _on_watch(self, event: WatchedEvent) -> None:
        if not self._closed:
            self._signal.set()

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.CONNECTED:
            self._signal.set()
