"""DistributedDoubleBarrier on asyncio: Curator's double barrier (the sync recipe with ``await``).

The same layout as the sync recipe and Curator: members are ``<path>/<canonical
uuid>`` (ephemeral, default data the local address, container parents);
``<path>/ready`` (persistent) is created by the member that sees at least
``member_qty`` children. The steps are the pure rules of
:mod:`zkrecipes.recipes.curator._barrier_rules`, as in the sync recipe: every
wake-up of ``enter`` re-checks ``ready`` (a spurious notification never lets a
member through, apache/curator GH-1290); ``leave`` has the lowest member wait
for the highest, the others delete their node and wait for the lowest, and
``ready`` goes last.

SUSPENDED: waits continue. LOST: our ephemeral node is gone; an ``enter``
under way makes it again in the new session (ours by name: counted once);
once entered, ``leave`` finds it missing and raises RuntimeError.

**Cancellation**: a cancelled (or timed-out) ``enter`` deletes our member node
(also one whose create was in flight: the delete is sent after it, in a task
of its own) and removes its watch before it raises (or returns False on
timeout); a cancelled ``leave`` removes its watches — the member is then out,
or still in and may leave again. Listeners and watches never outlive a call
(apache/curator#1292).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._nodes import delete_own_node, settle, spawn
from zkrecipes.aio.recipes._waker import AsyncWaker
from zkrecipes.aio.recipes.curator._barrier_io import Expired, bounded, drop_watches
from zkrecipes.aio.recipes.curator._counter_io import create_with_containers
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_count, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import RETRYABLE, is_retryable
from zkrecipes.recipes.curator._barrier_rules import OPEN, READY_NODE, REJOIN, enter_step, leave_step
from zkrecipes.recipes.curator._encoding import local_address

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["DistributedDoubleBarrier"]


class DistributedDoubleBarrier:
    """A double barrier shared with sync zkrecipes and Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, member_qty: int) -> None:
        self.client = client
        self.path = check_path(path)
        self.member_qty = check_count(member_qty, "member_qty")
        self.our_name = str(uuid.uuid4())
        self.our_path = join_path(self.path, self.our_name)
        self.ready_path = join_path(self.path, READY_NODE)

    def __repr__(self) -> str:
        return f"DistributedDoubleBarrier({self.path!r}, member_qty={self.member_qty})"

    async def enter(self, timeout: float | None = None) -> bool:
        """Join and wait until ``member_qty`` members are in; False (and our node gone) on timeout."""
        deadline = Deadline(check_timeout(timeout))
        async with AsyncWaker(self.client) as waker:
            watcher = waker.on_watch
            entered = False
            try:
                entered = await self._enter(deadline, waker, watcher)
                return entered
            finally:
                await drop_watches(self.client, [self.ready_path], watcher)
                if not entered:  # timed out, failed or cancelled: withdraw
                    withdrawing = delete_own_node(self.client, self.path, self.our_name, self.our_name)
                    await settle(spawn(withdrawing, f"zkrecipes-withdraw-{self.our_path}"))

    async def leave(self, timeout: float | None = None) -> bool:
        """Leave and wait until every member left; False on timeout."""
        deadline = Deadline(check_timeout(timeout))
        watched: set[str] = set()
        async with AsyncWaker(self.client) as waker:
            watcher = waker.on_watch
            try:
                return await self._leave(deadline, waker, watcher, watched)
            finally:
                await drop_watches(self.client, watched, watcher)

    async def __aenter__(self) -> DistributedDoubleBarrier:
        await self.enter()  # no timeout: True, or it raises
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.leave()

    # ------------------------------------------------------------------ steps

    async def _enter(self, deadline: Deadline, waker: AsyncWaker, watcher: Callable[[Any], None]) -> bool:
        try:
            await bounded(self._join(), deadline)
            while True:
                waker.clear()
                try:
                    ready = await bounded(self.client.exists(self.ready_path, watch=watcher), deadline)
                    if ready is not None:
                        return True
                    try:
                        children = await bounded(self.client.get_children(self.path), deadline)
                    except NoNodeError:  # our session ended and the emptied container went with it
                        children = []
                    step = enter_step(children, self.our_name, self.member_qty)
                    if step == REJOIN:  # our session ended meanwhile: join again, in this one
                        await bounded(self._join(), deadline)
                        continue
                    if step == OPEN:
                        try:
                            await bounded(self.client.create(self.ready_path, local_address()), deadline)
                        except NodeExistsError:
                            pass
                        return True
                except RETRYABLE as error:  # the connection or session went: check again once back
                    if not is_retryable(error):
                        raise
                if not await waker.wait(deadline):
                    return False
        except Expired:
            return False

    async def _join(self) -> None:
        try:
            await self.client.retry(create_with_containers, self.client, self.our_path, local_address(), True)
        except NodeExistsError:
            pass

    async def _leave(self, deadline: Deadline, waker: AsyncWaker, watcher: Callable[[Any], None],
                     watched: set[str]) -> bool:
        ours_exists = True
        try:
            while True:
                waker.clear()
                try:
                    listed = await bounded(self.client.retry(self.client.get_children, self.path), deadline)
                except NoNodeError:
                    listed = []
                step = leave_step(listed, self.our_name, ours_exists)
                if step.delete_ours:
                    await self._delete(self.our_path)
                    ours_exists = False
                if step.done or step.watch is None:
                    break
                watched_path = join_path(self.path, step.watch)
                watched.add(watched_path)
                watching = self.client.retry(self.client.exists, watched_path, watch=watcher)
                stat = await bounded(watching, deadline)
                if stat is not None and not await waker.wait(deadline):
                    return False
        except Expired:
            return False
        await self._delete(self.ready_path)
        return True

    async def _delete(self, path: str) -> None:
        try:
            await self.client.retry(self.client.delete, path)
        except NoNodeError:
            pass
