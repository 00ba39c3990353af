"""Wait until a node's children have settled (the asyncio twin of ``PatientChildrenWatch``).

:func:`settled_children` returns once ``time_boundary`` seconds passed with no
change of ``path``'s children: the settled list and an :class:`asyncio.Event`
set on the first change after that. The one-shot watch behaves as any of this
client's watches (restored on reconnect to the same session); reads are
retried by the client's retry policy; errors (e.g. NoNodeError) propagate.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from zkrecipes.aio.recipes._guard import wait_event

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["settled_children"]


async def settled_children(client: AsyncRecipeClient, path: str,
                           time_boundary: float) -> tuple[list[str], asyncio.Event]:
    """The children of ``path`` once unchanged for ``time_boundary`` s, and the next change's event."""
    while True:
        changed = asyncio.Event()

        def watcher(event: WatchedEvent, changed: asyncio.Event = changed) -> None:
            changed.set()

        children: list[str] = await client.retry(client.get_children, path, watcher)
        if not await wait_event(changed, time_boundary):  # settling is defined by time
            return children, changed
