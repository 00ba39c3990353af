"""Leader election (kazoo's ``Election`` API) on top of :class:`~zkrecipes.recipes.lock.Lock`.

Failure semantics (Curator style):

* **SUSPENDED**: the leader stays leader (its node lives with the session) and
  ``is_suspended`` turns True; a cautious leader pauses or uses
  ``election.lock.fenced_set`` until the connection is back.
* **LOST**: leadership ends. ``is_leader`` becomes False and the
  ``leadership_lost`` event is set; the leader function is *not* interrupted
  (Python cannot stop it safely), so it must poll ``is_leader`` or wait on
  ``leadership_lost`` and return. Another contender may be leader already.

Beyond kazoo: ``epoch`` (the czxid of our lock node while leader: it strictly
increases from one leader of the path to the next) and a state stream, as the
Curator latch's (``zkrecipes.recipes.curator``): PENDING while :meth:`Election.run`
waits, LEADER (with the epoch) while ``func`` runs, RESIGNED when it returns or
the session is LOST. An Election is reusable, so its stream has no CLOSED: an
iteration ends when its ``timeout`` passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ParamSpec

from zkrecipes.exceptions import CancelledError, InvalidCallableError
from zkrecipes.recipes._checks import check_identifier, check_path
from zkrecipes.recipes.curator._leader_stream import LeaderStateStream, StateCallback
from zkrecipes.recipes.curator._state_feed import DEFAULT_LIMIT
from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus
from zkrecipes.recipes.lock import Lock

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient

_P = ParamSpec("_P")


class Election:
    """Contend for leadership of ``path``; run a function while leader.

    ``run(func)`` blocks until this contender wins, calls ``func`` and gives
    up leadership when it returns (or raises). ``leadership_lost`` (a handler
    event object) is cleared when leadership starts and set when it ends —
    by LOST or because ``func`` returned.
    """

    def __init__(self, client: RecipeClient, path: str, identifier: str | None = None) -> None:
        self.client = client
        self.path = check_path(path)
        check_identifier(identifier)
        self.lock = Lock(client, path, identifier, on_lost=self._on_lost)
        self.lock._report_as("election")  # its wait / hold are the wait for and term of leadership
        self.leadership_lost = client.handler.event_object()
        self._leader = False
        self._stream = LeaderStateStream(client)

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

    def states(self, timeout: float | None = None, limit: int = DEFAULT_LIMIT) -> Iterator[LeadershipState]:
        """Iterate the states: the current one, then each change; ends after ``timeout`` s without one."""
        return self._stream.iterate(timeout, limit)

    def add_state_listener(self, callback: StateCallback) -> None:
        """Call ``callback(state)`` on the handler's callback queue for each new state."""
        self._stream.add_callback(callback)

    def remove_state_listener(self, callback: StateCallback) -> None:
        """Stop calling ``callback``."""
        self._stream.remove_callback(callback)

    def _on_lost(self, lock: Lock) -> None:
        self._leader = False
        self.leadership_lost.set()
        self._stream.resign()

    def run(self, func: Callable[_P, object], *args: _P.args, **kwargs: _P.kwargs) -> None:
        """Block until elected, then call ``func(*args, **kwargs)`` as leader.

        Returns when ``func`` returns (leadership is released then), or at once
        if :meth:`cancel` was called before leadership was won. Exceptions from
        ``func`` propagate after leadership is released.
        """
        if not callable(func):
            raise InvalidCallableError("leader function is not callable")  # a ValueError too, as kazoo
        self.leadership_lost.clear()
        self._stream.publish(LeadershipState(LeaderStatus.PENDING))
        try:
            self.lock.acquire()
        except CancelledError:
            self.leadership_lost.set()
            return
        self._leader = True
        self._stream.publish(LeadershipState(LeaderStatus.LEADER, self.lock.fencing_token))
        try:
            func(*args, **kwargs)
        finally:
            self._leader = False
            self.leadership_lost.set()
            self._stream.resign()  # before the release: the next leader's LEADER comes after it
            self.lock.release()

    def cancel(self) -> None:
        """Stop contending; a function already running as leader is not interrupted."""
        self.lock.cancel()

    def contenders(self) -> list[str]:
        """Identifiers of the current contenders; the leader first."""
        return self.lock.contenders()
