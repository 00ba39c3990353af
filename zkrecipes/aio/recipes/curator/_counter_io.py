"""The asyncio I/O of Curator's counters: container-parent creates and a conditional write's settlement.

The twin of the I/O in ``recipes/curator/{shared_value,distributed_atomic_long,_create}.py``;
every decision is the pure :mod:`zkrecipes.recipes.curator._conditional_write`.

* :func:`create_with_containers` creates a node, making missing ancestors as
  CONTAINER nodes on NoNode (Curator's ``creatingParentContainersIfNeeded``).
* :func:`write_settled` awaits one conditional write. When its reply is lost
  with the connection, or **its await is cancelled** (the client discards a
  cancelled request's reply, so both leave the outcome open), the node is read
  back on the same session (``sync`` + ``get``: answered after the write) and
  :func:`~zkrecipes.recipes.curator._conditional_write.settle` decides:
  not applied (a lost reply: the verdict is returned, the caller may resend;
  a cancellation: the ``CancelledError`` propagates — nothing was written), or
  :class:`~zkrecipes.exceptions.OutcomeUnknownError` (for a cancellation:
  chained from the ``CancelledError``). A cancelled write's read-back runs in
  a task of its own, awaited at most ``SETTLE_WAIT`` seconds (still open then:
  OutcomeUnknownError); a second cancellation during it ends the wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._nodes import SETTLE_WAIT
from zkrecipes.client.protocol.paths import split_path
from zkrecipes.exceptions import ConnectionClosedError, NodeExistsError, NoNodeError
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.curator._conditional_write import settle, unknown

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import ZnodeStat

__all__ = ["create_with_containers", "read_back", "write_settled"]

_settling: set[asyncio.Task[BaseException | None]] = set()  # strong references while they run


async def create_with_containers(client: AsyncRecipeClient, path: str, data: bytes,
                                 ephemeral: bool = False) -> ZnodeStat:
    """Create ``path`` (container parents made on NoNode); its stat. NodeExists propagates."""
    for _ in range(8):  # a container parent may vanish between our mkdirs and the create
        try:
            _created, stat = await client.create(path, data, ephemeral=ephemeral, include_data=True)
            return stat
        except NoNodeError:
            current = ""
            for part in [part for part in split_path(path)[0].split("/") if part]:
                current = f"{current}/{part}"
                try:
                    await client.create(current, b"", container=True)
                except NodeExistsError:
                    pass
    raise NoNodeError(f"the parents of {path} kept vanishing")


async def read_back(client: AsyncRecipeClient, path: str) -> tuple[bytes, ZnodeStat] | None:
    """``sync`` then ``get`` of ``path`` (retried on connection loss); None when it is missing."""
    try:
        await client.retry(client.sync, path)
        data, stat = await client.retry(client.get, path)
    except NoNodeError:
        return None
    return data or b"", stat


async def _settled(client: AsyncRecipeClient, path: str, operation: str, sent_version: int | None,
                   known_mzxid: int, data: bytes, cause: BaseException,
                   seen: Callable[[tuple[bytes, ZnodeStat]], None] | None) -> str:
    if isinstance(cause, ConnectionClosedError):
        raise unknown(path, operation, "the client is closed") from cause
    try:
        found = await read_back(client, path)
    except Exception as read_error:
        raise unknown(path, operation, f"reading it back failed ({read_error!r})") from cause
    if found is not None and seen is not None:
        seen(found)
    return settle(path, operation, sent_version, known_mzxid, data, found, cause)


async def write_settled(client: AsyncRecipeClient, path: str, operation: str,
                        request: Callable[[], Awaitable[ZnodeStat]], sent_version: int | None,
                        known_mzxid: int, data: bytes,
                        seen: Callable[[tuple[bytes, ZnodeStat]], None] | None = None) -> ZnodeStat | str:
    """The write's stat, or the verdict (NOT_APPLIED / LOST_RACE) after a lost reply (see the module).

    ``request()`` sends the write (a ``set`` conditional on ``sent_version``,
    or a create when it is None); its own errors (BadVersion, NodeExists,
    NoNode) propagate. ``seen(found)`` is told the node read back.
    """
    try:
        return await request()
    except RETRYABLE as error:
        return await _settled(client, path, operation, sent_version, known_mzxid, data, error, seen)
    except asyncio.CancelledError as cancelled:
        task = asyncio.get_running_loop().create_task(
            _quiet(_settled(client, path, operation, sent_version, known_mzxid, data, cancelled, seen)),
            name=f"zkrecipes-settle-{path}")
        _settling.add(task)
        task.add_done_callback(_settling.discard)
        try:
            await asyncio.wait_for(asyncio.shield(task), SETTLE_WAIT)
        except TimeoutError:
            raise unknown(path, operation, "cancelled; its read-back did not finish in time") from cancelled
        outcome = task.result()
        if outcome is not None:
            raise outcome from cancelled
        raise


async def _quiet(settling: Awaitable[str]) -> BaseException | None:
    """Run a settlement for a cancelled write: None when it proved nothing was written, else the error."""
    try:
        await settling
    except Exception as error:
        return error
    return None
