"""Finding, deleting and reaping an asyncio recipe's own nodes (the twin of ``_nodes.py``/``_reaper.py``).

The ownership rule is the sync recipes' :func:`~zkrecipes.recipes._nodes.belongs_to_session`
(pure); only the requests are awaited here.

:func:`reap` deletes the children of a parent named ``prefix…`` in a task of
its own, so a cancelled caller cannot interrupt it. It needs no listener:
a request made while disconnected is held by the transport until the
reconnect (*waiting is submitting*), a retryable failure is retried, and it
ends once the nodes are gone, the parent is gone, or the client is stopped
(ConnectionClosedError). Requests of one session are answered in order, so a
listing sent after a create whose await was cancelled sees that create's node.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import ConnectionClosedError, NoNodeError
from zkrecipes.recipes._nodes import belongs_to_session, current_session_id
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.states import ZnodeStat

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["delete_own_node", "find_own_node", "reap", "settle", "spawn"]

log = logging.getLogger(__name__)

#: Seconds a cancelled or failed acquire waits for its own clean-up before it raises.
SETTLE_WAIT = 5.0

_running: set[asyncio.Task[None]] = set()  # strong references: a reap task is never collected


async def find_own_node(client: AsyncRecipeClient, parent: str, prefix: str,
                        ephemeral: bool) -> tuple[str, ZnodeStat] | None:
    """The child of ``parent`` an earlier create named ``prefix…`` (the protected-create rule).

    An ephemeral of another session is deleted, never adopted; None when there is no such node.
    """
    session = current_session_id(client)  # type: ignore[arg-type]
    for name in await client.get_children(parent):
        if not name.startswith(prefix):
            continue
        path = join_path(parent, name)
        stat = await client.exists(path)
        if stat is None:
            continue
        if ephemeral and not belongs_to_session(stat, session):
            await _delete_quietly(client, path)
            continue
        return name, stat
    return None


async def _delete_quietly(client: AsyncRecipeClient, path: str) -> None:
    try:
        await client.delete(path)
    except NoNodeError:
        pass


async def _reap(client: AsyncRecipeClient, parent: str, prefix: str) -> None:
    attempt = 0
    while True:
        try:
            for name in await client.get_children(parent):
                if name.startswith(prefix):
                    await _delete_quietly(client, join_path(parent, name))
            return
        except NoNodeError:
            return
        except ConnectionClosedError:
            log.debug("client stopped: not deleting %s/%s*", parent, prefix)
            return
        except Exception as error:
            if not is_retryable(error):
                log.warning("could not delete %s/%s*: %r", parent, prefix, error)
                return
        await asyncio.sleep(min(1.0, 0.05 * (2**attempt)))
        attempt += 1


def spawn(work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    """Run a clean-up coroutine in a task of its own, kept referenced until it ends."""
    task = asyncio.get_running_loop().create_task(work, name=name)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def reap(client: AsyncRecipeClient, parent: str, prefix: str) -> asyncio.Task[None]:
    """Delete our nodes under ``parent`` named ``prefix…`` in a task of their own (see the module)."""
    return spawn(_reap(client, parent, prefix), f"zkrecipes-reap-{parent}")


async def settle(task: asyncio.Task[None], wait: float = SETTLE_WAIT) -> None:
    """Wait (at most ``wait`` s) for a clean-up ``task`` without exposing it to our cancellation.

    If the caller is cancelled meanwhile, CancelledError propagates and the task goes on.
    """
    try:
        await asyncio.wait_for(asyncio.shield(task), wait)
    except TimeoutError:
        pass  # still disconnected: the task finishes after the reconnect


async def delete_own_node(client: AsyncRecipeClient, parent: str, name: str, prefix: str) -> None:
    """Delete our node ``parent/name``; if that cannot be done now, it is reaped after the reconnect."""
    path = join_path(parent, name)
    try:
        await _delete_quietly(client, path)
    except ConnectionClosedError:
        pass  # stopped: the ephemeral went with the session
    except Exception as error:
        if not is_retryable(error):
            raise
        log.warning("deleting %s deferred to the next reconnect: %r", path, error)
        reap(client, parent, prefix)
