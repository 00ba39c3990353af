"""Curator's lock internals on asyncio: create a contender, wait for our turn, delete it.

The asyncio twin of ``recipes/curator/_internals.py``, driving the same pure
rules: the node name and the verdict come from the recipe's
:class:`~zkrecipes.recipes.curator._drivers.LockDriver`, the order from
:mod:`~zkrecipes.recipes.curator._ordering`. One attempt:

1. create ``<path>/_c_<uuid>-<lock name><seq>`` (ephemeral sequential) with the
   first listing sent right behind it — requests of one session are answered
   in order, so an uncontended acquire is one round trip (one write, one read);
   a NoNode (missing parents) or a lost reply falls back to the protected create
   of :func:`~zkrecipes.aio.recipes.curator._contender.create_contender`
   (container parents, recovery by prefix);
2. judge the sorted listing; if we do not hold it, set a data watch on the
   child the driver names (a counting driver: a child watch) and wait for it
   or a session change, then list again;
3. our node missing from a listing (its session ended) starts over.

**Cancellation and timeouts.** Whatever ends an attempt without the lock — its
timeout (``None`` is returned), :meth:`AsyncLockInternals.cancel`, an error or
asyncio cancelling the task — every node of the attempt's prefix is deleted by
a clean-up task of its own (:func:`~zkrecipes.aio.recipes._nodes.reap`), awaited
shielded and bounded before the attempt returns or raises. The clean-up lists
after the create, so a create cut off in flight is found and deleted too;
while disconnected it runs after the reconnect. :meth:`release` deletes the
node in a task of its own as well: a cancelled release still deletes it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._acquire import bounded
from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.aio.recipes._nodes import delete_own_node, reap, settle, spawn
from zkrecipes.aio.recipes.curator._contender import create_contender
from zkrecipes.aio.recipes.curator._revocation_watch import RevokeHook, watch_revocation
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockTimeout, NoNodeError
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import raise_unless_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._internals import Contender
from zkrecipes.recipes.curator._ordering import NodeGone, new_protected_prefix
from zkrecipes.recipes.curator._revocation_rules import contender_data
from zkrecipes.recipes.curator._wait_rules import Step, next_step

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.recipes.curator._drivers import LockDriver
    from zkrecipes.states import WatchedEvent, ZkState, ZnodeStat

__all__ = ["AsyncLockInternals", "Contender"]

log = logging.getLogger(__name__)

_Created = tuple[str, str, "ZnodeStat", "asyncio.Future[list[str]] | None"]


class _Cancelled(Exception):
    """:meth:`AsyncLockInternals.cancel` was called during this attempt."""


def _quiet(future: asyncio.Future[Any]) -> None:
    """Let a pipelined request we no longer wait for end without an 'exception never retrieved'."""
    def done(finished: asyncio.Future[Any]) -> None:
        if not finished.cancelled():
            finished.exception()

    future.add_done_callback(done)


class AsyncLockInternals:
    """The acquire/release steps shared by the asyncio Curator locks (see the module docstring)."""

    def __init__(self, client: AsyncRecipeClient, path: str, driver: LockDriver) -> None:
        self.client = client
        self.path = path
        self.driver = driver
        self._generation = 0
        self._waiting: set[asyncio.Event] = set()
        #: Called when our node's data becomes the revoke message (plain or coroutine
        #: function); set by a revocable mutex, whose node is then created with empty data.
        self.on_revoke: RevokeHook | None = None

    def cancel(self) -> None:
        """Make every attempt in progress end as if timed out (its node is deleted)."""
        self._generation += 1
        self.wake_all()

    def wake_all(self) -> None:
        """Make every waiting attempt list the children again."""
        for wake in list(self._waiting):
            wake.set()

    async def attempt(self, timeout: float | None, data: bytes, *, wait: bool = True) -> Contender | None:
        """Our held contender, or None when ``timeout`` passed first or :meth:`cancel` was called.

        ``wait=False``: one try — the pipelined create and listing; if that
        listing does not give it to us, our node is deleted and None returned.
        """
        deadline = Deadline(timeout)
        wake = asyncio.Event()
        generation = self._generation
        self._waiting.add(wake)

        def on_state(state: ZkState) -> None:
            wake.set()

        self.client.add_listener(on_state)
        try:
            return await self._attempt(deadline, data, wake, generation, not wait)
        finally:
            safe_remove_listener(self.client, on_state)  # type: ignore[arg-type]
            self._waiting.discard(wake)

    async def _attempt(self, deadline: Deadline, data: bytes, wake: asyncio.Event, generation: int,
                       probe: bool) -> Contender | None:
        attempt = 0
        while True:
            prefix = new_protected_prefix()
            node: str | None = None
            try:
                if self._generation != generation:
                    raise _Cancelled
                stored = contender_data(data, self.on_revoke is not None)
                node, prefix, stat, listing = await self._create(prefix, stored, deadline)
                if self.on_revoke is not None:
                    watch_revocation(self.client, join_path(self.path, node), lambda: self.on_revoke)
                if await self._wait(node, deadline, wake, generation, listing, probe):
                    return Contender(node, prefix, stat.czxid, stored)
                await self._abandon(prefix)
                return None
            except NodeGone:
                log.debug("contender %s of %s vanished; starting over", node, self.path)
                continue
            except (LockTimeout, _Cancelled):
                await self._abandon(prefix)
                return None
            except BaseException as error:
                await self._abandon(prefix)
                if not isinstance(error, Exception):
                    raise  # CancelledError: our node is gone (or goes after the reconnect)
                raise_unless_retryable(error, deadline, f"could not acquire {self.path}")
                attempt += 1
                wake.clear()
                await wait_event(wake, deadline.capped(min(1.0, 0.05 * 2 ** attempt)))

    async def _create(self, prefix: str, data: bytes, deadline: Deadline) -> _Created:
        """``(node name, prefix, stat, the pipelined listing)`` (see the module docstring)."""
        what = f"acquire of {self.path}"
        name = prefix + self.driver.lock_name
        creating = asyncio.ensure_future(self.client.create(join_path(self.path, name), data, ephemeral=True,
                                                            sequence=True, include_data=True))
        listing: asyncio.Future[list[str]] = asyncio.ensure_future(self.client.get_children(self.path))
        _quiet(creating)
        _quiet(listing)
        try:
            created, stat = await bounded(creating, deadline, what)
            return str(created).rsplit("/", 1)[-1], prefix, stat, listing
        except NoNodeError:
            pass  # the parents are missing: nothing was created
        except Exception as error:
            raise_unless_retryable(error, deadline, f"could not acquire {self.path}")
            reap(self.client, self.path, prefix)  # the create may have been applied: delete it later
        node, new_prefix, stat = await bounded(
            create_contender(self.client, self.path, self.driver.lock_name, data), deadline, what)
        return node, new_prefix, stat, None

    async def _wait(self, node: str, deadline: Deadline, wake: asyncio.Event, generation: int,
                    listing: asyncio.Future[list[str]] | None, probe: bool) -> bool:
        """Wait until the driver says we hold it; False when the deadline passes first (``probe``:
        False at once when the first listing does not give it to us)."""
        what = f"acquire of {self.path}"

        def changed(event: WatchedEvent) -> None:
            wake.set()

        while True:
            wake.clear()  # before the read: a change after it sets wake again
            if self._generation != generation:
                raise _Cancelled
            children: list[str] | None = None
            watched = False
            if listing is not None:
                try:
                    children = await bounded(listing, deadline, what)
                except LockTimeout:
                    raise
                except Exception:  # list again below
                    children = None
                listing = None
            if children is None:
                watched = self.driver.watches_children
                children = await bounded(
                    self.client.get_children(self.path, watch=changed if watched else None), deadline, what)
            verdict = self.driver.judge(self.driver.sort(children), node)
            step = next_step(verdict, probe=probe, watched=watched)
            if step is Step.HOLD or step is Step.GIVE_UP:
                return step is Step.HOLD
            if step is Step.RELIST:  # a count from the unwatched pipelined listing: list again, watched
                continue
            if step is Step.WATCH_NODE:
                assert verdict.watch is not None
                try:
                    await bounded(self.client.get(join_path(self.path, verdict.watch), watch=changed),
                                  deadline, what)
                except NoNodeError:
                    continue
            if not await wait_event(wake, deadline.remaining()) and deadline.expired():
                return False

    async def _abandon(self, prefix: str) -> None:
        """Delete every node of this try's prefix in a task of its own; wait for it (shielded, bounded)."""
        await settle(reap(self.client, self.path, prefix))

    async def release(self, contender: Contender) -> None:
        """Delete a held contender (a task of its own, so a cancelled release still deletes it)."""
        await settle(spawn(delete_own_node(self.client, self.path, contender.name, contender.prefix),
                           f"zkrecipes-release-{self.path}"))

    async def participant_nodes(self) -> list[str]:
        """All children of the lock path, in Curator's order (empty if the path is gone)."""
        try:
            children = await self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return []
        return self.driver.sort(children)
