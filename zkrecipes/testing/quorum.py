"""QuorumView: the role and address logic of an ensemble, over its list of members.

:class:`ZooKeeperEnsemble` (local JVMs) and :class:`ContainerZooKeeperEnsemble` (containers)
each hold one (composition) and delegate to it: member lookup by index, each member's
``Mode:``, the leader and followers, waiting until members serve and a leader is elected,
connect strings, four-letter words, log tails, and the ServerStartError that carries the
members' log tails. A member is anything with :class:`EnsembleMember`'s interface
(``ZooKeeperServer``, ``ContainerZooKeeper``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, Protocol, TypeVar

from zkrecipes.exceptions import HarnessError, InvalidArgumentError, ServerStartError

_POLL = 0.1


class EnsembleMember(Protocol):
    """What an ensemble needs from one of its members."""

    @property
    def running(self) -> bool: ...

    @property
    def hosts(self) -> str: ...

    def mode(self, timeout: float) -> str | None: ...

    def wait_serving(self, timeout: float) -> None: ...

    def four_letter(self, cmd: str, timeout: float) -> str: ...

    def log_tail(self, n: int) -> str: ...


M = TypeVar("M", bound=EnsembleMember)


def _every_member(member: EnsembleMember) -> bool:
    return True


class QuorumView(Generic[M]):
    """Roles and addresses of ``size`` members, read from ``members()`` on every call.

    ``members`` returns the ensemble's current list (empty before start); ``reported``
    picks the members whose log tail goes into :meth:`error` (default: all of them).
    """

    def __init__(self, members: Callable[[], Sequence[M]], size: int, *,
                 reported: Callable[[M], bool] = _every_member) -> None:
        self._members = members
        self.size = size
        self._reported = reported

    def member(self, index: int) -> M:
        """The member at ``index`` (HarnessError before start, InvalidArgumentError for a bad index)."""
        members = self._members()
        if not members:
            raise HarnessError("the ensemble is not started")
        if not isinstance(index, int) or not 0 <= index < len(members):
            raise InvalidArgumentError(f"member index must be in 0..{len(members) - 1}, got {index!r}")
        return members[index]

    def wait_serving(self, indices: Iterable[int] | None, timeout: float) -> None:
        """Block until the given members (None: every running one) serve with a Mode line."""
        members = self._members()
        wanted = [i for i, m in enumerate(members) if m.running] if indices is None else list(indices)
        for index in wanted:
            self.member(index)
        self.wait_quorum(wanted, timeout, need_leader=False)

    # ------------------------------------------------------------ roles

    def mode(self, index: int, timeout: float) -> str | None:
        """The ``Mode:`` of member ``index`` (None when down or not serving)."""
        member = self.member(index)
        return member.mode(timeout) if member.running else None

    def modes(self) -> list[str | None]:
        """Every member's mode, by index."""
        return [self.mode(i, 5.0) for i in range(len(self._members()))]

    def leader(self) -> int | None:
        """Index of the member that says it is leader, or None when there is none now."""
        for index, mode in enumerate(self.modes()):
            if mode == "leader":
                return index
        return None

    def followers(self) -> list[int]:
        """Indices of the members that say they are followers."""
        return [i for i, mode in enumerate(self.modes()) if mode == "follower"]

    def wait_for_leader(self, timeout: float, exclude: Iterable[int] = ()) -> int:
        """Block until a member not in ``exclude`` is leader; return its index.

        Raises :meth:`error` (ServerStartError) after ``timeout`` s.
        """
        excluded = set(exclude)
        deadline = time.monotonic() + timeout
        while True:
            leader = self.leader()
            if leader is not None and leader not in excluded:
                return leader
            if time.monotonic() >= deadline:
                raise self.error(
                    f"no leader (excluding {sorted(excluded)}) within {timeout}s: {self.modes()}"
                )
            time.sleep(_POLL)

    def wait_quorum(self, indices: Iterable[int], timeout: float, *, need_leader: bool = True) -> None:
        """Wait (no index check) until the given members serve and, with ``need_leader``, a
        leader is elected, all within one ``timeout``."""
        wanted = list(indices)
        deadline = time.monotonic() + timeout
        members = self._members()
        for index in wanted:
            members[index].wait_serving(max(0.1, deadline - time.monotonic()))
        if need_leader:
            self.wait_for_leader(max(0.1, deadline - time.monotonic()))

    # ------------------------------------------------------------ addresses

    @property
    def hosts(self) -> str:
        """Connect string of every member."""
        return self.hosts_of(range(self.size))

    def hosts_of(self, indices: Iterable[int]) -> str:
        """Connect string of the given members, in the given order."""
        return ",".join(self.member(i).hosts for i in indices)

    def four_letter(self, index: int, cmd: str, timeout: float) -> str:
        """Send a four-letter word to member ``index``."""
        return self.member(index).four_letter(cmd, timeout)

    def log_tail(self, index: int, n: int) -> str:
        """The last ``n`` lines of member ``index``'s log."""
        return self.member(index).log_tail(n)

    def error(self, summary: str) -> ServerStartError:
        """ServerStartError: ``summary``, then the log tail of each ``reported`` member."""
        parts = [summary]
        for index, member in enumerate(self._members()):
            if self._reported(member):
                parts.append(f"--- member {index} ({member.hosts}) log tail ---\n{member.log_tail(15)}")
        return ServerStartError("\n".join(parts))

    def __len__(self) -> int:
        return self.size
