"""Curator's lock internals for the sync client: create a contender, wait for our turn, delete it.

One attempt (:meth:`LockInternals.attempt`), as Curator's ``LockInternals``:

1. create ``<path>/_c_<uuid>-<lock name><seq>`` — ephemeral sequential,
   container parents made on NoNode, recovered by its prefix after a
   connection loss (:mod:`._create`);
2. list **all** children (the first listing is sent right behind the create,
   so an uncontended acquire costs one round trip: one write, one read), sort
   them Curator's way and ask the driver; if we hold it, return our node;
3. else set a data watch on the child the driver names and wait for that
   watch or a session change, then list again (a NoNode on the watch means it
   is gone already: list again at once); a driver that counts
   (``watches_children``: a semaphore's leases) lists with a child watch
   instead and waits for that;
4. our node missing from a listing (its session ended) starts over with a
   new name; on timeout or any error our node is deleted — now, or on the
   next reconnect — so it never blocks the others.

``attempt(..., wait=False)`` makes only the pipelined try (steps 1-2) and
deletes the node when that listing does not give it to us. Every lock-like
Curator recipe acquires through this loop: the mutex, both read/write halves,
the semaphore's gate and its leases (the semaphore mutex and the multi lock
through them).

Returns a :class:`Contender`; its czxid is the fencing token (strictly
increasing across successive holders of one path).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockTimeout, NoNodeError
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._reaper import delete_own_node, reap
from zkrecipes.recipes._retrying import raise_unless_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import create_protected
from zkrecipes.recipes.curator._ordering import NodeGone, new_protected_prefix
from zkrecipes.recipes.curator._revocation_rules import REVOKE_MESSAGE, contender_data, is_revocation
from zkrecipes.recipes.curator._wait_rules import Step, next_step
from zkrecipes.states import EventType, ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Event, Pending, RecipeClient
    from zkrecipes.recipes.curator._drivers import LockDriver
    from zkrecipes.states import WatchedEvent, ZnodeStat

__all__ = ["REVOKE_MESSAGE", "Contender", "LockInternals"]


log = logging.getLogger(__name__)


class Contender:
    """A node we hold: its name under the lock path, its prefix, its czxid (fencing token), its data."""

    __slots__ = ("czxid", "data", "name", "prefix")

    def __init__(self, name: str, prefix: str, czxid: int, data: bytes = b"") -> None:
        self.name = name
        self.prefix = prefix
        self.czxid = czxid
        self.data = data

    def __repr__(self) -> str:
        return f"Contender({self.name!r}, czxid={self.czxid})"


class _Cancelled(Exception):
    """:meth:`LockInternals.cancel` was called during this attempt."""


class LockInternals:
    """The acquire/release steps shared by Curator's lock-like recipes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, driver: LockDriver) -> None:
        self.client = client
        self.path = path
        self.driver = driver
        self._guard = client.handler.lock_object()
        self._generation = 0
        self._waiting: list[Event] = []
        #: Called (on the completion queue) when our node's data becomes ``REVOKE_MESSAGE``;
        #: set by a revocable lock, whose node is then created with empty data (as Curator's).
        self.on_revoke: Callable[[], None] | None = None

    def cancel(self) -> None:
        """Make every attempt in progress end as if timed out (its node is deleted)."""
        with self._guard:
            self._generation += 1
        self.wake_all()

    def wake_all(self) -> None:
        """Make every waiting attempt list the children again (e.g. a semaphore's limit changed)."""
        with self._guard:
            waiting = list(self._waiting)
        for wake in waiting:
            wake.set()

    def attempt(self, timeout: float | None, data: bytes, *, wait: bool = True) -> Contender | None:
        """Our held contender, or None when ``timeout`` passed first or :meth:`cancel` was called.

        ``wait=False``: one try — the pipelined create and listing; if that
        listing does not give it to us, our node is deleted and None returned.
        """
        deadline = Deadline(timeout)
        wake = self.client.handler.event_object()
        with self._guard:
            generation = self._generation
            self._waiting.append(wake)

        def on_state(state: ZkState) -> None:
            wake.set()

        self.client.add_listener(on_state)
        try:
            return self._attempt(deadline, data, wake, generation, not wait)
        finally:
            safe_remove_listener(self.client, on_state)
            with self._guard:
                self._waiting.remove(wake)

    def _check_cancelled(self, generation: int) -> None:
        if self._generation != generation:
            raise _Cancelled

    def _attempt(self, deadline: Deadline, data: bytes, wake: Event, generation: int,
                 probe: bool) -> Contender | None:
        attempt = 0
        while True:
            prefix = new_protected_prefix()
            node: str | None = None
            try:
                self._check_cancelled(generation)
                stored = contender_data(data, self.on_revoke is not None)
                node, stat, listing = self._create(prefix, stored, deadline)
                if self.on_revoke is not None:
                    self._watch_revocation(join_path(self.path, node))
                if self._wait(node, deadline, wake, generation, listing, probe):
                    return Contender(node, prefix, stat.czxid, stored)
                self._abandon(prefix, node)
                return None
            except NodeGone:
                log.debug("contender %s of %s vanished; starting over", node, self.path)
                continue
            except (LockTimeout, _Cancelled):
                self._abandon(prefix, node)
                return None
            except BaseException as error:
                self._abandon(prefix, node)
                if not isinstance(error, Exception):
                    raise
                raise_unless_retryable(error, deadline, f"could not acquire {self.path}")
                attempt += 1
                wake.clear()
                wake.wait(deadline.capped(min(1.0, 0.05 * 2 ** attempt)))

    def _create(self, prefix: str, data: bytes,
                deadline: Deadline) -> tuple[str, ZnodeStat, Pending[list[str]] | None]:
        """Our contender ``(name, stat, listing)``: the create and the first listing are pipelined.

        ZooKeeper answers a session's requests in order, so the listing sent
        right behind the create already shows our node: an uncontended acquire
        takes one round trip. Any failure of that first try falls back to the
        protected create (containers on NoNode, recovery by prefix).
        """
        name = prefix + self.driver.lock_name
        creating = self.client.create_async(join_path(self.path, name), data, ephemeral=True, sequence=True,
                                            include_data=True)
        listing = self.client.get_children_async(self.path)
        try:
            created, stat = bounded(creating, deadline, f"acquire of {self.path}")
            return str(created).rsplit("/", 1)[-1], stat, listing
        except NoNodeError:
            tried = False  # the parents are missing: nothing was created
        except Exception as error:
            raise_unless_retryable(error, deadline, f"could not acquire {self.path}")
            tried = True  # the create may have been applied: look for it first
        node, stat = create_protected(self.client, self.path, prefix, self.driver.lock_name, data, deadline,
                                      tried=tried)
        return node, stat, None

    def _wait(self, node: str, deadline: Deadline, wake: Event, generation: int,
              listing: Pending[list[str]] | None = None, probe: bool = False) -> bool:
        """Wait until the driver says we hold it; False when the deadline passes first (``probe``:
        False at once when the first listing does not give it to us)."""
        what = f"acquire of {self.path}"
        while True:
            wake.clear()  # before the read: a change after it sets wake again
            self._check_cancelled(generation)
            children: list[str] | None = None
            watched = False  # this listing set a child watch

            def changed(event: WatchedEvent) -> None:
                wake.set()

            if listing is not None:
                try:
                    children = bounded(listing, deadline, what)
                except LockTimeout:
                    raise
                except Exception:  # list again below
                    children = None
                listing = None
            if children is None:
                watched = self.driver.watches_children
                pending = self.client.get_children_async(self.path, watch=changed if watched else None)
                children = bounded(pending, deadline, what)
            verdict = self.driver.judge(self.driver.sort(children), node)
            step = next_step(verdict, probe=probe, watched=watched)
            if step is Step.HOLD or step is Step.GIVE_UP:
                return step is Step.HOLD
            if step is Step.RELIST:  # a count from the unwatched pipelined listing: list again, watched
                continue
            if step is Step.WATCH_NODE:
                assert verdict.watch is not None
                try:
                    bounded(self.client.get_async(join_path(self.path, verdict.watch), watch=changed),
                            deadline, what)
                except NoNodeError:
                    continue
            remaining = deadline.remaining()
            if not wake.wait(remaining) and deadline.expired():
                return False

    def _watch_revocation(self, path: str) -> None:
        """Watch our node's data; tell ``on_revoke`` when it reads ``REVOKE_MESSAGE``."""

        def check(result: Any) -> None:
            if result.exception is None:
                data, _stat = result.get(timeout=0)
                hook = self.on_revoke
                if is_revocation(data) and hook is not None:
                    hook()

        def changed(event: WatchedEvent) -> None:
            if event.type == EventType.CHANGED:
                try:
                    self.client.get_async(path, watch=changed).rawlink(check)
                except Exception:  # the client is stopping
                    log.debug("revocation watch on %s ended", path, exc_info=True)

        self.client.get_async(path, watch=changed).rawlink(check)

    def _abandon(self, prefix: str, node: str | None) -> None:
        """Delete our node of this try (known by name, else by prefix) now or after reconnect."""
        try:
            if node is not None:
                delete_own_node(self.client, self.path, node, prefix)
            else:
                reap(self.client, self.path, prefix, try_now=self.client.connected)
        except Exception:  # the reaper logs and retries on reconnect; never mask the caller's outcome
            log.exception("could not clean up contender %s%s of %s", prefix, node or "*", self.path)

    def release(self, contender: Contender) -> None:
        """Delete a held contender (now, or after the next reconnect; NoNode is fine)."""
        delete_own_node(self.client, self.path, contender.name, contender.prefix)

    def participant_nodes(self) -> list[str]:
        """All children of the lock path, in Curator's order (empty if the path is gone)."""
        try:
            children = self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return []
        return self.driver.sort(children)
