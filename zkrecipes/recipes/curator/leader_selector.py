"""LeaderSelector: Curator's leader election by mutex, on Curator's znode layout.

Interoperable with Curator's ``LeaderSelector`` (and with Curator's
``InterProcessMutex``) on the same path: the selector is an
:class:`~.inter_process_mutex.InterProcessMutex` whose node data is the
participant id in UTF-8 (the local address when the id is empty), so a
selector and a mutex on one path exclude each other.

Once started, a worker of the client's handler acquires the mutex and calls
``listener.take_leadership(client)``; leadership lasts until that call
returns, then the mutex is released. With :meth:`auto_requeue` the selector
queues again each time; else call :meth:`requeue`.

Python threads cannot be interrupted: a ``take_leadership`` that runs for
long must watch :attr:`interrupted` (an event) and return when it is set.
It is set by :meth:`interrupt_leadership`, by :meth:`close`, and — unless the
listener has its own ``state_changed(client, state)`` — on SUSPENDED and LOST,
as Curator's ``LeaderSelectorListenerAdapter`` cancels leadership then.

Beyond Curator: :attr:`LeaderSelector.epoch`, the czxid of the mutex node of
the running term (strictly increasing from one term to the next on a path,
whoever leads), and a state stream (PENDING while queued, LEADER during a term,
RESIGNED when it returns — published before the mutex is released — and
CLOSED), to iterate (:meth:`LeaderSelector.states`) or listen to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from zkrecipes.recipes._checks import check_path
from zkrecipes.recipes._session_guard import safe_remove_listener
from zkrecipes.recipes.curator._leader_rules import selector_interrupts, selector_requeues
from zkrecipes.recipes.curator._leader_stream import LeaderStateStream, StateCallback
from zkrecipes.recipes.curator._owner import current_owner
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT
from zkrecipes.recipes.curator.inter_process_mutex import InterProcessMutex
from zkrecipes.recipes.curator.latch_types import LatchState
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus
from zkrecipes.recipes.curator.participant import Participant
from zkrecipes.states import ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import Joinable, RecipeClient

__all__ = ["LeaderSelector", "LeaderSelectorListener"]

log = logging.getLogger(__name__)


class LeaderSelectorListener(Protocol):
    """Curator's ``LeaderSelectorListener``: lead inside ``take_leadership`` (``state_changed`` optional)."""

    def take_leadership(self, client: Any) -> None:
        """Leadership is ours until this returns (watch ``selector.interrupted``)."""


class LeaderSelector:
    """A leader election shared with Curator processes (see the module docstring)."""

    def __init__(self, client: RecipeClient, path: str, listener: LeaderSelectorListener,
                 id: str = "") -> None:  # noqa: A002 (Curator's name)
        if not isinstance(id, str):
            raise TypeError("id must be a str")
        self.client = client
        self.path = check_path(path)
        self.listener = listener
        self.id = id
        self._mutex = InterProcessMutex(client, self.path, lock_data=id.encode("utf-8") if id else None)
        self._lock = client.handler.lock_object()
        self._wake = client.handler.event_object()
        self.interrupted = client.handler.event_object()
        self._state = LatchState.LATENT
        self._queued = False
        self._auto = False
        self._leading = False
        self._worker: Joinable | None = None
        self._worker_owner: object = None
        self._stream = LeaderStateStream(client)

    def __repr__(self) -> str:
        return f"LeaderSelector({self.path!r}, id={self.id!r}, leader={self._leading})"

    def start(self) -> None:
        """Queue for leadership (once; ``RuntimeError`` if started or closed)."""
        with self._lock:
            if self._state is not LatchState.LATENT:
                raise RuntimeError("Cannot be started more than once")
            self._state = LatchState.STARTED
            self._queued = True
        self.client.add_listener(self._on_state)
        self._worker = self.client.handler.spawn(self._run)
        self._wake.set()

    def auto_requeue(self) -> None:
        """Queue again every time leadership is relinquished."""
        self._auto = True

    def requeue(self) -> bool:
        """Queue again if not queued or leading; True if this call queued it."""
        with self._lock:
            if self._state is not LatchState.STARTED or self._queued or self._leading:
                return False
            self._queued = True
        self._wake.set()
        return True

    def close(self, timeout: float = 30.0) -> None:
        """Leave: stop queueing, cancel a pending acquire, interrupt leadership, wait for the worker."""
        with self._lock:
            if self._state is not LatchState.STARTED:
                raise RuntimeError("Already closed or has not been started")
            self._state = LatchState.CLOSED
        safe_remove_listener(self.client, self._on_state)
        self._mutex.cancel()
        self.interrupted.set()
        self._wake.set()
        if self._worker is not None and current_owner() != self._worker_owner:
            self._worker.join(timeout)  # (closing from a listener on the worker: it ends by itself)
        self._stream.resign()
        self._stream.close()

    def __enter__(self) -> LeaderSelector:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._state is LatchState.STARTED:
            self.close()

    def has_leadership(self) -> bool:
        """True while ``take_leadership`` runs."""
        return self._leading

    @property
    def epoch(self) -> int | None:
        """The czxid of our mutex node while a term runs (strictly increasing across terms), else None."""
        return self._mutex.fencing_token if self._leading else None

    @property
    def leadership(self) -> LeadershipState:
        """The current state of the stream (PENDING, LEADER, RESIGNED or CLOSED, with its epoch)."""
        return self._stream.current

    def states(self, timeout: float | None = None, limit: int = DEFAULT_LIMIT) -> Iterator[LeadershipState]:
        """Iterate the states as ``LeaderLatch.states`` does: the current one, then each change."""
        return self._stream.iterate(timeout, limit)

    def add_state_listener(self, callback: StateCallback) -> None:
        """Call ``callback(state)`` on the handler's callback queue for each new state (until close)."""
        self._stream.add_callback(callback)

    def remove_state_listener(self, callback: StateCallback) -> None:
        """Stop calling ``callback``."""
        self._stream.remove_callback(callback)

    def interrupt_leadership(self) -> None:
        """Ask a running ``take_leadership`` to return (sets :attr:`interrupted`)."""
        self.interrupted.set()

    def get_id(self) -> str:
        """This participant's id."""
        return self.id

    def get_participants(self) -> list[Participant]:
        """Every contender of the mutex, in Curator's order (the first leads)."""
        found = []
        for position, path in enumerate(self._mutex.get_participant_nodes()):
            try:
                data, _stat = self.client.retry(self.client.get, path)
            except Exception:  # gone meanwhile
                continue
            found.append(Participant((data or b"").decode("utf-8", "replace"), position == 0))
        return found

    def get_leader(self) -> Participant:
        """The current leader, or ``Participant("", False)``."""
        participants = self.get_participants()
        return participants[0] if participants else Participant("", False)

    # ------------------------------------------------------------------ the worker

    def _run(self) -> None:
        self._worker_owner = current_owner()
        while True:
            self._wake.wait()
            with self._lock:
                self._wake.clear()
                if self._state is not LatchState.STARTED:
                    return
                if not self._queued:
                    continue
            self._stream.publish(LeadershipState(LeaderStatus.PENDING))
            if not self._mutex.acquire():
                continue  # cancelled by close()
            self._lead()
            with self._lock:
                self._queued = selector_requeues(self._auto, self._state is LatchState.STARTED)
            self._wake.set()

    def _lead(self) -> None:
        with self._lock:
            self._queued = False
            self._leading = True
            cancelled = self._state is not LatchState.STARTED
        if not cancelled:
            self.interrupted.clear()
            self._stream.publish(LeadershipState(LeaderStatus.LEADER, self._mutex.fencing_token))
        try:
            if not cancelled:
                self.listener.take_leadership(self.client)
        except Exception:
            log.exception("take_leadership of %r failed", self)
        finally:
            with self._lock:
                self._leading = False
            self._stream.resign()  # before the release: the next leader's LEADER comes after it
            self._mutex.release()

    def _on_state(self, state: ZkState) -> None:
        changed = getattr(self.listener, "state_changed", None)
        if changed is not None:
            try:
                changed(self.client, state)
            except Exception:
                log.exception("state_changed of %r failed", self)
            return
        if selector_interrupts(state, self._leading, listener_handles_states=False):
            self.interrupt_leadership()
