"""The state stream's buffering, as pure code (no locks, no I/O): one feed, one buffer per reader.

Both front ends wrap this (a thread lock and events on the sync side, the event
loop on asyncio). The **buffering policy**, stated once:

* a reader (an iterator) gets its own buffer, seeded with the *current* state,
  so it starts from where the participant stands;
* consecutive identical states are published once;
* a buffer holds at most ``limit`` states (default 64); when a slow reader
  lets it fill, the **oldest** state is dropped (``dropped`` counts them) —
  the recipe never blocks on a reader, and a reader always sees the latest
  state; each state carries its epoch, so a skipped term shows as a jump;
* CLOSED is the last state: after it the feed takes nothing more, and a
  reader's iteration ends once it has read it.
"""

from __future__ import annotations

from collections import deque

from zkrecipes.recipes.curator.leadership_state import LeadershipState, LeaderStatus

__all__ = ["DEFAULT_LIMIT", "StateBuffer", "StateFeed"]

#: How many states one reader's buffer keeps before it drops the oldest.
DEFAULT_LIMIT = 64


class StateBuffer:
    """One reader's bounded buffer (see the module docstring)."""

    __slots__ = ("dropped", "ended", "items", "limit")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError("limit must be a positive int")
        self.limit = limit
        self.items: deque[LeadershipState] = deque()
        self.dropped = 0
        self.ended = False  # CLOSED was read: the iteration is over

    def push(self, state: LeadershipState) -> None:
        """Append ``state``; drop the oldest one when full."""
        if len(self.items) >= self.limit:
            self.items.popleft()
            self.dropped += 1
        self.items.append(state)

    def pop(self) -> LeadershipState | None:
        """The next state, or None when the buffer is empty."""
        if not self.items:
            return None
        state = self.items.popleft()
        if state.status is LeaderStatus.CLOSED:
            self.ended = True
        return state


class StateFeed:
    """The current state and its readers; ``publish`` fans out (the caller serialises calls)."""

    def __init__(self, initial: LeadershipState | None = None) -> None:
        self.current = initial or LeadershipState(LeaderStatus.PENDING)
        self.readers: list[StateBuffer] = []
        self.last_epoch: int | None = None  # the epoch of the last term led

    @property
    def closed(self) -> bool:
        """True once CLOSED was published."""
        return self.current.status is LeaderStatus.CLOSED

    def publish(self, state: LeadershipState) -> bool:
        """Make ``state`` current and hand it to every reader; False if it changes nothing (or closed)."""
        if self.closed or state == self.current:
            return False
        if state.status is LeaderStatus.LEADER:
            self.last_epoch = state.epoch
        self.current = state
        for reader in self.readers:
            reader.push(state)
        return True

    def resign(self) -> LeadershipState | None:
        """The RESIGNED state to publish if the current one is LEADER, else None."""
        if self.current.status is LeaderStatus.LEADER:
            return LeadershipState(LeaderStatus.RESIGNED, self.current.epoch)
        return None

    def closing(self) -> LeadershipState:
        """The CLOSED state (with the last epoch led)."""
        return LeadershipState(LeaderStatus.CLOSED, self.last_epoch)

    def subscribe(self, limit: int = DEFAULT_LIMIT) -> StateBuffer:
        """A new reader, seeded with the current state."""
        reader = StateBuffer(limit)
        reader.push(self.current)
        self.readers.append(reader)
        return reader

    def unsubscribe(self, reader: StateBuffer) -> None:
        """Forget ``reader`` (idempotent)."""
        if reader in self.readers:
            self.readers.remove(reader)
