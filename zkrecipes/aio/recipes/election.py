"""Leader election on asyncio (``zkrecipes.recipes.election`` with ``await``), on the asyncio :class:`Lock`.

Same semantics as the threaded Election: SUSPENDED keeps leadership
(``is_suspended``); LOST ends it — ``is_leader`` turns False and
``leadership_lost`` (an :class:`asyncio.Event`) is set, but the leader function
is not interrupted: it should watch ``leadership_lost`` (or ``is_leader``) and
return. Cancelling the task running :meth:`Election.run` stops contending (the
contender node is deleted) or, while leader, cancels the leader function and
releases leadership.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.lock import Lock
from zkrecipes.exceptions import CancelledError, InvalidTypeError
from zkrecipes.recipes._checks import check_identifier, check_path

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient

__all__ = ["Election"]


class Election:
    """Contend for leadership of ``path``; ``await run(func, *args)`` runs ``func`` while leader.

    ``func`` may be a plain function or a coroutine function (awaited).
    """

    def __init__(self, client: AsyncRecipeClient, path: str, identifier: str | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        check_identifier(identifier)
        self.lock = Lock(client, path, identifier, on_lost=self._on_lost)
        self.lock._times.recipe = "election"  # its acquisitions are the election's (observers)
        self.leadership_lost = asyncio.Event()
        self._leader = False

    def __repr__(self) -> str:
        return f"Election({self.path!r}, leader={self.is_leader})"

    @property
    def is_leader(self) -> bool:
        """True while this contender is leader (False as soon as its session is LOST)."""
        return self._leader and self.lock.is_acquired

    @property
    def epoch(self) -> int | None:
        """The term's number while leader: the czxid of our lock node, else None.

        It strictly increases from one leader of the path to the next, whichever
        process leads (each term holds a node created after every node that
        sorts ahead of it; see ``zkrecipes.recipes.curator._leader_rules``).
        """
        return self.lock.fencing_token if self.is_leader else None

    @property
    def is_suspended(self) -> bool:
        """True while the connection is down (the session, and leadership, may still live)."""
        return self.lock.is_suspended

    def _on_lost(self, lock: Lock) -> None:
        self._leader = False
        self.leadership_lost.set()

    async def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Wait until elected, then call (and await) ``func(*args, **kwargs)`` as leader.

        Returns when ``func`` returns (leadership is released then), or at once
        if :meth:`cancel` was called before leadership was won. Exceptions from
        ``func`` propagate after leadership is released.
        """
        if not callable(func):
            raise InvalidTypeError("leader function is not callable")
        self.leadership_lost.clear()
        try:
            await self.lock.acquire()
        except CancelledError:
            self.leadership_lost.set()
            return
        self._leader = True
        try:
            outcome = func(*args, **kwargs)
            if inspect.isawaitable(outcome):
                await outcome
        finally:
            self._leader = False
            self.leadership_lost.set()
            await self.lock.release()

    def cancel(self) -> None:
        """Stop contending; a function already running as leader is not interrupted."""
        self.lock.cancel()

    async def contenders(self) -> list[str]:
        """Identifiers of the current contenders; the leader first."""
        return await self.lock.contenders()
