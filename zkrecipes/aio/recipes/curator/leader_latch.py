"""LeaderLatch on asyncio: Curator's latch (``zkrecipes.recipes.curator.LeaderLatch`` with ``await``).

Same node layout (``<path>/_c_<uuid>-latch-<seq>``, data = the id in UTF-8,
container parents), the same rules (:mod:`zkrecipes.recipes.curator._leader_rules`:
who leads, what to watch, SUSPENDED/LOST resign, the next CONNECTED resets,
close modes) and the same state stream, so sync, asyncio and Curator
participants share one path. The latch's steps run in one task, woken by
watches and session changes; listeners (``is_leader()`` / ``not_leader()``,
plain or coroutine functions) and state callbacks run in order on the latch's
callback queue.

**Cancellation.** ``await start()`` returns once our first node exists; if it
is cancelled (or times out under ``asyncio.timeout``) the latch is closed and
any node it made — also one whose create was in flight — is deleted. A
cancelled ``await_leadership`` only stops waiting: the latch keeps its place.
``close()`` removes the session listener and the predecessor watch it added
(apache/curator#1292), deletes our node and stops the callback queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.aio.recipes._nodes import delete_own_node
from zkrecipes.aio.recipes.curator._contender import create_contender
from zkrecipes.aio.recipes.curator._stream import AsyncLeaderStateStream, AsyncStateCallback
from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError, ZkException
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._leader_rules import (
    LATCH_NAME,
    close_notifies,
    latch_order,
    latch_session_step,
    latch_turn,
)
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT
from zkrecipes.recipes.curator.latch_types import CloseMode, LatchState
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus
from zkrecipes.recipes.curator.participant import Participant

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["LeaderLatch"]

log = logging.getLogger(__name__)


class LeaderLatch:
    """A leader latch for :class:`~zkrecipes.aio.AsyncZkClient`, shared with Curator (see the module)."""

    def __init__(self, client: AsyncRecipeClient, path: str, id: str = "",  # noqa: A002 (Curator's name)
                 close_mode: CloseMode = CloseMode.SILENT) -> None:
        if not isinstance(id, str):
            raise TypeError("id must be a str")
        if not isinstance(close_mode, CloseMode):
            raise TypeError("close_mode must be a CloseMode")
        self.client = client
        self.path = check_path(path)
        self.id = id
        self.close_mode = close_mode
        self._state = LatchState.LATENT
        self._leader = False
        self._node: tuple[str, str, int, int] | None = None  # (name, prefix, czxid, ephemeral owner)
        self._need_reset = False
        self._need_check = False
        self._disconnected = False
        self._signal = asyncio.Event()
        self._leader_event = asyncio.Event()
        self._created = asyncio.Event()
        self._listeners: list[Any] = []
        self._stream = AsyncLeaderStateStream(f"latch {self.path}")
        self._task: asyncio.Task[None] | None = None
        self._watcher = self._on_watch  # one object: the watch we add is the one close() removes
        self._watched: str | None = None

    def __repr__(self) -> str:
        return f"LeaderLatch({self.path!r}, id={self.id!r}, state={self._state.value}, leader={self._leader})"

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Join the election; returns once our node exists (once; ``RuntimeError`` if started or closed)."""
        if self._state is not LatchState.LATENT:
            raise RuntimeError("Cannot be started more than once")
        self._state = LatchState.STARTED
        self._need_reset = True
        self._stream.start()
        self.client.add_listener(self._on_state)
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"zkrecipes-latch-{self.path}")
        self._signal.set()
        created = asyncio.ensure_future(self._created.wait())
        try:
            await asyncio.wait({self._task, created}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            if self._state is LatchState.STARTED:
                await asyncio.shield(self._close(self.close_mode))
            raise
        finally:
            created.cancel()

    async def close(self, close_mode: CloseMode | None = None) -> None:
        """Leave: delete our node; tell the listeners per ``close_mode``; drop listeners and watches."""
        if self._state is not LatchState.STARTED:
            raise RuntimeError("Already closed or has not been started")
        await self._close(close_mode or self.close_mode)

    async def _close(self, mode: CloseMode) -> None:
        self._state = LatchState.CLOSED
        safe_remove_listener(self.client, self._on_state)  # type: ignore[arg-type]
        task, self._task = self._task, None
        self._signal.set()
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._unwatch()
        node, self._node = self._node, None
        if node is not None:
            await delete_own_node(self.client, self.path, node[0], node[1])
        if close_notifies(mode, self._leader):
            self._set_leadership(False)
        else:
            self._leader = False
        self._stream.resign()
        self._leader_event.set()  # wake await_leadership (it returns False now)
        self._created.set()
        await self._stream.close()
        self._listeners.clear()

    async def __aenter__(self) -> LeaderLatch:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._state is LatchState.STARTED:
            await self.close()

    # ------------------------------------------------------------------ Curator's API

    def get_id(self) -> str:
        """This participant's id."""
        return self.id

    def get_state(self) -> LatchState:
        """LATENT, STARTED or CLOSED."""
        return self._state

    def has_leadership(self) -> bool:
        """True while started and leading."""
        return self._state is LatchState.STARTED and self._leader

    async def await_leadership(self, timeout: float | None = None) -> bool:
        """Wait until this latch leads (or ``timeout`` passes, or it is closed); whether it leads.

        Cancelling it only stops the wait.
        """
        deadline = Deadline(check_timeout(timeout))
        while self._state is LatchState.STARTED and not self._leader:
            await wait_event(self._leader_event, deadline.remaining())
            if deadline.expired():
                break
        return self.has_leadership()

    def get_our_path(self) -> str | None:
        """Our node's full path, or None while there is none."""
        node = self._node
        return None if node is None else join_path(self.path, node[0])

    def add_listener(self, listener: Any) -> None:
        """Tell ``listener`` (``is_leader()`` / ``not_leader()``, plain or async) of leadership changes."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Any) -> None:
        """Stop telling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def get_participants(self) -> list[Participant]:
        """Every participant in Curator's order (the first leads)."""
        found = []
        for position, name in enumerate(latch_order(await self._children() or [])):
            try:
                data, _stat = await self.client.retry(self.client.get, join_path(self.path, name))
            except NoNodeError:
                continue
            found.append(Participant((data or b"").decode("utf-8", "replace"), position == 0))
        return found

    async def get_leader(self) -> Participant:
        """The current leader, or ``Participant("", False)`` when there is none."""
        participants = await self.get_participants()
        return participants[0] if participants else Participant("", False)

    # ------------------------------------------------------------------ beyond Curator

    @property
    def epoch(self) -> int | None:
        """The czxid of our node while leading (strictly increasing across leaders), else None."""
        node = self._node
        return node[2] if node is not None and self.has_leadership() else None

    @property
    def fencing_token(self) -> int | None:
        """The same number as :attr:`epoch`."""
        return self.epoch

    @property
    def leadership(self) -> LeadershipState:
        """The current state of the stream (PENDING, LEADER, RESIGNED or CLOSED, with its epoch)."""
        return self._stream.current

    def states(self, limit: int = DEFAULT_LIMIT) -> AsyncIterator[LeadershipState]:
        """``async for state in latch.states()``: the current state, then each change; ends after CLOSED.

        Keeps up to ``limit`` states for a slow reader, then drops the oldest;
        bound a wait with ``asyncio.timeout``.
        """
        return self._stream.iterate(limit)

    def add_state_listener(self, callback: AsyncStateCallback) -> None:
        """Call ``callback(state)`` (plain or async) on the latch's callback queue for each new state."""
        self._stream.add_callback(callback)

    def remove_state_listener(self, callback: AsyncStateCallback) -> None:
        """Stop calling ``callback``."""
        self._stream.remove_callback(callback)

    # ------------------------------------------------------------------ the worker

    async def _children(self) -> list[str] | None:
        try:
            children: list[str] = await self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return None  # the parent is gone (CURATOR-724): the reset makes it again
        return children

    async def _run(self) -> None:
        failures = 0
        while True:
            await self._signal.wait()
            self._signal.clear()
            if self._state is not LatchState.STARTED:
                return
            reset, self._need_reset = self._need_reset, False
            check, self._need_check = self._need_check, False
            try:
                if reset:
                    await self._reset()
                elif check:
                    await self._check()
                failures = 0
            except Exception as error:
                failures += 1
                if not is_retryable(error):
                    log.exception("leader latch %s: step failed; resetting", self.path)
                self._need_reset = True
                await wait_event(self._signal, min(2.0, 0.05 * 2 ** failures))
                self._signal.set()

    async def _reset(self) -> None:
        """Leave leadership, replace our node with a fresh one, then check."""
        self._set_leadership(False)
        old, self._node = self._node, None
        if old is not None:
            await delete_own_node(self.client, self.path, old[0], old[1])
        data = self.id.encode("utf-8")
        name, prefix, stat = await create_contender(self.client, self.path, LATCH_NAME, data)
        if self._state is not LatchState.STARTED:
            await delete_own_node(self.client, self.path, name, prefix)
            return
        self._node = (name, prefix, stat.czxid, stat.ephemeralOwner)
        self._stream.publish(LeadershipState(LeaderStatus.PENDING, stat.czxid))
        self._created.set()
        await self._check()

    async def _check(self) -> None:
        while True:
            node = self._node
            if node is None:
                self._need_reset = True
                self._signal.set()
                return
            children = await self._children()
            client_id = self.client.client_id
            turn = latch_turn(children, node[0], owner=node[3],
                              session=None if client_id is None else client_id[0])
            if turn.gone:
                self._need_reset = True
                self._signal.set()
                return
            if turn.leads:
                self._set_leadership(True)
                return
            self._set_leadership(False)
            assert turn.watch is not None
            watched = join_path(self.path, turn.watch)
            self._watched = watched
            try:
                await self.client.retry(self.client.get, watched, self._watcher)
                return
            except NoNodeError:
                continue

    async def _unwatch(self) -> None:
        watched, self._watched = self._watched, None
        if watched is None or not self.client.connected:
            return
        try:
            await self.client.remove_watches(watched, self._watcher, WatcherType.DATA)
        except ZkException:
            pass  # it fired already, or the connection went

    def _on_watch(self, event: WatchedEvent) -> None:
        if event.path == self._watched:
            self._watched = None
        self._need_check = True
        self._signal.set()

    def _on_state(self, state: ZkState) -> None:
        step = latch_session_step(state, self._disconnected)
        self._disconnected = step.disconnected
        if step.resign:
            self._set_leadership(False)
        if step.reset:
            self._need_reset = True
            self._signal.set()

    def _set_leadership(self, leader: bool) -> None:
        if leader and self._state is not LatchState.STARTED:
            return
        changed = self._leader != leader
        self._leader = leader
        node = self._node
        if leader:
            self._leader_event.set()
            if node is not None:
                self._stream.publish(LeadershipState(LeaderStatus.LEADER, node[2]))
        else:
            self._leader_event.clear()
            self._stream.resign()
        if changed:
            for listener in list(self._listeners):
                self._stream.call_soon(listener.is_leader if leader else listener.not_leader)
