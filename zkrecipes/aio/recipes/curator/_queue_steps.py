"""Cancellation-safe queue steps on asyncio: a cancelled caller leaves no lock node and loses no item.

Each step that changes nodes runs in a task of its own (:func:`~zkrecipes.aio.recipes._nodes.spawn`
keeps it referenced) and is awaited through :func:`asyncio.shield`, so a
cancellation never interrupts it half-way. What a cancelled caller leaves:

* :func:`claim` cancelled → the claim goes on; a lock it got is given back
  (the item stays queued, untouched);
* :func:`finish_taken` / :func:`delete_taken` cancelled → the finish or delete
  goes on; an item it removed is put back **under its own name** (same bytes,
  same place in the order: sequence numbers are never issued twice). If that
  put-back's reply is lost and another consumer took the item meanwhile, it is
  delivered twice — a duplicate, never a loss (at least once);
* :func:`finish_claim` cancelled (the end of a ``take_locked`` block) → the
  finish goes on: the caller's work is done, and the lock is held until it ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from zkrecipes.aio.recipes._nodes import spawn
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError

if TYPE_CHECKING:
    from zkrecipes.aio.recipes.curator._queue_engine import AsyncQueueEngine, Watch
    from zkrecipes.recipes.curator._queue_rules import Claim

__all__ = ["claim", "delete_taken", "finish_claim", "finish_taken", "release"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_steps: set[asyncio.Task[Any]] = set()  # strong references while running


def _task(work: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
    task = asyncio.get_running_loop().create_task(work)
    _steps.add(task)
    task.add_done_callback(_steps.discard)
    return task


async def _shielded(work: Coroutine[Any, Any, _T],
                    on_cancel: Callable[[asyncio.Task[_T]], Awaitable[None]]) -> _T:
    task = _task(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        spawn(on_cancel(task), "zkrecipes-queue-undo")  # type: ignore[arg-type]
        raise


async def claim(engine: AsyncQueueEngine, name: str, watch: Watch | None) -> Claim | None:
    """``engine.claim`` that gives the lock back if the caller is cancelled."""
    async def give_back(task: asyncio.Task[Claim | None]) -> None:
        try:
            got = await task
        except Exception as error:
            log.debug("queue %s: a cancelled claim failed: %r", engine.path, error)
            return
        if got is not None:
            await release(engine, got)

    return await _shielded(engine.claim(name, watch), give_back)


async def release(engine: AsyncQueueEngine, held: Claim) -> None:
    """``engine.release`` run to its end even if the caller is cancelled."""
    async def nothing(task: asyncio.Task[None]) -> None:
        return None

    await _shielded(engine.release(held), nothing)


async def finish_claim(engine: AsyncQueueEngine, held: Claim, requeue: bytes | None) -> bool:
    """``engine.finish`` run to its end even if the caller is cancelled (the work is done)."""
    async def nothing(task: asyncio.Task[bool]) -> None:
        return None

    return await _shielded(engine.finish(held, requeue), nothing)


async def finish_taken(engine: AsyncQueueEngine, held: Claim) -> bool:
    """Finish a claimed node for a pull ``take``: put it back if the caller was cancelled and it went."""
    async def put_back(task: asyncio.Task[bool]) -> None:
        if await _done(engine, task):
            await _put_back(engine, held.held.name, held.data or b"")

    return await _shielded(engine.finish(held), put_back)


async def delete_taken(engine: AsyncQueueEngine, name: str, data: bytes) -> bool:
    """Delete a node for a pull ``take`` (no lock path): put back if the caller was cancelled and it went."""
    async def put_back(task: asyncio.Task[bool]) -> None:
        if await _done(engine, task):
            await _put_back(engine, name, data)

    return await _shielded(engine.delete(name, data), put_back)


async def _done(engine: AsyncQueueEngine, task: asyncio.Task[bool]) -> bool:
    try:
        return await task
    except Exception as error:  # OutcomeUnknownError: taken by us or by another consumer
        log.warning("queue %s: a cancelled take ended with %r; not put back", engine.path, error)
        return False


async def _put_back(engine: AsyncQueueEngine, name: str, data: bytes) -> None:
    client = engine.client
    try:
        await client.retry(client.create, join_path(engine.path, name), data)
    except NodeExistsError:
        pass  # a retried create whose first try landed
    except Exception as error:
        log.error("queue %s: could not put back item %s after a cancelled take: %r", engine.path, name, error)
