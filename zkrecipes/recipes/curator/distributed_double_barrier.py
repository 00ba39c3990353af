"""DistributedDoubleBarrier: Curator's double barrier, on Curator's znode layout.

Interoperable with Curator's ``DistributedDoubleBarrier`` on the same path.
Members are ``<path>/<canonical uuid>`` (ephemeral, default data: the local
address, parents as containers); ``<path>/ready`` (persistent) is created by
the member that sees at least ``member_qty`` children (every child counts).

* ``enter(timeout)``: create our node; wait until ``ready`` exists. Unlike
  Curator 5.4 (apache/curator GH-1290) every wake-up re-checks ``ready``, so a
  spurious notification never lets a member through early. On timeout our
  node is deleted (Curator leaves it) and False returned.
* ``leave(timeout)``: the members (``ready`` excluded) sorted by name; the
  lowest waits for the highest to go; every other deletes its node and waits
  for the lowest; ``ready`` is deleted at the end (as Curator 5.4 does).

Both steps are the pure rules of :mod:`._barrier_rules` (the asyncio form
drives the same ones).

SUSPENDED: waits continue. LOST: our ephemeral node is gone with the old
session. An ``enter`` under way when that happens makes the node again in the
new session (it is ours by its name; a member counted by the others before
the loss is counted again, never twice) and goes on waiting; once entered, a
``leave`` finds it missing and raises ``RuntimeError`` (Curator:
IllegalStateException). ``enter``/``leave`` leave nothing behind
(apache/curator#1292): their connection listener and watches are removed
however they end.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NodeExistsError, NoNodeError
from zkrecipes.recipes._checks import check_count, check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._retrying import RETRYABLE, is_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._barrier_rules import OPEN, READY_NODE, REJOIN, enter_step, leave_step
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator.distributed_barrier import drop_watches

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Event, RecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["DistributedDoubleBarrier"]


class DistributedDoubleBarrier:
    """A double barrier shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, member_qty: int) -> None:
        self.client = client
        self.path = check_path(path)
        self.member_qty = check_count(member_qty, "member_qty")
        self.our_name = str(uuid.uuid4())
        self.our_path = join_path(self.path, self.our_name)
        self.ready_path = join_path(self.path, READY_NODE)

    def __repr__(self) -> str:
        return f"DistributedDoubleBarrier({self.path!r}, member_qty={self.member_qty})"

    def enter(self, timeout: float | None = None) -> bool:
        """Join and wait until ``member_qty`` members are in; False (and our node gone) on timeout."""
        deadline = Deadline(check_timeout(timeout))
        return self._with_wake(lambda wake, changed, watched: self._enter(deadline, wake, changed, watched))

    def leave(self, timeout: float | None = None) -> bool:
        """Leave and wait until every member left; False on timeout."""
        deadline = Deadline(check_timeout(timeout))
        return self._with_wake(lambda wake, changed, watched: self._leave(deadline, wake, changed, watched))

    # ------------------------------------------------------------------ steps

    def _with_wake(self, body: Callable[[Event, Callable[[WatchedEvent], None], set[str]], bool]) -> bool:
        wake = self.client.handler.event_object()
        watched: set[str] = set()

        def on_state(state: ZkState) -> None:
            wake.set()

        def changed(event: WatchedEvent) -> None:
            wake.set()

        self.client.add_listener(on_state)
        try:
            return body(wake, changed, watched)
        finally:
            safe_remove_listener(self.client, on_state)
            drop_watches(self.client, sorted(watched), changed)

    def _enter(self, deadline: Deadline, wake: Event, changed: Callable[[WatchedEvent], None],
               watched: set[str]) -> bool:
        what = f"enter of {self.path}"

        self._join(deadline)
        while True:
            wake.clear()
            watched.add(self.ready_path)
            try:
                ready = bounded(self.client.exists_async(self.ready_path, watch=changed), deadline, what)
                if ready is not None:
                    return True
                try:
                    children = bounded(self.client.get_children_async(self.path), deadline, what)
                except NoNodeError:  # our session ended and the emptied container went with it
                    children = []
                step = enter_step(children, self.our_name, self.member_qty)
                if step == REJOIN:  # our session ended meanwhile: join again, in this one
                    self._join(deadline)
                    continue
            except RETRYABLE as error:  # the connection or session went: check again once back
                if not is_retryable(error):
                    raise
                if not wake.wait(deadline.remaining()) and deadline.expired():
                    return False
                continue
            if step == OPEN:
                try:
                    bounded(self.client.create_async(self.ready_path, local_address()), deadline, what)
                except NodeExistsError:
                    pass
                return True
            if not wake.wait(deadline.remaining()) and deadline.expired():
                self._delete(self.our_path)
                return False

    def _join(self, deadline: Deadline) -> None:
        try:
            create_with_containers(self.client, self.our_path, local_address(), deadline, ephemeral=True)
        except NodeExistsError:
            pass

    def _leave(self, deadline: Deadline, wake: Event, changed: Callable[[WatchedEvent], None],
               watched: set[str]) -> bool:
        what = f"leave of {self.path}"

        ours_exists = True
        while True:
            wake.clear()
            try:
                listed = bounded(self.client.get_children_async(self.path), deadline, what)
            except NoNodeError:
                listed = []
            step = leave_step(listed, self.our_name, ours_exists)
            if step.delete_ours:
                self._delete(self.our_path)
                ours_exists = False
            if step.done or step.watch is None:
                break
            watched_name = step.watch
            watched_path = join_path(self.path, watched_name)
            watched.add(watched_path)
            watching = self.client.exists_async(watched_path, watch=changed)
            stat = bounded(watching, deadline, what)
            if stat is not None and not wake.wait(deadline.remaining()) and deadline.expired():
                return False
        self._delete(self.ready_path)
        return True

    def _delete(self, path: str) -> None:
        try:
            self.client.retry(self.client.delete, path)
        except NoNodeError:
            pass
