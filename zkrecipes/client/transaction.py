"""Transactions (multi) and read-only multi (multi-read) builders.

A :class:`TransactionRequest` collects create/delete/set_data/check operations
and commits them atomically; :class:`MultiReadBuilder` collects get /
get_children reads answered together. Arguments are checked when an
operation is added (with the same request builders as the client's own
create/delete/set, :mod:`zkrecipes.client.api.nodes`), so a bad argument never
reaches the server. Committing is one request (a :class:`~.api.steps.Call`),
run by the client's drivers: ``commit()`` blocks, ``commit_async()`` does not.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, ClassVar, TypeVar

from zkrecipes.client import validation as v
from zkrecipes.client.api.bindings import ClientOperations
from zkrecipes.client.api.drivers import run_callback, run_sync
from zkrecipes.client.api.nodes import create_request, delete_request, set_request
from zkrecipes.client.api.steps import Call
from zkrecipes.client.handlers.interface import AsyncResult
from zkrecipes.client.protocol.multi import MultiReadRequest, MultiRequest
from zkrecipes.client.protocol.requests import (
    CheckVersionRequest,
    CreateRequest,
    DeleteRequest,
    GetChildrenRequest,
    GetDataRequest,
    SetDataRequest,
)
from zkrecipes.exceptions import InvalidTypeError, TransactionCommittedError, make_error
from zkrecipes.security import ACL

__all__ = ["MultiReadBuilder", "TransactionRequest", "multi_results"]

_WriteOp = CreateRequest | DeleteRequest | SetDataRequest | CheckVersionRequest
_BatchT = TypeVar("_BatchT", bound="_Batch")


def multi_results(results: list[Any]) -> list[Any]:
    """kazoo's per-op results: delete and check give ``True`` instead of ``None``."""
    return [True if r is None else r for r in results]


def _convert_multi(err: int, result: Any) -> list[Any]:
    if err:
        raise make_error(err)
    return multi_results(result)


def _check_bytes(value: object) -> None:
    """A transaction's data must be bytes: kazoo refuses None here (unlike ``create``/``set``)."""
    if value is None:
        raise InvalidTypeError("Invalid type for 'value' (must be a byte string)")


class _Batch:
    """What both builders share: ``commit()``/``commit_async()`` and the context-manager protocol.

    ``with builder:`` gives the builder; on a clean exit it commits when
    ``_commit_on_exit`` is set.
    """

    _commit_on_exit: ClassVar[bool] = False

    def __init__(self, client: ClientOperations) -> None:
        self.client = client
        self.committed = False

    def _call(self) -> Call[list[Any]]:
        raise NotImplementedError

    def commit_async(self) -> AsyncResult[list[Any]]:
        """Send the batch; the result completes with the list of per-operation results."""
        return run_callback(self._call(), self.client)

    def commit(self) -> list[Any]:
        """Send the batch and wait for the per-operation results."""
        return run_sync(self._call(), self.client)

    def __enter__(self: _BatchT) -> _BatchT:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._commit_on_exit:
            self.commit()


class TransactionRequest(_Batch):
    """An atomic set of write operations (kazoo's ``TransactionRequest``).

    Add operations with :meth:`create`, :meth:`delete`, :meth:`set_data` and
    :meth:`check`, then :meth:`commit`. ``commit()`` returns one result per
    operation: the created path, ``True`` for delete/check, the new
    :class:`~zkrecipes.ZnodeStat` for set_data; when the transaction fails,
    every entry is an exception instance (``RolledBackError`` before the
    failing op, its own error for the failing op, ``RuntimeInconsistency``
    after it) and nothing was applied. Used as a context manager it commits
    on a clean exit. Not thread-safe.
    """

    _commit_on_exit = True

    def __init__(self, client: ClientOperations) -> None:
        super().__init__(client)
        self.operations: list[_WriteOp] = []
        self._size = 0

    def _add(self, op: _WriteOp, size: int) -> None:
        if self.committed:
            raise TransactionCommittedError("Transaction already committed")
        self._size += size + 16
        v.check_size(self._size, self.client._ctx.max_request_size)
        self.operations.append(op)

    def create(
        self,
        path: str,
        value: bytes = b"",
        acl: list[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        ttl: int | None = None,
        container: bool = False,
    ) -> None:
        """Add a create (same arguments as ``ZkClient.create`` minus makepath; ``value`` must be bytes)."""
        _check_bytes(value)
        op = create_request(self.client._ctx, path, value, acl, ephemeral, sequence, ttl, container)
        self._add(op, v.estimate_size(op.path, op.data, op.acl))

    def delete(self, path: str, version: int = -1) -> None:
        """Add a delete of ``path`` (at ``version``, -1 for any)."""
        op = delete_request(path, version)
        self._add(op, v.estimate_size(op.path))

    def set_data(self, path: str, value: bytes, version: int = -1) -> None:
        """Add a set of ``path``'s data (at ``version``, -1 for any; ``value`` must be bytes)."""
        _check_bytes(value)
        op = set_request(path, value, version)
        self._add(op, v.estimate_size(op.path, op.data))

    def check(self, path: str, version: int) -> None:
        """Add a check that ``path`` is at ``version``; the transaction fails otherwise."""
        p = v.check_path(path)
        self._add(CheckVersionRequest(p, v.check_version(version)), v.estimate_size(p))

    def _call(self) -> Call[list[Any]]:
        if self.committed:
            raise TransactionCommittedError("Transaction already committed")
        self.committed = True
        return Call(MultiRequest(list(self.operations)), _convert_multi)


class MultiReadBuilder(_Batch):
    """A read-only multi: several reads answered together (ZooKeeper 3.6+).

    ``commit()`` returns one entry per read: ``(bytes, ZnodeStat)`` for
    :meth:`get`, a list of child names for :meth:`get_children`, or the
    exception instance of a read that failed (the others still succeed).
    """

    def __init__(self, client: ClientOperations) -> None:
        super().__init__(client)
        self.operations: list[GetDataRequest | GetChildrenRequest] = []

    def _check_open(self) -> None:
        if self.committed:
            raise TransactionCommittedError("multi-read already committed")

    def get(self, path: str) -> None:
        """Add a read of ``path``'s data and stat."""
        self._check_open()
        self.operations.append(GetDataRequest(v.check_path(path)))

    def get_children(self, path: str) -> None:
        """Add a read of ``path``'s children."""
        self._check_open()
        self.operations.append(GetChildrenRequest(v.check_path(path)))

    def _call(self) -> Call[list[Any]]:
        self._check_open()
        self.committed = True
        return Call(MultiReadRequest(list(self.operations)))
