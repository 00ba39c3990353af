"""The queue lock path on asyncio (the twin of ``recipes/curator/_queue_lock.py``).

The same nodes and decisions: the lock node ``<lock path>/<item>`` holding a
per-object owner id, the session marker (:func:`~zkrecipes.recipes.curator._queue_rules.marker_path`),
the finishing transaction (:func:`~zkrecipes.recipes.curator._queue_rules.fill_finish`),
its verdicts and, after a lost reply, the read-back rule of
:mod:`zkrecipes.recipes.curator._queue_outcome`. Only the requests are awaited here.
Callers run these steps in tasks of their own (:mod:`._queue_steps`), so a
cancelled caller never interrupts one half-way.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._own import create_own_ephemeral, delete_own_ephemeral
from zkrecipes.aio.recipes.curator._queue_create import create_path
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import ConnectionClosedError, NodeExistsError, NoNodeError
from zkrecipes.recipes._fence_outcome import ATTEMPTS
from zkrecipes.recipes._retrying import RETRYABLE
from zkrecipes.recipes.curator._queue_outcome import FinishVerdict, finish_verdict
from zkrecipes.recipes.curator._queue_rules import (
    CommitVerdict,
    Held,
    commit_verdict,
    fill_finish,
    marker_path,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["AsyncItemLocks"]

log = logging.getLogger(__name__)


class AsyncItemLocks:
    """The lock-path steps of one asyncio queue object (one owner id per object)."""

    def __init__(self, client: AsyncRecipeClient, queue_path: str, lock_path: str) -> None:
        self.client = client
        self.queue_path = queue_path
        self.lock_path = lock_path
        self.owner = uuid.uuid4().hex.encode()
        self._markers: dict[int, str] = {}
        self._holding: set[str] = set()  # names this object holds or is taking

    async def start(self) -> None:
        """Create the lock path (default data, container parents) if absent."""
        await create_path(self.client, self.lock_path)

    async def close(self) -> None:
        """Delete our session markers (best effort: ephemeral anyway); kept while an item is held."""
        if self._holding:
            return
        markers, self._markers = list(self._markers.values()), {}
        for marker in markers:
            try:
                await delete_own_ephemeral(self.client, marker, self.owner)
            except Exception:
                log.debug("could not delete queue session marker %s", marker, exc_info=True)

    async def lock(self, name: str) -> Held | None:
        """Take item ``name``'s lock; None when someone else (another task of ours too) holds it."""
        if name in self._holding:
            return None
        self._holding.add(name)
        try:
            held = await self._lock(name)
        except BaseException:
            self._holding.discard(name)
            raise
        if held is None:
            self._holding.discard(name)
        return held

    async def _lock(self, name: str) -> Held | None:
        path = join_path(self.lock_path, name)
        for _ in range(ATTEMPTS):
            try:
                await create_own_ephemeral(self.client, path, self.owner)
                break
            except NodeExistsError:
                return None
            except NoNodeError:
                await self.start()  # the lock path vanished (a container parent reaped)
            except RETRYABLE as error:
                if isinstance(error, ConnectionClosedError):
                    raise
        else:
            return None
        stat = await self.client.retry(self.client.exists, path)
        if stat is None:
            return None  # our session ended right after the create
        marker = await self._marker(stat.ephemeralOwner)
        if marker is None:
            return None
        return Held(name, path, marker, stat.ephemeralOwner)

    async def release(self, held: Held) -> None:
        """Give the lock back without touching the item."""
        try:
            await delete_own_ephemeral(self.client, held.lock, self.owner)
        finally:
            self._holding.discard(held.name)

    async def holder_gone_watch(self, name: str, watch: Callable[[Any], Any]) -> bool:
        """Watch item ``name``'s lock node; True if it is held."""
        path = join_path(self.lock_path, name)
        return await self.client.retry(self.client.exists, path, watch=watch) is not None

    async def _marker(self, session: int) -> str | None:
        known = self._markers.get(session)
        if known is not None:
            return known
        path = marker_path(self.lock_path, session, self.owner)
        try:
            await self.client.retry(self.client.create, path, self.owner, ephemeral=True)
        except NodeExistsError:
            pass  # an earlier try of ours (its reply lost); its owner is checked below
        except NoNodeError:
            return None
        stat = await self.client.retry(self.client.exists, path)
        if stat is None or stat.ephemeralOwner != session:
            if stat is not None:
                try:
                    await self.client.delete(path)  # made on a later session: not that session's proof
                except NoNodeError:
                    pass
            return None
        self._markers = {s: m for s, m in self._markers.items() if s == session} | {session: path}
        return path

    async def finish(self, held: Held, requeue: bytes | None = None) -> bool:
        """Delete item and lock in one transaction (or requeue); False if our session ended first."""
        try:
            return await self._finish(held, requeue)
        finally:
            self._holding.discard(held.name)

    async def _finish(self, held: Held, requeue: bytes | None) -> bool:
        item = join_path(self.queue_path, held.name)
        for _ in range(ATTEMPTS):
            transaction = self.client.transaction()
            fill_finish(transaction, self.queue_path, held, requeue)
            try:
                results = await transaction.commit()
            except RETRYABLE as error:
                if isinstance(error, ConnectionClosedError):
                    raise
                marker_there = await self.client.retry(self.client.exists, held.marker) is not None
                item_there = marker_there and await self.client.retry(self.client.exists, item) is not None
                verdict = finish_verdict(marker_there=marker_there, item_there=item_there)
                if verdict is FinishVerdict.RESEND:
                    continue
                return verdict is FinishVerdict.APPLIED
            outcome = commit_verdict(results)
            if outcome is CommitVerdict.SESSION_GONE:
                log.warning("queue item %s: our session ended while processing it; left to others", item)
                return False
            if outcome is CommitVerdict.ITEM_GONE:
                log.warning("queue item %s was removed by someone else while locked: %r", item, results)
                await self.release(held)
                return False
            return True
        raise ConnectionClosedError(f"finishing queue item {item}: the connection kept failing")
