"""Lease: one lease of an InterProcessSemaphoreV2 (its node under ``<path>/leases``)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError
from zkrecipes.recipes._reaper import delete_own_node

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["Lease"]


class Lease:
    """A held lease; :meth:`close` returns it (deletes its node, now or after the next reconnect).

    Closing twice is harmless. Usable with ``with``.
    """

    def __init__(self, client: RecipeClient, leases_path: str, name: str, prefix: str) -> None:
        self._client = client
        self._parent = leases_path
        self._name = name
        self._prefix = prefix
        self._closed = False

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

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
