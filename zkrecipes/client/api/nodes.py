"""The node operations, defined once: create, ensure_path, exists, get, get_children, ACLs, set,
delete, sync, add_auth.

Each function takes the client's :class:`~.steps.Context` then the public
arguments, checks them (raising before anything is sent), builds the request
and returns a :class:`~.steps.Call` or a plan. ``scripts/gen_api.py`` reads
this module and writes every front end's methods (sync and ``*_async``) from
these signatures, overloads and docstrings: edit here, then regenerate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, overload

from zkrecipes.client import validation as v
from zkrecipes.client.api.plans import create_makepath, delete_tree, exists_result, true_result
from zkrecipes.client.api.plans import ensure_path as ensure_path_plan
from zkrecipes.client.api.protected import protected_create
from zkrecipes.client.api.steps import Auth, Call, Context, Op, Plan
from zkrecipes.client.protected import protected_path
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
from zkrecipes.security import ACL, OPEN_ACL_UNSAFE
from zkrecipes.states import WatchedEvent, ZnodeStat

__all__ = [
    "add_auth", "create", "delete", "ensure_path", "exists", "get", "get_acls", "get_children",
    "set", "set_acls", "sync",
]
#: Request builders shared with the transaction builder (not operations of their own).
BUILDERS = ("create_request", "delete_request", "set_request")

WatchFunc = Callable[[WatchedEvent], Any]


def _acl(ctx: Context, acl: object) -> list[ACL]:
    return v.check_acl(acl if acl is not None else (ctx.default_acl or OPEN_ACL_UNSAFE))


@overload
def create(
    ctx: Context, path: str, value: bytes | None = b"", acl: Sequence[ACL] | None = None,
    ephemeral: bool = False, sequence: bool = False, makepath: bool = False,
    include_data: Literal[False] = False, ttl: int | None = None, container: bool = False,
    protected: bool = False,
) -> Op[str]: ...
@overload
def create(
    ctx: Context, path: str, value: bytes | None = b"", acl: Sequence[ACL] | None = None,
    ephemeral: bool = False, sequence: bool = False, makepath: bool = False, *,
    include_data: Literal[True], ttl: int | None = None, container: bool = False,
    protected: bool = False,
) -> Op[tuple[str, ZnodeStat]]: ...
@overload
def create(
    ctx: Context, path: str, value: bytes | None = b"", acl: Sequence[ACL] | None = None,
    ephemeral: bool = False, sequence: bool = False, makepath: bool = False,
    include_data: bool = False, ttl: int | None = None, container: bool = False,
    protected: bool = False,
) -> Op[str | tuple[str, ZnodeStat]]: ...
def create(
    ctx: Context, path: str, value: bytes | None = b"", acl: Sequence[ACL] | None = None,
    ephemeral: bool = False, sequence: bool = False, makepath: bool = False,
    include_data: bool = False, ttl: int | None = None, container: bool = False,
    protected: bool = False,
) -> Op[Any]:
    """Create a node; return its path, or ``(path, ZnodeStat)`` with ``include_data``.

    ``value=None`` writes null data (``get`` then returns None), as kazoo does.

    ``sequence`` appends a 10-digit counter; ``makepath`` creates missing
    parents; ``ttl`` (ms) makes a persistent TTL node; ``container`` a
    container node; ``protected`` names the node ``<parent>/_c_<guid>-<name>``
    so that a create interrupted by ConnectionLoss is found again on retry
    (never leaked nor duplicated). Raises NodeExistsError, NoNodeError,
    NoChildrenForEphemeralsError, …
    """
    make = v.check_bool(makepath, "makepath")
    guid = None
    if v.check_bool(protected, "protected"):
        path = v.check_path(path, sequential=v.check_bool(sequence, "sequence"))
        path, guid = protected_path(path)
    request = create_request(ctx, path, value, acl, ephemeral, sequence, ttl, container, include_data)
    v.check_size(v.estimate_size(request.path, request.data, request.acl), ctx.max_request_size)
    if guid is not None:
        return protected_create(request, guid, make)
    if make:
        return create_makepath(request, ctx.chroot)
    return Call(request)


def create_request(
    ctx: Context, path: object, value: object = b"", acl: object = None, ephemeral: object = False,
    sequence: object = False, ttl: object = None, container: object = False, include_data: object = False,
) -> CreateRequest:
    """The checked create request (used by :func:`create` and by transactions)."""
    seq = v.check_bool(sequence, "sequence")
    p = v.check_path(path, sequential=seq)
    data = v.check_value(value)
    acls = _acl(ctx, acl)
    flags, ttl_ms = v.create_mode(ephemeral, seq, container, ttl)
    return CreateRequest(p, data, acls, flags, ttl_ms, v.check_bool(include_data, "include_data"))


def set_request(path: object, value: object, version: object) -> SetDataRequest:
    """The checked setData request (used by :func:`set` and by transactions)."""
    p = v.check_path(path)
    return SetDataRequest(p, v.check_value(value), v.check_version(version))


def delete_request(path: object, version: object) -> DeleteRequest:
    """The checked delete request (used by :func:`delete` and by transactions)."""
    return DeleteRequest(v.check_path(path), v.check_version(version))


def ensure_path(ctx: Context, path: str, acl: Sequence[ACL] | None = None) -> Op[str | bool]:
    """Create ``path`` and its missing parents (persistent, empty).

    Returns True when ``path`` already existed, else the path created (kazoo's answers).

    Under a chroot, ``ensure_path("/")`` creates the chroot node itself (and
    its missing ancestors), and any other path creates it first when missing.
    """
    path = v.check_path(path)
    return ensure_path_plan(path, _acl(ctx, acl), ctx.chroot)


def exists(ctx: Context, path: str, watch: WatchFunc | None = None) -> Call[ZnodeStat | None]:
    """Return the node's ZnodeStat, or None if it does not exist.

    ``watch`` is called once with a WatchedEvent when the node is created,
    changed or deleted.
    """
    path = v.check_path(path)
    v.check_watch(watch)
    return Call(ExistsRequest(path, watch), exists_result)


def get(ctx: Context, path: str, watch: WatchFunc | None = None) -> Call[tuple[bytes | None, ZnodeStat]]:
    """Return ``(data, ZnodeStat)``; ``watch`` fires on change or deletion. NoNodeError if absent.

    ``data`` is None for a node holding null data (created with ``value=None``
    or by another client that wrote null), as kazoo and the Java client report it.
    """
    path = v.check_path(path)
    v.check_watch(watch)
    return Call(GetDataRequest(path, watch))


@overload
def get_children(
    ctx: Context, path: str, watch: WatchFunc | None = None, include_data: Literal[False] = False
) -> Call[list[str]]: ...
@overload
def get_children(
    ctx: Context, path: str, watch: WatchFunc | None = None, *, include_data: Literal[True]
) -> Call[tuple[list[str], ZnodeStat]]: ...
@overload
def get_children(
    ctx: Context, path: str, watch: WatchFunc | None = None, include_data: bool = False
) -> Call[list[str] | tuple[list[str], ZnodeStat]]: ...
def get_children(
    ctx: Context, path: str, watch: WatchFunc | None = None, include_data: bool = False
) -> Call[Any]:
    """Return the child names, or ``(names, ZnodeStat)`` with ``include_data``.

    ``watch`` fires when a child is added or removed, or the node deleted.
    """
    path = v.check_path(path)
    v.check_watch(watch)
    if v.check_bool(include_data, "include_data"):
        return Call(GetChildren2Request(path, watch))
    return Call(GetChildrenRequest(path, watch))


def get_acls(ctx: Context, path: str) -> Call[tuple[list[ACL], ZnodeStat]]:
    """Return ``(acl_list, ZnodeStat)`` of the node."""
    return Call(GetACLRequest(v.check_path(path)))


def set(ctx: Context, path: str, value: bytes | None, version: int = -1) -> Call[ZnodeStat]:  # noqa: A001
    """Set the node's data (if at ``version``, -1 for any; None: null data); return the new ZnodeStat."""
    request = set_request(path, value, version)
    v.check_size(v.estimate_size(request.path, request.data), ctx.max_request_size)
    return Call(request)


def set_acls(ctx: Context, path: str, acls: Sequence[ACL], version: int = -1) -> Call[ZnodeStat]:
    """Replace the node's ACL (if at ACL ``version``); return the new ZnodeStat."""
    path = v.check_path(path)
    acl_list = v.check_acl(acls, "acls")
    return Call(SetACLRequest(path, acl_list, v.check_version(version)))


def delete(ctx: Context, path: str, version: int = -1, recursive: bool = False) -> Op[bool | None]:
    """Delete the node (if at ``version``); with ``recursive`` its subtree too.

    Returns True; with ``recursive``, None once deleted and True when the node
    did not exist (kazoo's answers).

    Raises NoNodeError (not with ``recursive``), NotEmptyError, BadVersionError.
    """
    request = delete_request(path, version)
    if v.check_bool(recursive, "recursive"):
        return delete_tree(request.path)
    return Call(request, true_result)


def sync(ctx: Context, path: str) -> Call[str]:
    """Wait until the server has caught up with the leader; return the path."""
    return Call(SyncRequest(v.check_path(path)))


def _auth(scheme: str, credential: str) -> Plan[bool]:
    result: bool = yield Auth(scheme, credential)
    return result


def add_auth(ctx: Context, scheme: str, credential: str) -> Op[bool]:
    """Authenticate this session (kept and re-sent on reconnect); return True.

    Raises AuthFailedError (the client then stops: restart it).
    """
    v.check_str(scheme, "scheme")
    v.check_str(credential, "credential")
    return _auth(scheme, credential)
