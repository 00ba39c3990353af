"""LeaderSelector on asyncio: Curator's selector (a Curator mutex on the path) with ``await``.

Same node layout as the sync :class:`zkrecipes.recipes.curator.LeaderSelector`
and Curator's ``LeaderSelector`` / ``InterProcessMutex``: each queued
participant makes ``<path>/_c_<uuid>-lock-<seq>`` (data = its id in UTF-8, or
the local address when the id is empty); the first in Curator's order leads.

A term is ``await listener.take_leadership(client)`` (a coroutine function; a
plain function would block the loop) run in a task of its own: leadership lasts
until it returns, then the node is deleted. asyncio *can* interrupt: the term's
task is cancelled by :meth:`LeaderSelector.interrupt_leadership`, by
:meth:`LeaderSelector.close`, and — unless the listener has its own
``state_changed(client, state)`` — on SUSPENDED and LOST (the rule of
:mod:`zkrecipes.recipes.curator._leader_rules`). With :meth:`auto_requeue` the
selector queues again after each term.

The stream and epoch are the sync selector's: PENDING while queued, LEADER
(epoch = the czxid of our node) during a term, RESIGNED when it ends (before the
node is deleted), CLOSED. Cancelling a task awaiting :meth:`await_leadership`
removes nothing; ``close()`` deletes our node (also one whose create was in
flight), the predecessor watch and the session listener.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

from zkrecipes.aio.recipes._guard import wait_event
from zkrecipes.aio.recipes._nodes import delete_own_node, settle, spawn
from zkrecipes.aio.recipes.curator._contender import create_contender, wait_first
from zkrecipes.aio.recipes.curator._stream import AsyncLeaderStateStream, AsyncStateCallback
from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError, ZkException
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._encoding import local_address
from zkrecipes.recipes.curator._leader_rules import selector_interrupts, selector_order, selector_requeues
from zkrecipes.recipes.curator._ordering import LOCK_NAME, NodeGone
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT
from zkrecipes.recipes.curator.latch_types import LatchState
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus
from zkrecipes.recipes.curator.participant import Participant

if TYPE_CHECKING:
    from zkrecipes.aio.recipes._client import AsyncRecipeClient
    from zkrecipes.states import WatchedEvent, ZkState

__all__ = ["LeaderSelector", "LeaderSelectorListener"]

log = logging.getLogger(__name__)


class LeaderSelectorListener(Protocol):
    """Lead inside ``await take_leadership(client)`` (``state_changed(client, state)`` is optional)."""

    async def take_leadership(self, client: Any) -> None:
        """Leadership is ours until this returns (it is cancelled when leadership must end)."""


class LeaderSelector:
    """A leader election shared with Curator processes, for the asyncio client (see the module)."""

    def __init__(self, client: AsyncRecipeClient, path: str, listener: LeaderSelectorListener,
                 id: str = "") -> None:  # noqa: A002 (Curator's name)
        if not isinstance(id, str):
            raise TypeError("id must be a str")
        self.client = client
        self.path = check_path(path)
        self.listener = listener
        self.id = id
        self._data = id.encode("utf-8") if id else local_address()
        self.interrupted = asyncio.Event()
        self._state = LatchState.LATENT
        self._queued = False
        self._auto = False
        self._leading = False
        self._epoch: int | None = None
        self._queue_wake = asyncio.Event()
        self._wake = asyncio.Event()
        self._leader_event = asyncio.Event()
        self._stream = AsyncLeaderStateStream(f"selector {self.path}")
        self._task: asyncio.Task[None] | None = None
        self._term: asyncio.Task[None] | None = None
        self._watcher = self._on_watch
        self._watched: str | None = None

    def __repr__(self) -> str:
        return f"LeaderSelector({self.path!r}, id={self.id!r}, leader={self._leading})"

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Queue for leadership (once; ``RuntimeError`` if started or closed); returns at once."""
        if self._state is not LatchState.LATENT:
            raise RuntimeError("Cannot be started more than once")
        self._state = LatchState.STARTED
        self._queued = True
        self._stream.start()
        self.client.add_listener(self._on_state)
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name=f"zkrecipes-selector-{self.path}")
        self._queue_wake.set()

    def auto_requeue(self) -> None:
        """Queue again every time leadership is relinquished."""
        self._auto = True

    def requeue(self) -> bool:
        """Queue again if not queued or leading; True if this call queued it."""
        if self._state is not LatchState.STARTED or self._queued or self._leading:
            return False
        self._queued = True
        self._queue_wake.set()
        return True

    async def close(self) -> None:
        """Leave: stop queueing, cancel a running term, delete our node, remove watches and listeners."""
        if self._state is not LatchState.STARTED:
            raise RuntimeError("Already closed or has not been started")
        self._state = LatchState.CLOSED
        safe_remove_listener(self.client, self._on_state)  # type: ignore[arg-type]
        self.interrupted.set()
        self._queue_wake.set()
        task, self._task = self._task, None
        if task is None or asyncio.current_task() is self._term:
            return  # a term closing its own selector: the worker finishes once the term returns
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def __aenter__(self) -> LeaderSelector:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._state is LatchState.STARTED:
            await self.close()

    # ------------------------------------------------------------------ queries

    def has_leadership(self) -> bool:
        """True while a term runs."""
        return self._leading

    async def await_leadership(self, timeout: float | None = None) -> bool:
        """Wait until a term runs (or ``timeout`` passes, or it is closed); whether it leads now."""
        deadline = Deadline(check_timeout(timeout))
        while self._state is LatchState.STARTED and not self._leading:
            await wait_event(self._leader_event, deadline.remaining())
            if deadline.expired():
                break
        return self._leading

    def interrupt_leadership(self) -> None:
        """End the running term: set :attr:`interrupted` and cancel the term's task."""
        self.interrupted.set()
        term = self._term
        if term is not None:
            term.cancel()

    def get_id(self) -> str:
        """This participant's id."""
        return self.id

    @property
    def epoch(self) -> int | None:
        """The czxid of our node while a term runs (strictly increasing across terms), else None."""
        return self._epoch if self._leading else None

    @property
    def leadership(self) -> LeadershipState:
        """The current state of the stream."""
        return self._stream.current

    def states(self, limit: int = DEFAULT_LIMIT) -> AsyncIterator[LeadershipState]:
        """``async for state in selector.states()``: the current state, then each change (to CLOSED)."""
        return self._stream.iterate(limit)

    def add_state_listener(self, callback: AsyncStateCallback) -> None:
        """Call ``callback(state)`` (plain or async) on the selector's callback queue for each new state."""
        self._stream.add_callback(callback)

    def remove_state_listener(self, callback: AsyncStateCallback) -> None:
        """Stop calling ``callback``."""
        self._stream.remove_callback(callback)

    async def get_participants(self) -> list[Participant]:
        """Every contender, in Curator's order (the first leads)."""
        try:
            children = await self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return []
        found = []
        for position, name in enumerate(selector_order(children)):
            try:
                data, _stat = await self.client.retry(self.client.get, join_path(self.path, name))
            except NoNodeError:
                continue
            found.append(Participant((data or b"").decode("utf-8", "replace"), position == 0))
        return found

    async def get_leader(self) -> Participant:
        """The current leader, or ``Participant("", False)``."""
        participants = await self.get_participants()
        return participants[0] if participants else Participant("", False)

    # ------------------------------------------------------------------ the worker

    async def _run(self) -> None:
        try:
            await self._queue_terms()
        finally:  # closed (or cancelled by close): the node went with the term; the rest goes now
            await self._unwatch()
            self._stream.resign()
            self._leader_event.set()
            await self._stream.close()

    async def _queue_terms(self) -> None:
        failures = 0
        while True:
            await self._queue_wake.wait()
            self._queue_wake.clear()
            if self._state is not LatchState.STARTED:
                return
            if not self._queued:
                continue
            self._stream.publish(LeadershipState(LeaderStatus.PENDING))
            try:
                await self._one_term()
                failures = 0
            except Exception as error:
                failures += 1
                if not is_retryable(error):
                    log.exception("leader selector %s: a try failed; queueing again", self.path)
                await asyncio.sleep(min(2.0, 0.05 * 2 ** failures))
                self._queue_wake.set()
                continue
            self._queued = selector_requeues(self._auto, self._state is LatchState.STARTED)
            self._queue_wake.set()

    async def _one_term(self) -> None:
        node: tuple[str, str] | None = None
        try:
            while True:
                name, prefix, stat = await create_contender(self.client, self.path, LOCK_NAME, self._data)
                node = (name, prefix)
                try:
                    await wait_first(self.client, self.path, name, selector_order, self._wake, self._watcher,
                                     self._note_watch)
                except NodeGone:
                    node = None  # it went with its session: a new node
                    continue
                client_id = self.client.client_id
                if client_id is None or client_id[0] != stat.ephemeralOwner:
                    # a node of an earlier session never leads (CURATOR-696): a new one
                    await delete_own_node(self.client, self.path, name, prefix)
                    node = None
                    continue
                break
            self._queued = False
            await self._lead(stat.czxid)
        finally:
            await self._unwatch()
            if node is not None:
                await settle(spawn(delete_own_node(self.client, self.path, node[0], node[1]),
                                   f"zkrecipes-selector-release-{self.path}"))

    async def _lead(self, epoch: int) -> None:
        self._leading = True
        self._epoch = epoch
        self.interrupted.clear()
        self._stream.publish(LeadershipState(LeaderStatus.LEADER, epoch))
        self._leader_event.set()
        term = asyncio.get_running_loop().create_task(self._take(), name=f"zkrecipes-term-{self.path}")
        self._term = term
        try:
            await asyncio.wait({term})
        finally:
            if not term.done():
                term.cancel()
                await asyncio.gather(term, return_exceptions=True)
            self._term = None
            self._leading = False
            self._leader_event.clear()
            self._stream.resign()  # before the node is deleted: the next leader's LEADER comes after it

    async def _take(self) -> None:
        try:
            outcome = self.listener.take_leadership(self.client)
            if inspect.isawaitable(outcome):
                await outcome
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("take_leadership of %r failed", self)

    async def _unwatch(self) -> None:
        watched, self._watched = self._watched, None
        if watched is None or not self.client.connected:
            return
        try:
            await self.client.remove_watches(watched, self._watcher, WatcherType.DATA)
        except ZkException:
            pass

    def _note_watch(self, path: str) -> None:
        self._watched = path

    def _on_watch(self, event: WatchedEvent) -> None:
        self._watched = None
        self._wake.set()

    def _on_state(self, state: ZkState) -> Any:
        self._wake.set()
        changed = getattr(self.listener, "state_changed", None)
        if changed is not None:
            return self._tell(changed, state)  # a coroutine: the session queue awaits it
        if selector_interrupts(state, self._leading, listener_handles_states=False):
            self.interrupt_leadership()
        return None

    async def _tell(self, changed: Any, state: ZkState) -> bool:
        try:
            outcome = changed(self.client, state)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            log.exception("state_changed of %r failed", self)
        return False  # (True would remove our listener)
