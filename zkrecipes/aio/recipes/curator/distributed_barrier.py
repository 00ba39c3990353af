"""DistributedBarrier on asyncio: Curator's barrier (``recipes.curator.DistributedBarrier`` with ``await``).

The same node as the sync recipe and Curator: the barrier *is* the node
``<path>`` (persistent, default data = the local address, container parents).
``await wait_on_barrier(timeout)`` returns True once the node is gone,
re-checking after every watch event and state change (never trusting one
notification), False when still up after ``timeout`` seconds.

SUSPENDED: a waiter keeps waiting (it checks again once reconnected). LOST:
nothing to lose (the node is persistent). **Cancellation**: a cancelled (or
timed-out) wait leaves nothing behind (apache/curator#1292): its state
listener is removed and its watch too (not set again by a reconnect).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._waker import AsyncWaker
from zkrecipes.aio.recipes.curator._barrier_io import Expired, bounded, drop_watches
from zkrecipes.aio.recipes.curator._counter_io import create_with_containers
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import RETRYABLE, is_retryable
from zkrecipes.recipes.curator._encoding import local_address

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["DistributedBarrier"]


class DistributedBarrier:
    """A barrier shared with sync zkrecipes and Curator processes (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)

    def __repr__(self) -> str:
        return f"DistributedBarrier({self.path!r})"

    async def set_barrier(self) -> None:
        """Put the barrier up (creating the node; already up is fine)."""
        try:
            await self.client.retry(create_with_containers, self.client, self.path, local_address())
        except NodeExistsError:
            pass

    async def remove_barrier(self) -> None:
        """Take the barrier down (deleting the node; already down is fine)."""
        try:
            await self.client.retry(self.client.delete, self.path)
        except NoNodeError:
            pass

    async def wait_on_barrier(self, timeout: float | None = None) -> bool:
        """Wait until the barrier is down; False if still up after ``timeout`` seconds."""
        deadline = Deadline(check_timeout(timeout))
        async with AsyncWaker(self.client) as waker:
            watcher = waker.on_watch  # one object: the watch we set is the one we remove
            watched = False
            try:
                while True:
                    waker.clear()
                    watched = True
                    try:
                        if await bounded(self.client.exists(self.path, watch=watcher), deadline) is None:
                            return True
                    except Expired:
                        return False
                    except RETRYABLE as error:  # the connection went: check again once back
                        if not is_retryable(error):
                            raise
                    if not await waker.wait(deadline):
                        return False
            finally:
                if watched:
                    await drop_watches(self.client, [self.path], watcher)
