"""SimpleDistributedQueue: Curator's simple queue of raw bytes, on Curator's znode layout.

Interoperable with Curator's ``SimpleDistributedQueue`` on the same path:
items are ``<path>/qn-<seq>`` (PERSISTENT_SEQUENTIAL, raw bytes, parents as
containers); the head is the lowest name; other children are ignored. Taking
an item reads it and deletes it (a node another consumer deleted first is
skipped), so each item goes to one consumer. Nothing is lost on SUSPENDED or
LOST (the items are persistent); an item read whose delete then failed with
the connection is not returned (it stays for the next taker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._queue_names import SIMPLE_PREFIX, QueueKind, order
from zkrecipes.recipes.curator._queue_wait import take_when_ready

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["SimpleDistributedQueue"]

PREFIX = SIMPLE_PREFIX


class SimpleDistributedQueue:
    """A FIFO of bytes shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)

    def __repr__(self) -> str:
        return f"SimpleDistributedQueue({self.path!r})"

    def offer(self, data: bytes) -> bool:
        """Append ``data``; True."""
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        create_with_containers(self.client, join_path(self.path, PREFIX), data, Deadline(None), sequence=True)
        return True

    def peek(self) -> bytes | None:
        """The head item without taking it, or None."""
        for name in self._ordered():
            try:
                data, _stat = self.client.retry(self.client.get, join_path(self.path, name))
            except NoNodeError:
                continue
            return data or b""
        return None

    def poll(self, timeout: float | None = 0) -> bytes | None:
        """Take the head item, waiting up to ``timeout`` seconds (None: until there is one)."""
        deadline = Deadline(check_timeout(timeout))
        first = self._take(self._ordered())
        if first is not None or (timeout is not None and timeout <= 0):
            return first
        return take_when_ready(self.client, self.path, deadline,
                               lambda children: self._take(self._sort(children)))

    def take(self) -> bytes:
        """Take the head item, waiting until there is one."""
        item = self.poll(None)
        assert item is not None
        return item

    # ------------------------------------------------------------------ steps

    @staticmethod
    def _sort(children: list[str]) -> list[str]:
        return order(children, QueueKind.SIMPLE, 0)[0]

    def _ordered(self) -> list[str]:
        try:
            return self._sort(self.client.retry(self.client.get_children, self.path))
        except NoNodeError:
            return []

    def _take(self, ordered: list[str]) -> bytes | None:
        for name in ordered:
            path = join_path(self.path, name)
            try:
                data, _stat = self.client.retry(self.client.get, path)
                self.client.delete(path)
            except NoNodeError:
                continue  # another consumer took it
            return data or b""
        return None
