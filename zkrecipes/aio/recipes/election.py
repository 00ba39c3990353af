"""Leader election on asyncio (``zkrecipes.recipes.election`` with ``await``), on the asyncio :class:`Lock`.

Same semantics as the threaded Election: SUSPENDED keeps leadership
(``is_suspended``); LOST ends it — ``is_leader`` turns False and
``leadership_lost`` (an :class:`asyncio.Event`) is set, but the leader function
is not interrupted: it should watch ``leadership_lost`` (or ``is_leader``) and
return. Cancelling the task running :meth:`Election.run` stops contending (the
contender node is deleted) or, while leader, cancels the leader function and
releases leadership.

Beyond kazoo: ``epoch`` and a state stream, as the threaded Election's
(PENDING, LEADER with the epoch, RESIGNED; no CLOSED, an Election is reusable):
``async for state in election.states()`` (bound it with ``asyncio.timeout``),
or ``add_state_listener(callback)`` (plain or coroutine, run in order on the
election's callback queue, started by :meth:`Election.run`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes.curator._stream import AsyncLeaderStateStream, AsyncStateCallback
from zkrecipes.aio.recipes.lock import Lock
from zkrecipes.exceptions import CancelledError, InvalidTypeError
from zkrecipes.recipes._checks import check_identifier, check_path
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus

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
        self._stream = AsyncLeaderStateStream(f"election {self.path}")

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

    @property
    def leadership(self) -> LeadershipState:
        """The current state of the stream (PENDING, LEADER or RESIGNED, with its epoch)."""
        return self._stream.current

    def states(self, limit: int = DEFAULT_LIMIT) -> AsyncIterator[LeadershipState]:
        """``async for state in election.states()``: the current state, then each change."""
        return self._stream.iterate(limit)

    def add_state_listener(self, callback: AsyncStateCallback) -> None:
        """Call ``callback(state)`` (plain or async) for each new state, once :meth:`run` started."""
        self._stream.add_callback(callback)

    def remove_state_listener(self, callback: AsyncStateCallback) -> None:
        """Stop calling ``callback``."""
        self._stream.remove_callback(callback)

    def _on_lost(self, lock: Lock) -> None:
        self._leader = False
        self.leadership_lost.set()
        self._stream.resign()

    async def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Wait until elected, then call (and await) ``func(*args, **kwargs)`` as leader.

        Returns when ``func`` returns (leadership is released then), or at once
        if :meth:`cancel` was called before leadership was won. Exceptions from
        ``func`` propagate after leadership is released.
        """
        if not callable(func):
            raise InvalidTypeError("leader function is not callable")
        self.leadership_lost.clear()
        self._stream.start()
        try:
            await self._run(func, *args, **kwargs)
        finally:
            await self._stream.pause()  # the callbacks of this run have run; no task is left behind

    async def _run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._stream.publish(LeadershipState(LeaderStatus.PENDING))
        try:
            await self.lock.acquire()
        except CancelledError:
            self.leadership_lost.set()
            return
        self._leader = True
        self._stream.publish(LeadershipState(LeaderStatus.LEADER, self.lock.fencing_token))
        try:
            outcome = func(*args, **kwargs)
            if inspect.isawaitable(outcome):
                await outcome
        finally:
            self._leader = False
            self.leadership_lost.set()
            self._stream.resign()  # before the release: the next leader's LEADER comes after it
            await self.lock.release()

    def cancel(self) -> None:
        """Stop contending; a function already running as leader is not interrupted."""
        self.lock.cancel()

    async def contenders(self) -> list[str]:
        """Identifiers of the current contenders; the leader first."""
        return await self.lock.contenders()
