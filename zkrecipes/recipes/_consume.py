"""LockingQueue.consume: one transaction, its outcome established after a lost reply (sync twin).

The rule (what the state read back proves) is
:func:`zkrecipes.recipes._consume_outcome.consume_verdict`, shared with the asyncio
LockingQueue (``aio/recipes/_consume.py``, the same steps with ``await``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.exceptions import ConnectionClosedError, NoNodeError, OutcomeUnknownError
from zkrecipes.recipes._consume_outcome import ConsumeVerdict, consume_unknown, consume_verdict
from zkrecipes.recipes._fence_outcome import ATTEMPTS
from zkrecipes.recipes._nodes import is_own_ephemeral
from zkrecipes.recipes._retrying import RETRYABLE

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

__all__ = ["consume_item"]


def _session(client: RecipeClient) -> int | None:
    client_id = client.client_id
    return client_id[0] if client_id else None


def consume_item(client: RecipeClient, entry: str, taken: str, owner: bytes, value: bytes) -> bool:
    """Delete ``entry`` and our ``taken`` node atomically; True once the transaction ran.

    As kazoo's ``consume``: True when the transaction was answered (whatever its
    results). After a lost reply: True if it was applied, False if it was not and the
    item went back to the queue; OutcomeUnknownError (with ``value``) when that cannot
    be established. Never sent twice blindly.
    """
    for _ in range(ATTEMPTS):
        session = _session(client)
        transaction = client.transaction()
        transaction.delete(entry)
        transaction.delete(taken)
        try:
            transaction.commit()
        except RETRYABLE as error:  # ConnectionClosedError included
            verdict = _after_lost_reply(client, entry, taken, owner, value, session, error)
            if verdict is ConsumeVerdict.RESEND:
                continue
            return verdict is ConsumeVerdict.APPLIED
        return True
    raise consume_unknown(entry, value, "the connection kept failing")


def _after_lost_reply(client: RecipeClient, entry: str, taken: str, owner: bytes, value: bytes,
                      session: int | None, error: Exception) -> ConsumeVerdict:
    def unknown(why: str) -> OutcomeUnknownError:
        return consume_unknown(entry, value, f"reply lost ({type(error).__name__}) and {why}")

    if isinstance(error, ConnectionClosedError):
        raise unknown("the client is closed") from error
    try:
        before = _session(client)
        entry_there = client.retry(client.exists, entry) is not None
        after = _session(client)
    except Exception as read_error:
        raise unknown(f"reading the entry failed ({read_error!r})") from error
    ours = False
    if entry_there:
        try:
            found, stat = client.retry(client.get, taken)
            ours = is_own_ephemeral(found or b"", stat, owner, _session(client))
        except NoNodeError:
            ours = False  # not applied, and the item is back in the queue
        except Exception as read_error:
            raise unknown(f"reading the taken node failed ({read_error!r})") from error
    verdict = consume_verdict(entry_there=entry_there, held_session=session, read_sessions=(before, after),
                              taken_is_ours=ours)
    if verdict is ConsumeVerdict.UNKNOWN:
        raise unknown("the session was lost meanwhile") from error
    return verdict
