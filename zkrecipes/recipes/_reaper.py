"""Node clean-up that survives a connection drop: delete a recipe's nodes now or after reconnect.

A lock contender left by a failed, cancelled or timed-out acquire must not
block the others. When the connection is down at that moment the delete
cannot be sent; :class:`NodeReaper` keeps listening and deletes the nodes on
the next CONNECTED. :func:`delete_own_node` is the "now, else later" step the
lock-like recipes use on release.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import (
    ConnectionClosedError,
    NoNodeError,
    RetryFailedError,
    ZookeeperStoppedError,
)
from zkrecipes.recipes._nodes import delete_quietly
from zkrecipes.recipes._retrying import RETRYABLE, call_with_retry, is_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Event, RecipeClient

__all__ = ["NodeReaper", "delete_own_node", "reap"]

log = logging.getLogger(__name__)


class NodeReaper:
    """Deletes the children of ``parent`` whose names start with ``prefix``.

    Guarantees the deletion happens: now if the client is connected, else after
    the next reconnect (it listens for CONNECTED until it succeeded). It gives up
    only when the client is stopped or the parent is gone. The work runs on a
    handler worker (spawn), so a connection drop never blocks the caller beyond
    ``start``'s bounded wait.
    """

    def __init__(self, client: RecipeClient, parent: str, prefix: str) -> None:
        self.client = client
        self.parent = parent
        self.prefix = prefix
        self.done = False

    def start(self, try_now: bool = True, wait: float = 5.0) -> bool:
        """Try at once if asked and connected, waiting at most ``wait`` s for that try.

        Returns True when the nodes are known to be gone; otherwise they are
        deleted after a later reconnect.
        """
        self.client.add_listener(self._listener)
        if try_now and self.client.connected:
            finished = self.client.handler.event_object()
            self.client.handler.spawn(self._run, finished)
            finished.wait(wait)
        return self.done

    def _listener(self, state: ZkState) -> bool:
        if self.done:
            return True
        if state == ZkState.CONNECTED:
            self.client.handler.spawn(self._run, None)
        return False

    def _run(self, finished: Event | None) -> None:
        try:
            if not self.done and self._try():
                self.done = True
                safe_remove_listener(self.client, self._listener)
        finally:
            if finished is not None:
                finished.set()

    def _try(self) -> bool:
        try:
            children = self.client.get_children(self.parent)
            for name in children:
                if name.startswith(self.prefix):
                    delete_quietly(self.client, join_path(self.parent, name))
        except NoNodeError:
            pass
        except (ConnectionClosedError, ZookeeperStoppedError):
            log.debug("client stopped: not deleting %s/%s*", self.parent, self.prefix)
        except Exception as error:  # retried on the next reconnect unless fatal
            if is_retryable(error):
                return False
            log.warning("could not delete %s/%s*: %r", self.parent, self.prefix, error)
        return True


def reap(client: RecipeClient, parent: str, prefix: str, try_now: bool = True) -> None:
    """Delete our nodes under ``parent`` named ``prefix…``, now or after the next reconnect."""
    NodeReaper(client, parent, prefix).start(try_now)


def delete_own_node(client: RecipeClient, parent: str, name: str, prefix: str) -> None:
    """Delete our node ``parent/name`` now (retried).

    If that fails for a lost connection, the nodes named ``prefix…`` are
    deleted after the next reconnect; after the client was stopped the
    ephemeral node went with the session.
    """
    path = join_path(parent, name)
    try:
        call_with_retry(client, delete_quietly, client, path)
    except (RetryFailedError, *RETRYABLE) as error:
        log.warning("deleting %s deferred to the next reconnect: %r", path, error)
        if not isinstance(error, ConnectionClosedError):
            reap(client, parent, prefix, try_now=False)
