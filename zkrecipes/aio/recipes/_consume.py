"""The asyncio LockingQueue's consume: one transaction, its outcome established after a lost reply.

``consume`` deletes the entry and our ``taken/<entry>`` node in one transaction.
When its reply is lost with the connection, it is not sent again blindly (a
second run on a live session would fail on NoNode and report "nothing
removed" for an item this call removed). Instead the entry is read back:

* still there → not applied (the transaction is atomic, entry names are never
  reused); if our taken node is still ours it is sent again, else the item went
  back to the queue with the session → False (nothing removed);
* gone, read on the very session that held the item → applied by us (no one
  else removes an entry while our ephemeral taken node lives) → True;
* gone after the session changed → another consumer may have consumed it:
  :class:`~zkrecipes.exceptions.OutcomeUnknownError` carrying the item's value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.exceptions import ConnectionClosedError, NoNodeError, OutcomeUnknownError
from zkrecipes.recipes._fence_outcome import ATTEMPTS
from zkrecipes.recipes._nodes import is_own_ephemeral
from zkrecipes.recipes._retrying import RETRYABLE

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["consume_item"]

_RESEND = object()


def _session(client: AsyncRecipeClient) -> int | None:
    client_id = client.client_id
    return client_id[0] if client_id else None


async def consume_item(client: AsyncRecipeClient, entry: str, taken: str, owner: bytes, value: bytes) -> bool:
    """Delete ``entry`` and our ``taken`` node atomically; True if this call removed them.

    False when nothing was removed (the transaction failed, or the item went
    back to the queue with a lost session). Raises OutcomeUnknownError (with
    ``value``) when the reply was lost and the outcome cannot be established.
    """
    for _ in range(ATTEMPTS):
        session = _session(client)
        transaction = client.transaction()
        transaction.delete(entry)
        transaction.delete(taken)
        try:
            results = await transaction.commit()
        except RETRYABLE as error:  # ConnectionClosedError included
            verdict = await _after_lost_reply(client, entry, taken, owner, value, session, error)
            if verdict is _RESEND:
                continue
            return bool(verdict)
        return not any(isinstance(result, Exception) for result in results)
    raise _unknown(entry, value, "the connection kept failing")


def _unknown(entry: str, value: bytes, why: str) -> OutcomeUnknownError:
    return OutcomeUnknownError(f"queue consume of {entry}: {why}; it may or may not have been removed",
                               path=entry, operation="queue consume", value=value)


async def _after_lost_reply(client: AsyncRecipeClient, entry: str, taken: str, owner: bytes, value: bytes,
                            session: int | None, error: Exception) -> object:
    def unknown(why: str) -> OutcomeUnknownError:
        return _unknown(entry, value, f"reply lost ({type(error).__name__}) and {why}")

    if isinstance(error, ConnectionClosedError):
        raise unknown("the client is closed") from error
    try:
        before = _session(client)
        entry_there = await client.retry(client.exists, entry) is not None
        after = _session(client)
    except Exception as read_error:
        raise unknown(f"reading the entry failed ({read_error!r})") from error
    if not entry_there:
        if session is not None and before == after == session:
            return True  # gone while our taken node lived: removed by this transaction
        raise unknown("the session was lost meanwhile") from error
    try:
        found, stat = await client.retry(client.get, taken)
    except NoNodeError:
        return False  # not applied, and the item is back in the queue
    except Exception as read_error:
        raise unknown(f"reading the taken node failed ({read_error!r})") from error
    if is_own_ephemeral(found or b"", stat, owner, _session(client)):
        return _RESEND  # not applied and still ours: safe to send again
    return False
