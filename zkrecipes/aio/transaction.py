"""Transactions and multi-read on asyncio: the sync builders' checks, committed with ``await``.

:class:`AsyncTransaction` and :class:`AsyncMultiRead` hold the sync builders
(:class:`~zkrecipes.client.transaction.TransactionRequest`,
:class:`~zkrecipes.client.transaction.MultiReadBuilder`) and add nothing but the
awaited commit: arguments are checked when an operation is added, by the same
code, and committing is the same single request run by ``run_asyncio``.
``async with zk.transaction() as t:`` commits on a clean exit.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from zkrecipes.client.api.aio_driver import run_asyncio
from zkrecipes.client.transaction import MultiReadBuilder, TransactionRequest
from zkrecipes.security import ACL

if TYPE_CHECKING:
    from zkrecipes.aio.bindings import AsyncClientOperations
    from zkrecipes.client.api.bindings import ClientOperations

__all__ = ["AsyncMultiRead", "AsyncTransaction"]


def _as_builder_client(client: AsyncClientOperations) -> ClientOperations:
    # The builders only read ``client._ctx`` (argument checks); committing is ours.
    return cast("ClientOperations", client)


class AsyncTransaction:
    """An atomic set of writes; ``await t.commit()`` returns one result per operation
    (see :class:`~zkrecipes.client.transaction.TransactionRequest` for the results)."""

    def __init__(self, client: AsyncClientOperations) -> None:
        self._client = client
        self._builder = TransactionRequest(_as_builder_client(client))

    @property
    def committed(self) -> bool:
        return self._builder.committed

    @property
    def operations(self) -> list[Any]:
        return self._builder.operations

    def create(self, path: str, value: bytes = b"", acl: list[ACL] | None = None, ephemeral: bool = False,
               sequence: bool = False, ttl: int | None = None, container: bool = False) -> None:
        """Add a create (same arguments as ``create`` minus makepath)."""
        self._builder.create(path, value, acl, ephemeral, sequence, ttl, container)

    def delete(self, path: str, version: int = -1) -> None:
        """Add a delete of ``path`` (at ``version``, -1 for any)."""
        self._builder.delete(path, version)

    def set_data(self, path: str, value: bytes, version: int = -1) -> None:
        """Add a set of ``path``'s data (at ``version``, -1 for any)."""
        self._builder.set_data(path, value, version)

    def check(self, path: str, version: int) -> None:
        """Add a check that ``path`` is at ``version``."""
        self._builder.check(path, version)

    async def commit(self) -> list[Any]:
        """Send the transaction and return the per-operation results."""
        return await run_asyncio(self._builder._call(), self._client)

    async def __aenter__(self) -> AsyncTransaction:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if exc_type is None:
            await self.commit()


class AsyncMultiRead:
    """A read-only multi (ZooKeeper 3.6+): ``get``/``get_children``, then ``await commit()``."""

    def __init__(self, client: AsyncClientOperations) -> None:
        self._client = client
        self._builder = MultiReadBuilder(_as_builder_client(client))

    def get(self, path: str) -> None:
        """Add a read of ``path``'s data and stat."""
        self._builder.get(path)

    def get_children(self, path: str) -> None:
        """Add a read of ``path``'s children."""
        self._builder.get_children(path)

    async def commit(self) -> list[Any]:
        """Send the reads; one entry per read (a value, or the exception of a failed read)."""
        return await run_asyncio(self._builder._call(), self._client)
