"""DistributedBarrier: Curator's barrier, on Curator's znode layout.

Interoperable with Curator's ``DistributedBarrier`` (and with zkrecipes'/kazoo's
``Barrier``) on the same path: the barrier *is* the node ``<path>``
(persistent, default data = the local address, parents as containers).
``wait_on_barrier`` returns once the node is gone, re-checking after every
watch event (never trusting a single notification).

SUSPENDED: a waiter keeps waiting (the watch is restored on reconnect).
LOST: nothing to lose (the node is persistent); the wait re-checks.
A wait leaves nothing behind (apache/curator#1292): its connection listener is
removed and its watch too (from the server when connected), however it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.exceptions import NodeExistsError, NoNodeError, ZkException
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline, bounded
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import create_with_containers
from zkrecipes.recipes.curator._encoding import local_address

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["DistributedBarrier", "drop_watches"]

log = logging.getLogger(__name__)


def drop_watches(client: RecipeClient, paths: Iterable[str], callback: Callable[[WatchedEvent], Any]) -> None:
    """Remove ``callback``'s data/exists watches on ``paths`` (server and local); what fired is gone already.

    Skipped while disconnected: a watch left then fires into a finished wait.
    """
    for path in paths:
        if not client.connected:
            return
        try:
            client.remove_watches(path, callback, WatcherType.DATA)
        except ZkException:  # NoWatcher: it fired already; or the connection went
            log.debug("removing the watch of %s failed", path, exc_info=True)


class DistributedBarrier:
    """A barrier shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str) -> None:
        self.client = client
        self.path = check_path(path)

    def __repr__(self) -> str:
        return f"DistributedBarrier({self.path!r})"

    def set_barrier(self) -> None:
        """Put the barrier up (creating the node; already up is fine)."""
        try:
            create_with_containers(self.client, self.path, local_address(), Deadline(None))
        except NodeExistsError:
            pass

    def remove_barrier(self) -> None:
        """Take the barrier down (deleting the node; already down is fine)."""
        try:
            self.client.retry(self.client.delete, self.path)
        except NoNodeError:
            pass

    def wait_on_barrier(self, timeout: float | None = None) -> bool:
        """Wait until the barrier is down; False if still up after ``timeout`` seconds."""
        deadline = Deadline(check_timeout(timeout))
        wake = self.client.handler.event_object()

        def changed(event: WatchedEvent) -> None:
            wake.set()

        def on_state(state: ZkState) -> None:
            wake.set()

        self.client.add_listener(on_state)
        watched = False
        try:
            while True:
                wake.clear()
                watched = True
                try:
                    stat = bounded(self.client.exists_async(self.path, watch=changed), deadline,
                                   f"wait on barrier {self.path}")
                except Exception:
                    if deadline.expired():
                        return False
                    raise
                if stat is None:
                    return True
                if not wake.wait(deadline.remaining()) and deadline.expired():
                    return False
        finally:
            safe_remove_listener(self.client, on_state)
            if watched:
                drop_watches(self.client, [self.path], changed)
