"""The multi-step operations, each written once as a plan (see :mod:`.steps`).

* :func:`create_makepath` — create; on NoNodeError ensure the parent, create again;
* :func:`ensure_path` — exists; if absent, create with its missing parents
  (a NodeExistsError from a concurrent creator counts as success); with a
  chroot, ``"/"`` is the chroot node and is created too (its own missing
  ancestors first), as kazoo users rely on (``ensure_path("/")``);
* :func:`delete_tree` — list the subtree level by level (each level one
  pipelined batch), then delete deepest first (each level one batch).

Plans are driven by :mod:`.drivers`; their arguments are already checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zkrecipes.client.api.steps import Batch, Plan, Submit
from zkrecipes.client.protocol.paths import join_path, parent_path, parent_paths
from zkrecipes.client.protocol.requests import CreateRequest, DeleteRequest, ExistsRequest, GetChildrenRequest
from zkrecipes.exceptions import NodeExistsError, NoNodeError, NotEmptyError, make_error
from zkrecipes.security import ACL

__all__ = [
    "ServerPathCreate", "create_makepath", "delete_tree", "ensure_chroot", "ensure_path", "exists_result",
    "true_result",
]

#: Walks of a subtree that keeps gaining children before delete_tree gives up (NotEmptyError).
TREE_ATTEMPTS = 3
_NONODE = NoNodeError.code


def exists_result(err: int, result: Any) -> Any:
    """Converter of exists: the ZnodeStat, or None for a missing node."""
    if err == _NONODE:
        return None
    if err:
        raise make_error(err)
    return result


def true_result(err: int, result: Any) -> bool:
    """Converter of replies without a body that kazoo reports as True (delete, auth, watches)."""
    if err:
        raise make_error(err)
    return True


class ServerPathCreate(CreateRequest):
    """A create of a server path *above* the chroot (the chroot's own ancestors).

    Every other request is chrooted by the protocol session; only
    :func:`ensure_chroot` needs to name a node outside it.
    """

    __slots__ = ()

    def write_body(self, out: bytearray, chroot: str) -> None:
        CreateRequest.write_body(self, out, "")


def create_makepath(request: CreateRequest, chroot: str = "") -> Plan[Any]:
    """Create; when the parent is missing, create the parents (persistent, same ACL) and retry once."""
    try:
        result = yield Submit(request)
    except NoNodeError:
        yield from ensure_path(parent_path(request.path), request.acl, chroot)  # /q for a sequential /q/
        result = yield Submit(request)
    return result


def ensure_chroot(chroot: str, acl: Sequence[ACL]) -> Plan[str | bool]:
    """The chroot node and its ancestors exist afterwards; one pipelined batch, top down.

    Returns ``"/"`` (the chroot's client path) when it created the chroot, True
    when it already existed (kazoo's answers).
    """
    creates = [Submit(ServerPathCreate(path, b"", list(acl))) for path in reversed(parent_paths(chroot)[:-1])]
    created: str | bool = True
    for outcome in (yield Batch(creates)):
        exc = outcome.exception
        if exc is None:
            created = "/"
        elif not isinstance(exc, NodeExistsError):
            raise exc
        else:
            created = True
    return created


def ensure_path(path: str, acl: Sequence[ACL], chroot: str = "") -> Plan[str | bool]:
    """``path`` and its missing parents exist afterwards (persistent, empty).

    Returns kazoo's answers: True when ``path`` existed (or a concurrent
    creator won), else the path it created. With a ``chroot``, ``"/"`` is the
    chroot node: created, with its missing ancestors, when absent (kazoo
    creates the chroot this way too).
    """
    stat = yield Submit(ExistsRequest(path), exists_result)
    if stat is not None:
        return True
    if path == "/":
        if chroot:
            return (yield from ensure_chroot(chroot, acl))
        return True
    try:
        created: str = yield from create_makepath(CreateRequest(path, b"", acl), chroot)
    except NodeExistsError:
        return True
    return created


def _walk(root: str) -> Plan[list[list[str]]]:
    """The existing nodes of the subtree, level by level (each level read in one batch)."""
    levels: list[list[str]] = []
    level = [root]
    while level:
        outcomes = yield Batch([Submit(GetChildrenRequest(path)) for path in level])
        found: list[str] = []
        following: list[str] = []
        for path, outcome in zip(level, outcomes, strict=True):
            exc = outcome.exception
            if isinstance(exc, NoNodeError):
                continue
            if exc is not None:
                raise exc
            found.append(path)
            following.extend(join_path(path, name) for name in outcome.value)
        if found:
            levels.append(found)
        level = following
    return levels


def delete_tree(root: str) -> Plan[bool | None]:
    """Delete ``root`` and everything below it; None, or True when ``root`` did not exist (kazoo's answers).

    Nodes that vanish meanwhile are fine; a node that gains children while
    being deleted makes the walk start again (up to :data:`TREE_ATTEMPTS`
    times, then NotEmptyError). ``"/"`` itself is never deleted, only its children.
    """
    for attempt in range(TREE_ATTEMPTS):
        levels = yield from _walk(root)
        if not levels:
            return True
        try:
            for level in reversed(levels):
                deletes = [Submit(DeleteRequest(path)) for path in level if path != "/"]
                for outcome in (yield Batch(deletes)):
                    exc = outcome.exception
                    if exc is not None and not isinstance(exc, NoNodeError):
                        raise exc
        except NotEmptyError:
            if attempt == TREE_ATTEMPTS - 1:
                raise
            continue
        break
    return None
