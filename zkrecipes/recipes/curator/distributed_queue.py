"""DistributedQueue: Curator's queue with framed items, on Curator's znode layout.

Interoperable with Curator's ``DistributedQueue`` (no lock path) on the same
path: items are ``<path>/queue-<seq>`` (PERSISTENT_SEQUENTIAL) holding one or
more items in Curator's framing (:mod:`._queue_format`); ``<path>`` itself is
created with the default data (parents as containers). A consumer takes
children in name order, skips names not starting with ``queue-``, and deletes
a node (at the version it read) *before* returning its items — Curator's
"at most once" mode: an item taken by a consumer that then dies is gone.

Items are bytes here (Curator's ``QueueSerializer`` is the user's: a Java
peer with a UTF-8 String serializer reads ``"text".encode()``). A node
holding several items (``put_multi``) is returned one item per ``take``
(the others are kept in this object, already deleted from ZooKeeper).
Not built yet: the lock path ("at least once"), priority, delay and id queues.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import BadVersionError, NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._queue_format import decode_items, encode_items
from zkrecipes.recipes.curator._queue_wait import take_when_ready

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["DistributedQueue"]

PREFIX = "queue-"


class DistributedQueue:
    """A FIFO of byte items shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)
        self._buffer: deque[bytes] = deque()
        self._lock = client.handler.lock_object()

    def __repr__(self) -> str:
        return f"DistributedQueue({self.path!r})"

    def start(self) -> None:
        """Create the queue node (default data) if absent."""
        try:
            create_with_containers(self.client, self.path, local_address(), Deadline(None))
        except NodeExistsError:
            pass

    def close(self) -> None:
        """Nothing to release (kept for Curator's life cycle); buffered items stay takeable."""

    def __enter__(self) -> DistributedQueue:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def put(self, item: bytes) -> None:
        """Append one item."""
        self.put_multi([item])

    def put_multi(self, items: Iterable[bytes]) -> None:
        """Append several items in one node (taken together, in order)."""
        data = encode_items(items)
        try:
            self.client.retry(self.client.create, join_path(self.path, PREFIX), data, sequence=True)
        except NoNodeError:
            self.start()
            self.client.retry(self.client.create, join_path(self.path, PREFIX), data, sequence=True)

    def take(self, timeout: float | None = None) -> bytes | None:
        """The next item, waiting up to ``timeout`` seconds (None: until there is one)."""
        with self._lock:
            if self._buffer:
                return self._buffer.popleft()
        deadline = Deadline(check_timeout(timeout))
        return take_when_ready(self.client, self.path, deadline, self._take)

    def _take(self, children: list[str]) -> bytes | None:
        for name in sorted(child for child in children if child.startswith(PREFIX)):
            path = join_path(self.path, name)
            try:
                data, stat = self.client.retry(self.client.get, path)
                self.client.delete(path, version=stat.version)
            except (NoNodeError, BadVersionError):
                continue  # another consumer took it
            items = decode_items(data)
            if not items:
                continue
            with self._lock:
                self._buffer.extend(items[1:])
            return items[0]
        return None
