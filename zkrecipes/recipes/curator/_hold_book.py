"""The holds of one reentrant Curator lock object, per owner: the pure bookkeeping of both front ends.

An owner is a thread (greenlet) for the sync :class:`~.inter_process_mutex.InterProcessMutex`
and an asyncio Task for the asyncio one; the rules are the same and live here
once (no I/O, no locking — the sync recipe calls it under its own mutex):

* the owner that holds it may enter again (a count, one node);
* a release by an owner that holds nothing raises :class:`LockNotHeldError`;
  the last release of an owner's hold hands its node back for deletion;
* **SUSPENDED** marks a held lock suspended, **CONNECTED** clears it;
  **LOST** moves every hold to the lost ones (their releases are then accepted
  and do nothing) and marks the lock lost, until an owner acquires it again;
* a fenced write uses the calling owner's hold, else any hold of the object;
  with none it raises :class:`LockLostError` after a loss, else LockNotHeldError.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from zkrecipes.exceptions import LockLostError, LockNotHeldError
from zkrecipes.states import ZkState

__all__ = ["HoldBook"]

C = TypeVar("C")


class _Hold(Generic[C]):
    __slots__ = ("contender", "count")

    def __init__(self, contender: C) -> None:
        self.contender = contender
        self.count = 1


class HoldBook(Generic[C]):
    """Per-owner holds of one lock object (see the module docstring); ``C`` is the held node's type."""

    __slots__ = ("_holds", "_lost_holds", "lost", "path", "suspended")

    def __init__(self, path: str) -> None:
        self.path = path
        self._holds: dict[Hashable, _Hold[C]] = {}
        self._lost_holds: dict[Hashable, _Hold[C]] = {}
        self.suspended = False
        self.lost = False

    @property
    def held(self) -> bool:
        """True while some owner holds it."""
        return bool(self._holds)

    def holds(self, owner: Hashable) -> bool:
        """True while ``owner`` holds it."""
        return owner in self._holds

    def reenter(self, owner: Hashable) -> bool:
        """Count one more hold if ``owner`` holds it already (True), else False."""
        hold = self._holds.get(owner)
        if hold is None:
            return False
        hold.count += 1
        return True

    def record(self, owner: Hashable, contender: C) -> None:
        """``owner`` now holds ``contender`` (a hold lost with an older session is forgotten)."""
        self._holds[owner] = _Hold(contender)
        self._lost_holds.pop(owner, None)
        self.lost = False

    def release(self, owner: Hashable) -> C | None:
        """Count one release of ``owner``; the node to delete when its hold ends, else None."""
        lost = self._lost_holds.get(owner)
        if lost is not None:  # the hold ended with its session: just count it down
            lost.count -= 1
            if lost.count <= 0:
                del self._lost_holds[owner]
            return None
        hold = self._holds.get(owner)
        if hold is None:
            raise LockNotHeldError(f"you do not own the lock: {self.path}")
        hold.count -= 1
        if hold.count > 0:
            return None
        del self._holds[owner]
        return hold.contender

    def first(self) -> C | None:
        """A held node of this object (for ``fencing_token`` / ``node``), else None."""
        for hold in self._holds.values():
            return hold.contender
        return None

    def fence(self, owner: Hashable) -> C:
        """The node a fenced write of ``owner`` checks (see the module docstring)."""
        hold = self._holds.get(owner) or next(iter(self._holds.values()), None)
        if hold is None:
            if self.lost or owner in self._lost_holds:
                raise LockLostError(f"lock {self.path} was lost with its session")
            raise LockNotHeldError(f"lock {self.path} is not held")
        return hold.contender

    def on_state(self, state: ZkState) -> bool:
        """Apply a session state; True when it just lost a held lock (tell ``on_lost``)."""
        if state == ZkState.SUSPENDED:
            self.suspended = bool(self._holds)
        elif state == ZkState.CONNECTED:
            self.suspended = False
        elif state == ZkState.LOST:
            self.suspended = False
            if self._holds:
                self._lost_holds.update(self._holds)
                self._holds.clear()
                self.lost = True
                return True
        return False
