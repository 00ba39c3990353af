"""The xid counter and the FIFO table of requests awaiting their reply."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zkrecipes.client.protocol.opcodes import MAX_XID
from zkrecipes.exceptions import UnexpectedReplyError

if TYPE_CHECKING:
    from zkrecipes.client.protocol.requests import Request


@dataclass(slots=True)
class Pending:
    """A request on the wire: its ``xid``, the ``request`` and the caller's ``context``."""

    xid: int
    request: Request
    context: Any = None


class XidCounter:
    """Hands out xids 1, 2, …, 2**31-1, then 1 again.

    It never yields 0 or a negative number, so it never collides with the
    reserved xids (-1 notification, -2 ping, -4 auth, -8 set-watches).
    """

    __slots__ = ("_last",)

    def __init__(self, last: int = 0) -> None:
        if not 0 <= last <= MAX_XID:
            raise ValueError(f"xid out of range: {last}")
        self._last = last

    @property
    def last(self) -> int:
        """The xid handed out most recently (0 before the first)."""
        return self._last

    def next(self) -> int:
        xid = self._last + 1
        if xid > MAX_XID:
            xid = 1
        self._last = xid
        return xid


class PendingTable:
    """Requests in send order; replies must come back in the same order.

    ZooKeeper answers the requests of one connection in order, so the reply
    for xid *n* must match the oldest entry.  Anything else is a protocol
    error and leaves the table untouched.
    """

    __slots__ = ("_queue",)

    def __init__(self) -> None:
        self._queue: deque[Pending] = deque()

    @property
    def queue(self) -> deque[Pending]:
        """The underlying deque, oldest first (the session's hot paths use it directly:
        ``append`` to add, and ``popleft`` after checking the head's xid)."""
        return self._queue

    def __len__(self) -> int:
        return len(self._queue)

    def __bool__(self) -> bool:
        return bool(self._queue)

    def add(self, pending: Pending) -> None:
        self._queue.append(pending)

    def peek(self, xid: int) -> Pending:
        """The oldest entry, if its xid is ``xid``; else :class:`UnexpectedReplyError`."""
        queue = self._queue
        if not queue:
            raise UnexpectedReplyError(f"reply for xid {xid} but no request is pending")
        head = queue[0]
        if head.xid != xid:
            raise UnexpectedReplyError(
                f"reply for xid {xid} but the oldest pending request has xid {head.xid}")
        return head

    def pop(self) -> Pending:
        """Remove and return the oldest entry (after a successful :meth:`peek`)."""
        return self._queue.popleft()

    def pop_matching(self, xid: int) -> Pending:
        """Remove and return the oldest entry if its xid is ``xid``; else raise
        :class:`UnexpectedReplyError` and leave the table untouched."""
        queue = self._queue
        if queue and queue[0].xid == xid:
            return queue.popleft()
        self.peek(xid)  # raises with the precise reason
        raise AssertionError("unreachable")  # pragma: no cover

    def push_front(self, pending: Pending) -> None:
        """Put back an entry taken by :meth:`pop_matching` (its reply could not be decoded)."""
        self._queue.appendleft(pending)

    def drain(self) -> list[Pending]:
        """Remove and return every entry, oldest first."""
        entries = list(self._queue)
        self._queue.clear()
        return entries

    def __iter__(self) -> Iterator[Pending]:
        return iter(self._queue)
