"""Finding and reading a recipe's own nodes: session ownership, protected-create look-up, deletes.

Uses only the public client API (:class:`~zkrecipes.recipes._client.RecipeClient`).
:func:`belongs_to_session` is pure; the others make requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    BadVersionError,
    ConnectionClosedError,
    ConnectionLoss,
    NodeExistsError,
    NoNodeError,
    OutcomeUnknownError,
)
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = [
    "belongs_to_session",
    "create_own_ephemeral",
    "current_session_id",
    "delete_own_ephemeral",
    "delete_quietly",
    "find_own_node",
    "is_own_ephemeral",
    "read_identifiers",
    "take_node",
]


def belongs_to_session(stat: ZnodeStat | None, session_id: int | None) -> bool:
    """True if the node of ``stat`` exists and is not an ephemeral of another session.

    Without a current session (``session_id`` None) an existing node counts as ours.
    """
    return stat is not None and (session_id is None or stat.ephemeralOwner == session_id)


def is_own_ephemeral(found: bytes, stat: ZnodeStat, data: bytes, session_id: int | None) -> bool:
    """True if an existing node (``found``, ``stat``) is the ephemeral we create holding ``data``.

    It must hold our unique ``data`` and belong to the current session (there
    must be one): then it is the node of our own earlier create whose reply was lost.
    """
    return found == data and session_id is not None and stat.ephemeralOwner == session_id


def create_own_ephemeral(client: RecipeClient, path: str, data: bytes) -> None:
    """Create the ephemeral ``path`` holding ``data`` (unique to its creator); idempotent for us.

    A node already there counts as created when :func:`is_own_ephemeral` says
    it is ours (a retried create whose first reply was lost). Otherwise raises
    :class:`NodeExistsError` — also when the node vanished again meanwhile, so
    the caller moves on rather than adopting nothing.
    """
    try:
        client.create(path, data, ephemeral=True)
    except NodeExistsError:
        try:
            found, stat = client.get(path)
        except NoNodeError:
            raise NodeExistsError() from None
        if is_own_ephemeral(found or b"", stat, data, current_session_id(client)):
            return
        raise


def current_session_id(client: RecipeClient) -> int | None:
    """The client's current session id, or None when it has none."""
    client_id = client.client_id
    return client_id[0] if client_id else None


def delete_quietly(client: RecipeClient, path: str) -> None:
    """Delete ``path``; a node already gone is fine."""
    try:
        client.delete(path)
    except NoNodeError:
        pass


def delete_own_ephemeral(client: RecipeClient, path: str, data: bytes) -> None:
    """Delete our ephemeral ``path`` (holding our unique ``data``), never another's node there.

    Each try reads the node first and deletes it (at the version read) only
    while :func:`is_own_ephemeral` says it is ours, so a retry after a lost
    delete reply cannot remove a node that someone else created at the same
    path meanwhile. Connection losses are retried with the client's policy.
    """
    for _ in range(32):
        try:
            found, stat = client.retry(client.get, path)
        except NoNodeError:
            return
        if not is_own_ephemeral(found or b"", stat, data, current_session_id(client)):
            return
        try:
            client.delete(path, version=stat.version)
            return
        except (NoNodeError, BadVersionError):
            return  # gone, or changed: no longer the node we read as ours
        except RETRYABLE as error:
            if isinstance(error, ConnectionClosedError):
                raise
    client.retry(client.exists, path)  # the connection keeps failing: let the policy raise


def take_node(client: RecipeClient, path: str, data: bytes, operation: str) -> bool:
    """Delete ``path`` to take it (first taker wins); True if this call deleted it.

    False when it was already gone (someone else took it). When the delete's
    reply is lost, the node is read back: still there means not deleted (tried
    again); gone means this call or another taker deleted it, which cannot be
    told apart: :class:`OutcomeUnknownError` carrying ``data`` (what was read
    from the node) so the caller can decide.
    """
    lost_reply: Exception | None = None
    for _ in range(32):
        try:
            client.delete(path)
            return True
        except NoNodeError:
            if lost_reply is None:
                return False
            raise _taken_unknown(path, data, operation) from lost_reply
        except RETRYABLE as error:
            lost_reply = error
            if isinstance(error, ConnectionClosedError):
                raise _taken_unknown(path, data, operation) from error
        try:
            still_there = client.retry(client.exists, path) is not None
        except Exception:
            raise _taken_unknown(path, data, operation) from lost_reply
        if not still_there:
            raise _taken_unknown(path, data, operation) from lost_reply
        lost_reply = None  # still there: that delete certainly did not land
    raise ConnectionLoss(f"{operation}: deleting {path} kept failing (not taken)")


def _taken_unknown(path: str, data: bytes, operation: str) -> OutcomeUnknownError:
    return OutcomeUnknownError(
        f"{operation}: the reply to deleting {path} was lost and it is gone (taken by this call or "
        "another); it may or may not have been taken by this call",
        path=path, operation=operation, value=data)


def read_identifiers(client: RecipeClient, parent: str, names: Iterable[str]) -> list[str]:
    """The data of each child ``names`` of ``parent``, in that order, decoded as UTF-8.

    Undecodable bytes are replaced; a child deleted meanwhile is left out.
    Connection losses are retried with the client's retry policy.
    """
    identifiers: list[str] = []
    for name in names:
        try:
            data, _stat = client.retry(client.get, join_path(parent, name))
        except NoNodeError:
            continue
        identifiers.append((data or b"").decode("utf-8", "replace"))
    return identifiers


def find_own_node(
    client: RecipeClient, parent: str, prefix: str, ephemeral: bool, deadline: Deadline, what: str
) -> tuple[str, ZnodeStat] | None:
    """Find again the child of ``parent`` that an earlier create named ``prefix…``.

    This is the protected-create rule: a create whose reply was lost may still
    have made its node. Returns ``(name, stat)`` of that node if it exists and,
    for an ephemeral, belongs to the current session; an ephemeral of an
    earlier session is deleted, never adopted. None when there is no such
    node. Each read is bounded by ``deadline`` (:class:`LockTimeout`).
    """
    session = current_session_id(client)
    children = bounded(client.get_children_async(parent), deadline, what)
    for name in children:
        if not name.startswith(prefix):
            continue
        path = join_path(parent, name)
        stat = bounded(client.exists_async(path), deadline, what)
        if stat is None:
            continue
        if ephemeral and not belongs_to_session(stat, session):
            delete_quietly(client, path)
            continue
        return name, stat
    return None
