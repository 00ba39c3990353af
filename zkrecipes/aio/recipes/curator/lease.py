"""Lease on asyncio: one lease of an InterProcessSemaphoreV2 (its node under ``<path>/leases``).

As the sync :class:`zkrecipes.recipes.curator.Lease`: ``fencing_token`` (the
lease node's czxid) and fenced writes, applied by the server only while the
lease node exists (:mod:`._internals_fenced`). After a LOST session the node is
gone: a fenced write raises LockLostError and writes nothing; ``is_lost`` turns True and the
semaphore's ``on_lost(lease)`` runs (a plain callable or a coroutine function, on the client's
session queue). While the connection is down ``is_suspended`` is True. ``await close()``
returns it; the delete runs in a task of its own, so a cancelled close still
deletes the node (now, or after the reconnect).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._nodes import delete_own_node, settle, spawn
from zkrecipes.aio.recipes.curator._internals_fenced import AsyncFencedWrites, Fence
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockNotHeldError, NoNodeError
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._hold_book import HoldBook

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient, AsyncRecipeTransaction
    from zkrecipes.states import ZkState, ZnodeStat

__all__ = ["Lease"]

log = logging.getLogger(__name__)


class Lease:
    """A held lease; ``await close()`` returns it (twice is harmless; never raises a connection error).

    ``async with lease:`` closes it at the end.
    """

    def __init__(self, client: AsyncRecipeClient, leases_path: str, name: str, prefix: str, *,
                 data: bytes = b"", token: int = 0,
                 on_lost: Callable[[Lease], object] | None = None) -> None:
        self._client = client
        self._parent = leases_path
        self._name = name
        self._prefix = prefix
        self._data = data
        self._token = token
        self._closed = False
        self._fenced = AsyncFencedWrites(client, self.get_node_name(), self.fence_nodes)
        self._on_lost = on_lost
        self._book: HoldBook[str] = HoldBook(self.get_node_name())  # suspended / lost, one holder
        self._book.record(self, name)
        client.add_listener(self._on_state)

    def __repr__(self) -> str:
        return f"Lease({self.get_node_name()!r}, closed={self._closed})"

    async def close(self) -> None:
        """Return the lease (delete its node)."""
        if self._closed:
            return
        self._closed = True
        safe_remove_listener(self._client, self._on_state)  # type: ignore[arg-type]
        await settle(spawn(delete_own_node(self._client, self._parent, self._name, self._prefix),
                           f"zkrecipes-lease-{self._parent}"))

    @property
    def closed(self) -> bool:
        """True once returned."""
        return self._closed

    def get_node_name(self) -> str:
        """The full path of the lease node."""
        return join_path(self._parent, self._name)

    async def get_data(self) -> bytes:
        """The lease node's data (NoNodeError once it is gone)."""
        data, _stat = await self._client.retry(self._client.get, self.get_node_name())
        return bytes(data or b"")

    async def exists(self) -> bool:
        """True while the lease node exists (False after close or a lost session)."""
        try:
            return await self._client.retry(self._client.exists, self.get_node_name()) is not None
        except NoNodeError:
            return False

    @property
    def is_suspended(self) -> bool:
        """True while the connection is down (the lease node may still live)."""
        return self._book.suspended

    @property
    def is_lost(self) -> bool:
        """True once the lease node went with its session."""
        return self._book.lost

    @property
    def fencing_token(self) -> int | None:
        """The czxid of the lease node until :meth:`close` or a LOST session, else None."""
        return None if self._closed or self._book.lost else self._token

    def fence_nodes(self) -> list[Fence]:
        """The lease node as a :class:`Fence`; LockNotHeldError once closed, LockLostError after a LOST."""
        if self._closed:
            raise LockNotHeldError(f"lease {self.get_node_name()} was returned")
        self._book.fence(self)
        return [Fence(self.get_node_name(), self._data, self._token)]

    async def _on_state(self, state: ZkState) -> bool:
        if not self._book.on_state(state):
            return False
        if self._on_lost is not None:
            try:
                outcome = self._on_lost(self)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("on_lost callback of %r failed", self)
        return True  # lost: no more states to follow

    def fenced_transaction(self) -> AsyncRecipeTransaction:
        """A transaction whose first operation checks the lease node exists (commit never retried)."""
        return self._fenced.transaction()

    async def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while the lease node exists (LockLostError: gone, nothing written;
        OutcomeUnknownError: a lost reply could not be settled)."""
        return await self._fenced.set(path, value, version)

    async def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while the lease is held (as :meth:`fenced_set`)."""
        return await self._fenced.create(path, value, ephemeral=ephemeral)

    async def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while the lease is held (as :meth:`fenced_set`)."""
        await self._fenced.delete(path, version)

    async def __aenter__(self) -> Lease:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()
