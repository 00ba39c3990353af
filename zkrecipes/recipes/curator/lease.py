"""Lease: one lease of an InterProcessSemaphoreV2 (its node under ``<path>/leases``).

Beyond Curator: ``fencing_token`` (the czxid of the lease node; a later lease
of the same path has a larger one) and fenced writes, applied by the server
only while the lease node exists (:mod:`._fenced_writes`). After a LOST
session the node is gone: a fenced write raises LockLostError and writes nothing.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockNotHeldError, NoNodeError
from zkrecipes.recipes._reaper import delete_own_node
from zkrecipes.recipes.curator._fenced_writes import Fence, FencedWrites

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, Transaction
    from zkrecipes.states import ZnodeStat

__all__ = ["Lease"]


class Lease:
    """A held lease; :meth:`close` returns it (deletes its node, now or after the next reconnect).

    Closing twice is harmless, and ``close`` never raises a connection error:
    a delete whose reply is lost is retried, else done on the next reconnect.
    Usable with ``with``.
    """

    def __init__(self, client: RecipeClient, leases_path: str, name: str, prefix: str, *,
                 data: bytes = b"", token: int = 0) -> None:
        self._client = client
        self._parent = leases_path
        self._name = name
        self._prefix = prefix
        self._data = data
        self._token = token
        self._closed = False
        self._fenced = FencedWrites(client, self.get_node_name(), self.fence_nodes)

    def __repr__(self) -> str:
        return f"Lease({self.get_node_name()!r}, closed={self._closed})"

    def close(self) -> None:
        """Return the lease."""
        if self._closed:
            return
        self._closed = True
        delete_own_node(self._client, self._parent, self._name, self._prefix)

    @property
    def closed(self) -> bool:
        """True once returned."""
        return self._closed

    def get_node_name(self) -> str:
        """The full path of the lease node."""
        return join_path(self._parent, self._name)

    def get_data(self) -> bytes:
        """The lease node's data (NoNodeError once it is gone)."""
        data, _stat = self._client.retry(self._client.get, self.get_node_name())
        return data or b""

    def exists(self) -> bool:
        """True while the lease node exists (False after close or a lost session)."""
        try:
            return self._client.retry(self._client.exists, self.get_node_name()) is not None
        except NoNodeError:
            return False

    # ------------------------------------------------------------------ fencing

    @property
    def fencing_token(self) -> int | None:
        """The czxid of the lease node until :meth:`close`, else None."""
        return None if self._closed else self._token

    def fence_nodes(self) -> list[Fence]:
        """The lease node as a :class:`Fence`; LockNotHeldError once closed."""
        if self._closed:
            raise LockNotHeldError(f"lease {self.get_node_name()} was returned")
        return [Fence(self.get_node_name(), self._data, self._token)]

    def fenced_transaction(self) -> Transaction:
        """A transaction whose first operation checks the lease node exists (commit never retried)."""
        return self._fenced.transaction()

    def fenced_set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set ``path`` only while the lease node exists (LockLostError: gone, nothing written;
        OutcomeUnknownError: a lost reply could not be settled)."""
        return self._fenced.set(path, value, version)

    def fenced_create(self, path: str, value: bytes = b"", *, ephemeral: bool = False) -> str:
        """Create ``path`` only while the lease is held (as :meth:`fenced_set`)."""
        return self._fenced.create(path, value, ephemeral=ephemeral)

    def fenced_delete(self, path: str, version: int = -1) -> None:
        """Delete ``path`` only while the lease is held (as :meth:`fenced_set`)."""
        self._fenced.delete(path, version)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
