"""A pull's lock and finish steps bounded by its timeout, honestly (threaded front end).

:func:`within` runs one step (a claim, or a claim and its finish, or a read
and its delete) on a worker of the client's handler and waits for it until
the deadline. A step cut short at the deadline runs on to its end, and its
result is then undone by the worker: a claim gives its lock back, a removed
item is put back **under its own name** (same bytes, the same place in the
order: sequence numbers are never issued twice). A put-back whose reply is
lost while another consumer took the item may deliver it twice — a
duplicate, never a loss. The asyncio twin is ``aio/recipes/curator/_queue_steps.py``.

Without a deadline (wait until there is one) the step runs inline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import LockTimeout, NodeExistsError

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient
    from zkrecipes.recipes._deadline import Deadline

__all__ = ["Taken", "put_back", "within"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Taken:
    """An item node a pull ``take`` removed: its name, its bytes, its items."""

    name: str
    data: bytes
    items: list[bytes]


def within(client: RecipeClient, bound: Deadline | None, step: Callable[[], _T | None],
           undo: Callable[[_T], object]) -> _T | None:
    """``step()`` within ``bound`` (:class:`LockTimeout`); a step cut short is undone when it ends."""
    if bound is None or bound.remaining() is None:
        return step()
    done = client.handler.event_object()
    guard = client.handler.lock_object()
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = step()
        except BaseException as error:
            box["error"] = error
        with guard:
            done.set()
            abandoned = "abandoned" in box
        if abandoned:
            value = box.get("value")
            if value is not None:
                undo(value)  # type: ignore[arg-type]
            elif "error" in box:
                log.debug("queue step cut short at its deadline then failed: %r", box["error"])

    client.handler.spawn(run)
    done.wait(bound.remaining())
    with guard:
        if not done.is_set():
            box["abandoned"] = True
            raise LockTimeout("queue take: its lock or finish step did not end within the timeout")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")  # type: ignore[return-value]


def put_back(client: RecipeClient, queue_path: str, name: str, data: bytes) -> None:
    """Re-create item ``name`` with ``data`` under its own name (after a take cut short)."""
    try:
        client.retry(client.create, join_path(queue_path, name), data)
    except NodeExistsError:
        pass  # a retried create whose first try landed
    except Exception as error:
        log.error("queue %s: could not put back item %s after a take cut short: %r", queue_path, name, error)
