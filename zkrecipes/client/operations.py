"""Node operations: create, ensure_path, exists, get, set, get_children, delete, ACLs, sync, auth.

Each ``x`` is ``x_async(...).get()``; arguments are checked once, in the
async variant, before anything is queued.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from zkrecipes.client import validation as v
from zkrecipes.client.core import ClientCore
from zkrecipes.client.handlers.interface import AsyncResult
from zkrecipes.client.protected import ProtectedCreate, protected_path
from zkrecipes.client.protocol.requests import (
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetACLRequest,
    GetChildren2Request,
    GetChildrenRequest,
    GetDataRequest,
    SetACLRequest,
    SetDataRequest,
    SyncRequest,
)
from zkrecipes.client.transaction import TransactionRequest
from zkrecipes.client.tree import delete_tree
from zkrecipes.exceptions import NodeExistsError, NoNodeError, make_error
from zkrecipes.security import ACL, OPEN_ACL_UNSAFE
from zkrecipes.states import WatchedEvent, ZnodeStat

WatchFunc = Callable[[WatchedEvent], Any]
_NONODE = NoNodeError.code


def _exists_result(err: int, result: Any) -> Any:
    if err == _NONODE:
        return None
    if err:
        raise make_error(err)
    return result


def _true_result(err: int, result: Any) -> bool:
    if err:
        raise make_error(err)
    return True


def _parent(path: str) -> str:
    """The parent of a (possibly sequential, trailing-slash) path."""
    if len(path) > 1 and path.endswith("/"):
        return path[:-1]
    cut = path.rfind("/")
    return path[:cut] if cut > 0 else "/"


def relay(src: AsyncResult, dst: AsyncResult) -> None:
    """Complete ``dst`` like ``src`` once ``src`` is ready."""

    def done(result: AsyncResult) -> None:
        exc = result.exception
        if exc is None:
            dst.set(result.value)
        else:
            dst.set_exception(exc)

    src.rawlink(done)


class NodeOperations(ClientCore):
    """The kazoo node API (sync and ``*_async``)."""

    # ------------------------------------------------------------------ create

    def create(
        self,
        path: str,
        value: bytes = b"",
        acl: Sequence[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        makepath: bool = False,
        include_data: bool = False,
        ttl: int | None = None,
        container: bool = False,
        protected: bool = False,
    ) -> Any:
        """Create a node; return its path, or ``(path, ZnodeStat)`` with ``include_data``.

        ``sequence`` appends a 10-digit counter; ``makepath`` creates missing
        parents; ``ttl`` (ms) makes a persistent TTL node; ``container`` a
        container node; ``protected`` names the node ``<parent>/_c_<guid>-<name>``
        so that a create interrupted by ConnectionLoss is found again on retry
        (never leaked nor duplicated). Raises NodeExistsError, NoNodeError,
        NoChildrenForEphemeralsError, …
        """
        return self.create_async(
            path, value, acl, ephemeral, sequence, makepath, include_data, ttl, container, protected
        ).get()

    def create_async(
        self,
        path: str,
        value: bytes = b"",
        acl: Sequence[ACL] | None = None,
        ephemeral: bool = False,
        sequence: bool = False,
        makepath: bool = False,
        include_data: bool = False,
        ttl: int | None = None,
        container: bool = False,
        protected: bool = False,
    ) -> AsyncResult:
        """Asynchronous :meth:`create`."""
        seq = v.check_bool(sequence, "sequence")
        v.check_path(path, sequential=seq)
        data = v.check_value(value)
        if acl is None:
            acl = self.default_acl or OPEN_ACL_UNSAFE
        acls = v.check_acl(acl)
        flags, ttl_ms = v.create_mode(ephemeral, seq, container, ttl)
        make = v.check_bool(makepath, "makepath")
        with_stat = v.check_bool(include_data, "include_data")
        guid = None
        if v.check_bool(protected, "protected"):
            path, guid = protected_path(path)
        v.check_size(v.estimate_size(path, data, acls), self.max_request_size)
        request = CreateRequest(path, data, acls, flags, ttl_ms, with_stat)
        if guid is not None:
            return ProtectedCreate(self, request, guid, make).start()
        if not make:
            return self._submit(request)
        return self._create_makepath(request)

    def _create_makepath(self, request: CreateRequest) -> AsyncResult:
        outer = self.handler.async_result()

        def created(result: AsyncResult) -> None:
            exc = result.exception
            if exc is None:
                outer.set(result.value)
            elif isinstance(exc, NoNodeError):
                self.ensure_path_async(_parent(request.path), request.acl).rawlink(parent_made)
            else:
                outer.set_exception(exc)

        def parent_made(result: AsyncResult) -> None:
            exc = result.exception
            if exc is None:
                relay(self._submit(request), outer)
            else:
                outer.set_exception(exc)

        self._submit(request).rawlink(created)
        return outer

    def ensure_path(self, path: str, acl: Sequence[ACL] | None = None) -> bool:
        """Create ``path`` and its missing parents (persistent, empty); return True."""
        result: bool = self.ensure_path_async(path, acl).get()
        return result

    def ensure_path_async(self, path: str, acl: Sequence[ACL] | None = None) -> AsyncResult:
        """Asynchronous :meth:`ensure_path`."""
        v.check_path(path)
        acls = v.check_acl(acl if acl is not None else (self.default_acl or OPEN_ACL_UNSAFE))
        outer = self.handler.async_result()
        request = CreateRequest(path, b"", acls)

        def exists_done(result: AsyncResult) -> None:
            exc = result.exception
            if exc is not None:
                outer.set_exception(exc)
            elif result.value is not None or path == "/":
                outer.set(True)
            else:
                self._create_makepath(request).rawlink(create_done)

        def create_done(result: AsyncResult) -> None:
            exc = result.exception
            if exc is None or isinstance(exc, NodeExistsError):
                outer.set(True)
            else:
                outer.set_exception(exc)

        self._submit(ExistsRequest(path), _exists_result).rawlink(exists_done)
        return outer

    # ------------------------------------------------------------------- reads

    def exists(self, path: str, watch: WatchFunc | None = None) -> ZnodeStat | None:
        """Return the node's ZnodeStat, or None if it does not exist.

        ``watch`` is called once with a WatchedEvent when the node is created,
        changed or deleted.
        """
        result: ZnodeStat | None = self.exists_async(path, watch).get()
        return result

    def exists_async(self, path: str, watch: WatchFunc | None = None) -> AsyncResult:
        """Asynchronous :meth:`exists`."""
        v.check_path(path)
        v.check_watch(watch)
        return self._submit(ExistsRequest(path, watch), _exists_result)

    def get(self, path: str, watch: WatchFunc | None = None) -> tuple[bytes, ZnodeStat]:
        """Return ``(data, ZnodeStat)``; ``watch`` fires on change or deletion. NoNodeError if absent."""
        result: tuple[bytes, ZnodeStat] = self.get_async(path, watch).get()
        return result

    def get_async(self, path: str, watch: WatchFunc | None = None) -> AsyncResult:
        """Asynchronous :meth:`get`."""
        v.check_path(path)
        v.check_watch(watch)
        return self._submit(GetDataRequest(path, watch))

    def get_children(self, path: str, watch: WatchFunc | None = None, include_data: bool = False) -> Any:
        """Return the child names, or ``(names, ZnodeStat)`` with ``include_data``.

        ``watch`` fires when a child is added or removed, or the node deleted.
        """
        return self.get_children_async(path, watch, include_data).get()

    def get_children_async(
        self, path: str, watch: WatchFunc | None = None, include_data: bool = False
    ) -> AsyncResult:
        """Asynchronous :meth:`get_children`."""
        v.check_path(path)
        v.check_watch(watch)
        if v.check_bool(include_data, "include_data"):
            return self._submit(GetChildren2Request(path, watch))
        return self._submit(GetChildrenRequest(path, watch))

    def get_acls(self, path: str) -> tuple[list[ACL], ZnodeStat]:
        """Return ``(acl_list, ZnodeStat)`` of the node."""
        result: tuple[list[ACL], ZnodeStat] = self.get_acls_async(path).get()
        return result

    def get_acls_async(self, path: str) -> AsyncResult:
        """Asynchronous :meth:`get_acls`."""
        return self._submit(GetACLRequest(v.check_path(path)))

    # ------------------------------------------------------------------ writes

    def set(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        """Set the node's data (if at ``version``, -1 for any); return the new ZnodeStat."""
        result: ZnodeStat = self.set_async(path, value, version).get()
        return result

    def set_async(self, path: str, value: bytes, version: int = -1) -> AsyncResult:
        """Asynchronous :meth:`set`."""
        v.check_path(path)
        data = v.check_value(value)
        ver = v.check_version(version)
        v.check_size(v.estimate_size(path, data), self.max_request_size)
        return self._submit(SetDataRequest(path, data, ver))

    def set_acls(self, path: str, acls: Sequence[ACL], version: int = -1) -> ZnodeStat:
        """Replace the node's ACL (if at ACL ``version``); return the new ZnodeStat."""
        result: ZnodeStat = self.set_acls_async(path, acls, version).get()
        return result

    def set_acls_async(self, path: str, acls: Sequence[ACL], version: int = -1) -> AsyncResult:
        """Asynchronous :meth:`set_acls`."""
        v.check_path(path)
        acl_list = v.check_acl(acls, "acls")
        return self._submit(SetACLRequest(path, acl_list, v.check_version(version)))

    def delete(self, path: str, version: int = -1, recursive: bool = False) -> bool:
        """Delete the node (if at ``version``); with ``recursive`` its subtree too. Returns True.

        Raises NoNodeError (not with ``recursive``), NotEmptyError, BadVersionError.
        """
        result: bool = self.delete_async(path, version, recursive).get()
        return result

    def delete_async(self, path: str, version: int = -1, recursive: bool = False) -> AsyncResult:
        """Asynchronous :meth:`delete`."""
        v.check_path(path)
        ver = v.check_version(version)
        if v.check_bool(recursive, "recursive"):
            outer = self.handler.async_result()
            self.handler.spawn(delete_tree, self, path, outer)
            return outer
        return self._submit(DeleteRequest(path, ver), _true_result)

    def sync(self, path: str) -> str:
        """Wait until the server has caught up with the leader; return the path."""
        result: str = self.sync_async(path).get()
        return result

    def sync_async(self, path: str) -> AsyncResult:
        """Asynchronous :meth:`sync`."""
        return self._submit(SyncRequest(v.check_path(path)))

    def add_auth(self, scheme: str, credential: str) -> bool:
        """Authenticate this session (kept and re-sent on reconnect); return True.

        Raises AuthFailedError (the client then stops: restart it).
        """
        result: bool = self.add_auth_async(scheme, credential).get()
        return result

    def add_auth_async(self, scheme: str, credential: str) -> AsyncResult:
        """Asynchronous :meth:`add_auth`."""
        v.check_str(scheme, "scheme")
        v.check_str(credential, "credential")
        result = self.handler.async_result()
        self._connection.add_auth(scheme, credential, result)
        return result

    def transaction(self) -> TransactionRequest:
        """A new transaction builder (commit() sends it atomically)."""
        return TransactionRequest(self)  # type: ignore[arg-type]
