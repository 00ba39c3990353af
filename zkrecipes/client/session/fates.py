"""Request fates: the unsent queue and what happens to every request that cannot complete.

Every request submitted to the session ends exactly once, with a reply (see
:mod:`.routing`) or with one of these errors:

* ``ConnectionLoss`` — it was written and its connection dropped, or it waited
  unsent for a whole session timeout (:meth:`RequestFates.expire`);
* ``SessionExpiredError`` — the session was lost before it could be answered;
* ``ConnectionClosedError`` — the client was stopped;
* ``AuthFailedError`` — authentication failed for good.

Each such error names its request: ``.operation`` and ``.path`` (see
:class:`~zkrecipes.exceptions.ZkException`) and a message such as
``connection lost before the reply to getData /a``. The names are looked up
only when a request fails.

The queue is appended from any thread (:meth:`enqueue`, a deque append) and
consumed only by the session's owner (the transport's I/O side).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from zkrecipes.client.protocol.request_base import request_names
from zkrecipes.client.session.outputs import Complete, Output
from zkrecipes.exceptions import (
    AuthFailedError,
    ConnectionClosedError,
    ConnectionLoss,
    SessionExpiredError,
    ZkException,
)

if TYPE_CHECKING:
    from zkrecipes.client.protocol.pending import Pending
    from zkrecipes.client.protocol.session import ZkProtocol

__all__ = ["CLOSE", "AuthItem", "Converter", "RequestFates", "Unsent", "fate_error"]

Converter = Callable[[int, Any], Any]
"""Turns ``(err, result)`` of a reply into the value to set (or raises the error)."""

CLOSE: Final[Any] = object()
"""Queue marker: send the CloseRequest (the client is stopping)."""

Unsent = tuple[Any, Any, "Converter | None", float]
"""``(request, result, converter, submitted_at)``: a request not written yet."""


#: What happened, in an error's message (by exact type; the type's name otherwise).
_WHAT: Final[dict[type[ZkException], str]] = {
    ConnectionLoss: "connection lost",
    SessionExpiredError: "session expired",
    ConnectionClosedError: "client stopped",
    AuthFailedError: "authentication failed",
}


def _names(request: Any) -> tuple[str | None, str | None]:
    if type(request) is AuthItem:
        return "auth", None
    return request_names(request)


def fate_error(exc_type: type[ZkException], request: Any, written: bool) -> ZkException:
    """``exc_type`` for ``request``: e.g. ``connection lost before the reply to getData /a``
    (written) or ``session expired before create /b was sent`` (unsent), with ``.operation``
    and ``.path`` set."""
    operation, path = _names(request)
    what = _WHAT.get(exc_type) or exc_type.__name__
    name = operation or "the request"
    if path is not None:
        name = f"{name} {path}"
    exc = exc_type(f"{what} before the reply to {name}" if written else f"{what} before {name} was sent")
    exc.operation = operation
    exc.path = path
    return exc


class AuthItem:
    """An ``add_auth`` call waiting in the unsent queue (ordered with the requests)."""

    __slots__ = ("credential", "scheme")

    def __init__(self, scheme: str, credential: str) -> None:
        self.scheme = scheme
        self.credential = credential


_AUTH: Final = AuthItem("", "")  # names an auth packet in an error


class RequestFates:
    """The unsent queue and the auth packets awaiting an answer, and how each one fails."""

    __slots__ = ("auth_waiters", "unsent")

    def __init__(self) -> None:
        self.unsent: deque[Unsent] = deque()
        # One entry per auth packet on the wire, in wire order: (result or None, (scheme, credential)).
        self.auth_waiters: deque[tuple[Any, tuple[str, bytes]]] = deque()

    def enqueue(self, request: Any, result: Any, converter: Converter | None, now: float) -> None:
        """Queue a request (any thread; never blocks)."""
        self.unsent.append((request, result, converter, now))

    def oldest_unsent(self) -> float | None:
        """When the oldest queued request (not the close marker) was submitted."""
        unsent = self.unsent
        if unsent and unsent[0][0] is not CLOSE:
            return unsent[0][3]
        return None

    def expire(self, now: float, session_timeout: float, out: list[Output]) -> None:
        """Fail requests that have waited unsent for a whole session timeout (oldest first)."""
        unsent = self.unsent
        limit = now - session_timeout
        while unsent:
            item = unsent[0]
            if item[0] is CLOSE or item[3] > limit:
                return
            unsent.popleft()
            if item[1] is not None:
                operation, path = _names(item[0])
                name = f"{operation} {path}" if path is not None else operation
                exc = ConnectionLoss(f"{name} not sent within the session timeout")
                exc.operation = operation
                exc.path = path
                out.append(Complete(item[1], None, exc))

    def drain(self, protocol: ZkProtocol, limit: int, auth_data: list[tuple[str, str]],
              refused: list[Output], observer: Any = None) -> tuple[list[bytes], bool]:
        """Encode up to ``limit`` queued requests, oldest first: their frames, and whether
        the close marker was reached. Requests the protocol refuses fail (``refused``)
        without reaching the wire; auth packets are remembered in ``auth_data``; an
        ``observer`` (hub) is told each request's xid and frame size."""
        unsent = self.unsent
        send = protocol.send
        frames: list[bytes] = []
        for _ in range(limit):
            try:
                request, result, converter, _t = unsent.popleft()
            except IndexError:
                break
            if request is CLOSE:
                return frames, True
            try:
                if type(request) is AuthItem:
                    frames.append(protocol.add_auth(request.scheme, request.credential))
                    auth_data.append((request.scheme, request.credential))
                    self.auth_waiters.append((result, (request.scheme, request.credential.encode())))
                else:
                    frames.append(send(request, (result, converter)))
                    if observer is not None:
                        observer.written(result, protocol.last_xid, len(frames[-1]))
            except Exception as error:  # refused before anything was queued
                refused.append(Complete(result, None, error))
        return frames, False

    def fail_unsent(self, exc_type: type[ZkException], out: list[Output]) -> None:
        """Fail every queued request (the close marker is dropped too)."""
        unsent = self.unsent
        while True:
            try:
                request, result, _conv, _t = unsent.popleft()
            except IndexError:
                return
            if result is not None:
                out.append(Complete(result, None, fate_error(exc_type, request, written=False)))

    def fail_written(self, pending: Iterable[Pending], exc_type: type[ZkException],
                     out: list[Output]) -> None:
        """Fail the requests the protocol still had pending, and every unanswered auth packet."""
        for entry in pending:
            ctx = entry.context
            if type(ctx) is tuple:
                out.append(Complete(ctx[0], None, fate_error(exc_type, entry.request, written=True)))
        waiters = self.auth_waiters
        while waiters:
            waiter, _ = waiters.popleft()
            if waiter is not None:
                out.append(Complete(waiter, None, fate_error(exc_type, _AUTH, written=True)))
