"""LeaderLatch: Curator's leader election by latch, on Curator's znode layout.

Interoperable with Curator's ``LeaderLatch`` on the same path: exactly one
leader among Curator and zkrecipes participants. Each participant creates
``<path>/_c_<uuid>-latch-<seq>`` (ephemeral sequential, data = its id in
UTF-8); children are sorted by the text after the last ``latch-``; the first
one leads; every other watches the node just before its own and looks again
when it goes. Missing parents are containers.

The latch's work (create, list, watch) runs on one worker of the client's
handler, woken by watches and session changes, so every step happens in
order. Listeners (``is_leader()``/``not_leader()``) run on that worker, or on
the session queue for session changes.

Failure semantics (Curator's ``StandardConnectionStateErrorPolicy``):

* **SUSPENDED**: leadership ends at once (``not_leader``); the node stays.
* **CONNECTED again** (after SUSPENDED or LOST): the node is deleted and a new
  one created (Curator's reset on RECONNECTED), so the latch queues again.
* **LOST**: leadership ends; the new session's reset creates a new node.

``close(CloseMode.SILENT)`` (the default) deletes the node without telling
the listeners; ``NOTIFY_LEADER`` calls ``not_leader`` if it led. Closing
removes every listener and the session listener this latch added.

Beyond Curator:

* ``epoch`` (and its older name ``fencing_token``): the czxid of our node
  while leading; it strictly increases from one leader of a path to the next,
  whichever process or language leads (argued in :mod:`._leader_rules`);
* a state stream — PENDING / LEADER / RESIGNED / CLOSED, each with its epoch —
  to iterate (:meth:`LeaderLatch.states`, blocking, with a timeout) or to
  listen to (:meth:`LeaderLatch.add_state_listener`, on the handler's callback
  queue); buffering as :mod:`._state_feed` states;
* a node of an earlier session never leads (CURATOR-696), and a vanished
  parent is made again (CURATOR-724): the rules are :mod:`._leader_rules`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from zkrecipes.client.protocol.opcodes import WatcherType
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError, ZkException
from zkrecipes.recipes._checks import check_path, check_timeout
from zkrecipes.recipes._deadline import Deadline
from zkrecipes.recipes._reaper import delete_own_node
from zkrecipes.recipes._retrying import is_retryable
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._create import create_protected
from zkrecipes.recipes.curator._leader_rules import (
    LATCH_NAME,
    close_notifies,
    latch_order,
    latch_session_step,
    latch_turn,
)
from zkrecipes.recipes.curator._leader_stream import LeaderStateStream, StateCallback
from zkrecipes.recipes.curator._ordering import new_protected_prefix
from zkrecipes.recipes.curator._owner import current_owner
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT
from zkrecipes.recipes.curator.latch_types import CloseMode, LatchState, LeaderLatchListener
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus
from zkrecipes.recipes.curator.participant import Participant
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Joinable, RecipeClient
    from zkrecipes.states import WatchedEvent

__all__ = ["LeaderLatch"]

log = logging.getLogger(__name__)


class LeaderLatch:
    """A leader latch shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, id: str = "",  # noqa: A002 (Curator's name)
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
        self._lock = client.handler.rlock_object()  # re-entrant: a state callback run inline may call us
        self._signal = client.handler.event_object()
        self._leader_event = client.handler.event_object()
        self._listeners: list[LeaderLatchListener] = []
        self._leader = False
        self._node: tuple[str, str, int, int] | None = None  # (name, prefix, czxid, ephemeral owner)
        self._stream = LeaderStateStream(client)
        self._watcher = self._on_watch  # one object: the watch we add is the one close() removes
        self._watched: str | None = None
        self._need_reset = False
        self._need_check = False
        self._disconnected = False
        self._worker: Joinable | None = None
        self._worker_owner: object = None

    def __repr__(self) -> str:
        return f"LeaderLatch({self.path!r}, id={self.id!r}, state={self._state.value}, leader={self._leader})"

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Join the election (once; ``RuntimeError`` if already started or closed)."""
        with self._lock:
            if self._state is not LatchState.LATENT:
                raise RuntimeError("Cannot be started more than once")
            self._state = LatchState.STARTED
            self._need_reset = True
        self.client.add_listener(self._on_state)
        self._worker = self.client.handler.spawn(self._run)
        self._signal.set()

    def close(self, close_mode: CloseMode | None = None, timeout: float = 30.0) -> None:
        """Leave the election: delete our node; tell the listeners per ``close_mode``; drop them."""
        mode = close_mode or self.close_mode
        with self._lock:
            if self._state is not LatchState.STARTED:
                raise RuntimeError("Already closed or has not been started")
            self._state = LatchState.CLOSED
        safe_remove_listener(self.client, self._on_state)
        self._signal.set()
        if self._worker is not None and current_owner() != self._worker_owner:
            self._worker.join(timeout)  # (closing from a listener on the worker: it ends by itself)
        self._unwatch()
        with self._lock:
            node, self._node = self._node, None
        if node is not None:
            delete_own_node(self.client, self.path, node[0], node[1])
        if close_notifies(mode, self._leader):
            self._set_leadership(False)
        else:
            with self._lock:
                self._leader = False
        self._stream.resign()
        self._stream.close()
        self._leader_event.set()  # wake await_leadership (it returns False now)
        with self._lock:
            self._listeners.clear()

    def __enter__(self) -> LeaderLatch:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._state is LatchState.STARTED:
            self.close()

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

    def await_leadership(self, timeout: float | None = None) -> bool:
        """Wait until this latch leads (or ``timeout`` passes, or it is closed); whether it leads.

        Curator's ``await`` (a Python keyword).
        """
        deadline = Deadline(check_timeout(timeout))
        while self._state is LatchState.STARTED and not self._leader:
            self._leader_event.wait(deadline.remaining())
            if deadline.expired():
                break
        return self.has_leadership()

    def get_our_path(self) -> str | None:
        """Our node's full path, or None while there is none."""
        node = self._node
        return None if node is None else join_path(self.path, node[0])

    def add_listener(self, listener: LeaderLatchListener) -> None:
        """Tell ``listener`` of leadership changes (until removed or the latch closes)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: LeaderLatchListener) -> None:
        """Stop telling ``listener``."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def get_participants(self) -> list[Participant]:
        """Every participant in Curator's order (the first leads)."""
        found = []
        for position, name in enumerate(self._sorted()):
            try:
                data, _stat = self.client.retry(self.client.get, join_path(self.path, name))
            except NoNodeError:
                continue
            found.append(Participant((data or b"").decode("utf-8", "replace"), position == 0))
        return found

    def get_leader(self) -> Participant:
        """The current leader, or ``Participant("", False)`` when there is none."""
        participants = self.get_participants()
        return participants[0] if participants else Participant("", False)

    # ------------------------------------------------------------------ beyond Curator

    @property
    def epoch(self) -> int | None:
        """The czxid of our node while leading (strictly increasing across leaders), else None."""
        node = self._node
        return node[2] if node is not None and self.has_leadership() else None

    @property
    def fencing_token(self) -> int | None:
        """The same number as :attr:`epoch` (the lock recipes' name for it)."""
        return self.epoch

    @property
    def leadership(self) -> LeadershipState:
        """The current state of the stream (PENDING, LEADER, RESIGNED or CLOSED, with its epoch)."""
        return self._stream.current

    def states(self, timeout: float | None = None, limit: int = DEFAULT_LIMIT) -> Iterator[LeadershipState]:
        """Iterate the states: the current one, then each change; ends after CLOSED.

        Each wait for the next state lasts at most ``timeout`` s (None: no
        limit); the iteration ends when it passes. The iterator keeps up to
        ``limit`` states for a slow reader and then drops the oldest.
        """
        return self._stream.iterate(timeout, limit)

    def add_state_listener(self, callback: StateCallback) -> None:
        """Call ``callback(state)`` on the handler's callback queue for each new state (until close)."""
        self._stream.add_callback(callback)

    def remove_state_listener(self, callback: StateCallback) -> None:
        """Stop calling ``callback``."""
        self._stream.remove_callback(callback)

    # ------------------------------------------------------------------ the worker

    def _sorted(self) -> list[str]:
        listing = self._children()
        return [] if listing is None else latch_order(listing)

    def _children(self) -> list[str] | None:
        try:
            children: list[str] = self.client.retry(self.client.get_children, self.path)
        except NoNodeError:
            return None  # the parent is gone (CURATOR-724): the reset makes it again
        return children

    def _run(self) -> None:
        failures = 0
        self._worker_owner = current_owner()
        while True:
            self._signal.wait()
            with self._lock:
                self._signal.clear()
                if self._state is not LatchState.STARTED:
                    return
                reset, self._need_reset = self._need_reset, False
                check, self._need_check = self._need_check, False
            try:
                if reset:
                    self._reset()
                elif check:
                    self._check()
                failures = 0
            except Exception as error:
                failures += 1
                if not is_retryable(error):
                    log.exception("leader latch %s: step failed; resetting", self.path)
                with self._lock:
                    self._need_reset = True
                # back off before the retry (a state change or close wakes us sooner)
                self._signal.wait(min(2.0, 0.05 * 2 ** failures))
                self._signal.set()

    def _reset(self) -> None:
        """Leave leadership, replace our node with a fresh one, then check."""
        self._set_leadership(False)
        with self._lock:
            old, self._node = self._node, None
        if old is not None:
            delete_own_node(self.client, self.path, old[0], old[1])
        prefix = new_protected_prefix()
        name, stat = create_protected(self.client, self.path, prefix, LATCH_NAME, self.id.encode("utf-8"),
                                      Deadline(None))
        with self._lock:
            if self._state is not LatchState.STARTED:
                closing = True
            else:
                closing = False
                self._node = (name, prefix, stat.czxid, stat.ephemeralOwner)
                self._stream.publish(LeadershipState(LeaderStatus.PENDING, stat.czxid))
        if closing:
            delete_own_node(self.client, self.path, name, prefix)
            return
        self._check()

    def _check(self) -> None:
        node = self._node
        if node is None:
            with self._lock:
                self._need_reset = True
            self._signal.set()
            return
        while True:
            client_id = self.client.client_id
            turn = latch_turn(self._children(), node[0], owner=node[3],
                              session=None if client_id is None else client_id[0])
            if turn.gone:
                with self._lock:
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
                self.client.retry(self.client.get, watched, self._watcher)
                return
            except NoNodeError:
                continue

    def _unwatch(self) -> None:
        """Remove the data watch we set on a predecessor, if it has not fired (apache/curator#1292)."""
        watched, self._watched = self._watched, None
        if watched is None or not self.client.connected:
            return  # no watch, or it dies with the connection's session
        try:
            self.client.remove_watches(watched, self._watcher, WatcherType.DATA)
        except ZkException:
            pass  # it fired already, or the connection went

    def _on_watch(self, event: WatchedEvent) -> None:
        if event.path == self._watched:
            self._watched = None
        with self._lock:
            self._need_check = True
        self._signal.set()

    def _on_state(self, state: ZkState) -> None:
        with self._lock:
            step = latch_session_step(state, self._disconnected)
            self._disconnected = step.disconnected
            if step.reset:
                self._need_reset = True
        if step.resign:
            self._set_leadership(False)
        if step.reset:
            self._signal.set()

    def _set_leadership(self, leader: bool) -> None:
        with self._lock:
            if leader and self._state is not LatchState.STARTED:
                return
            changed = self._leader != leader
            self._leader = leader
            listeners = list(self._listeners) if changed else []
            node = self._node
            if leader:
                self._leader_event.set()
            else:
                self._leader_event.clear()
            # published under our lock, so the stream's order is the order of the changes
            if leader and node is not None:
                self._stream.publish(LeadershipState(LeaderStatus.LEADER, node[2]))
            elif not leader:
                self._stream.resign()
        for listener in listeners:
            try:
                if leader:
                    listener.is_leader()
                else:
                    listener.not_leader()
            except Exception:
                log.exception("leader latch listener %r failed", listener)
