"""Own-node rules of the asyncio queue and partitioner (the twins of ``recipes/_nodes.py``'s).

The decisions are the sync recipes' pure functions
(:func:`~zkrecipes.recipes._nodes.is_own_ephemeral`, the lost-reply rule of
``take_node``); only the requests are awaited here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.exceptions import (
    BadVersionError,
    ConnectionClosedError,
    ConnectionLoss,
    NodeExistsError,
    NoNodeError,
)
from zkrecipes.recipes._nodes import _taken_unknown, is_own_ephemeral
from zkrecipes.recipes._retrying import RETRYABLE

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["create_own_ephemeral", "delete_own_ephemeral", "take_node"]


def _session(client: AsyncRecipeClient) -> int | None:
    client_id = client.client_id
    return client_id[0] if client_id else None


async def create_own_ephemeral(client: AsyncRecipeClient, path: str, data: bytes) -> None:
    """Create the ephemeral ``path`` holding ``data`` (unique to us); a node there that is ours counts.

    Otherwise :class:`NodeExistsError` (also when it vanished again meanwhile).
    """
    try:
        await client.create(path, data, ephemeral=True)
    except NodeExistsError:
        try:
            found, stat = await client.get(path)
        except NoNodeError:
            raise NodeExistsError() from None
        if is_own_ephemeral(found or b"", stat, data, _session(client)):
            return
        raise


async def delete_own_ephemeral(client: AsyncRecipeClient, path: str, data: bytes) -> None:
    """Delete our ephemeral ``path`` (read first, deleted at that version only while ours)."""
    for _ in range(32):
        try:
            found, stat = await client.retry(client.get, path)
        except NoNodeError:
            return
        if not is_own_ephemeral(found or b"", stat, data, _session(client)):
            return
        try:
            await client.delete(path, version=stat.version)
            return
        except (NoNodeError, BadVersionError):
            return
        except RETRYABLE as error:
            if isinstance(error, ConnectionClosedError):
                raise
    await client.retry(client.exists, path)  # the connection keeps failing: let the policy raise


async def take_node(client: AsyncRecipeClient, path: str, data: bytes, operation: str) -> bool:
    """Delete ``path`` to take it; True if this call deleted it, False if already gone.

    A lost delete reply is settled by reading back: still there → tried again;
    gone → :class:`OutcomeUnknownError` carrying ``data`` (as the sync ``take_node``).
    """
    lost_reply: Exception | None = None
    for _ in range(32):
        try:
            await client.delete(path)
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
            still_there = await client.retry(client.exists, path) is not None
        except Exception:
            raise _taken_unknown(path, data, operation) from lost_reply
        if not still_there:
            raise _taken_unknown(path, data, operation) from lost_reply
        lost_reply = None
    raise ConnectionLoss(f"{operation}: deleting {path} kept failing (not taken)")
