"""PersistentNode: a node that stays there (Curator's ``PersistentNode``), on Curator's layout.

Interoperable with Curator's ``PersistentNode`` (and ``GroupMember``, built on
it): the node is ``<base_path>`` — or ``<parent>/_c_<uuid>-<name>`` with
``use_protection`` — created with the mode given (ephemeral and/or
sequential; a ``ttl`` in ms for persistent TTL nodes), parents as
containers. It is kept: deleted (by anyone) or gone with a LOST session, it is
created again; a node already there under the exact path is taken over and
given our data (as Curator does). ``set_data`` writes the data now and for
every re-creation.

The work runs on one worker of the client's handler, woken by an existence
watch on the node and by session changes. SUSPENDED: nothing to do (an
ephemeral node lives with the session). LOST: the ephemeral node is gone and
is created again in the new session. ``close()`` deletes the node and stops.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path, split_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._reaper import reap
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import ensure_containers
from zkrecipes.recipes.curator._ordering import new_protected_prefix
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Joinable, RecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["PersistentNode"]

log = logging.getLogger(__name__)


class PersistentNode:
    """A node kept in place (see the module docstring)."""

    def __init__(self, client: RecipeClient, base_path: str, data: bytes = b"", *, ephemeral: bool = True,
                 sequential: bool = False, use_protection: bool = False, ttl: int | None = None) -> None:
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        self.client = client
        self.base_path = check_path(base_path, "base_path")
        self.ephemeral = ephemeral
        self.sequential = sequential
        self.use_protection = use_protection
        self.ttl = ttl
        self._data = data
        self._lock = client.handler.lock_object()
        self._signal = client.handler.event_object()
        self._created = client.handler.event_object()
        self._actual: str | None = None
        self._prefix = new_protected_prefix() if use_protection else ""
        self._running = False
        self._closed = False
        self._worker: Joinable | None = None

    def __repr__(self) -> str:
        return f"PersistentNode({self.base_path!r}, actual={self._actual!r})"

    def start(self) -> None:
        """Begin creating (and keeping) the node, in the background."""
        with self._lock:
            if self._running or self._closed:
                raise RuntimeError("Cannot be started more than once")
            self._running = True
        self.client.add_listener(self._on_state)
        self._worker = self.client.handler.spawn(self._run)
        self._signal.set()

    def wait_for_initial_create(self, timeout: float | None = None) -> bool:
        """Wait until the node was created once; whether it was."""
        return self._created.wait(check_timeout(timeout))

    def get_actual_path(self) -> str | None:
        """The node's path (with protection/sequence), or None before it was created."""
        return self._actual

    def get_data(self) -> bytes:
        """The data this node is kept with."""
        return self._data

    def set_data(self, data: bytes) -> None:
        """Use ``data`` from now on (written now if the node exists)."""
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        with self._lock:
            self._data = data
            actual = self._actual
        if actual is not None:
            try:
                self.client.retry(self.client.set, actual, data)
            except NoNodeError:
                self._signal.set()  # the worker creates it again with the new data

    def close(self, timeout: float = 30.0) -> None:
        """Stop keeping the node and delete it."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            actual, self._actual = self._actual, None
        safe_remove_listener(self.client, self._on_state)
        self._signal.set()
        if self._worker is not None:
            self._worker.join(timeout)
        if actual is not None:
            try:
                self.client.retry(self.client.delete, actual)
            except NoNodeError:
                pass
        elif self.use_protection:
            parent = split_path(self.base_path)[0]
            reap(self.client, parent, self._prefix, try_now=self.client.connected)

    def __enter__(self) -> PersistentNode:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the worker

    def _run(self) -> None:
        failures = 0
        while True:
            self._signal.wait()
            self._signal.clear()
            if self._closed:
                return
            try:
                self._ensure()
                failures = 0
            except Exception as error:
                failures += 1
                if not is_retryable(error):
                    log.exception("persistent node %s: could not create it", self.base_path)
                self._signal.wait(min(2.0, 0.05 * 2 ** failures))
                self._signal.set()

    def _ensure(self) -> None:
        """Make sure the node exists (watching it); create it if not."""
        actual = self._actual
        if actual is not None and self.client.retry(self.client.exists, actual, self._on_watch) is not None:
            return
        path = self.base_path
        if self.use_protection:
            parent, name = split_path(path)
            path = join_path(parent, self._prefix + name)
        created = self._create(path)
        with self._lock:
            if self._closed:
                closing = True
            else:
                closing = False
                self._actual = created
        if closing:
            try:
                self.client.retry(self.client.delete, created)
            except NoNodeError:
                pass
            return
        self._created.set()
        if self.client.retry(self.client.exists, created, self._on_watch) is None:
            self._signal.set()

    def _create(self, path: str) -> str:
        for _ in range(8):
            try:
                return str(self.client.create(path, self._data, ephemeral=self.ephemeral,
                                              sequence=self.sequential, ttl=self.ttl))
            except NoNodeError:
                ensure_containers(self.client, path, Deadline(None))
            except NodeExistsError:
                # already there (ours from an earlier session, or another's): take it over
                self.client.retry(self.client.set, path, self._data)
                return path
        raise NoNodeError(f"create of {path}: the parent kept vanishing")

    def _on_watch(self, event: WatchedEvent) -> None:
        self._signal.set()

    def _on_state(self, state: ZkState) -> None:
        if state == ZkState.CONNECTED:
            self._signal.set()
