"""``FrameWriter``: how the asyncio transport writes the session's frames to its connection.

Two ways out, both on the loop's thread:

* :meth:`FrameWriter.try_direct` writes one request's frame at once when nothing is
  queued ahead of it and fewer than :data:`DIRECT_MAX_IN_FLIGHT` replies are awaited
  (an awaited call saves a loop turn);
* otherwise the request is queued in the session and :meth:`FrameWriter.schedule`
  arranges one :meth:`FrameWriter.flush` with ``loop.call_soon``, however many requests
  come in that loop iteration: every queued frame goes out in one ``transport.write``.

It decides nothing about the session: the frames, what is refused and when, are the
session's (:meth:`SessionMachine.encode_direct` / :meth:`SessionMachine.data_to_send`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Final

from zkrecipes.client.session.fates import Converter
from zkrecipes.client.session.machine import SessionMachine
from zkrecipes.client.session.outputs import Output
from zkrecipes.client.transport._aio_link import Link
from zkrecipes.client.transport._aio_timer import DeadlineTimer

__all__ = ["DIRECT_MAX_IN_FLIGHT", "HIGH_WATER", "FrameWriter"]

#: Write a request at once (no flush hop) only while fewer than this await replies.
DIRECT_MAX_IN_FLIGHT: Final = 4
#: Stop taking queued requests while this much is buffered unsent by the loop's transport.
HIGH_WATER: Final = 4 * 1024 * 1024


class FrameWriter:
    """Direct writes and the one-flush-per-iteration batching of one transport run."""

    __slots__ = ("_apply", "_arm_timer", "_current_link", "_loop", "_session", "_timer", "scheduled")

    def __init__(self, loop: asyncio.AbstractEventLoop, session: SessionMachine, timer: DeadlineTimer,
                 current_link: Callable[[], Link | None], apply: Callable[[list[Output]], object],
                 arm_timer: Callable[[], None]) -> None:
        self._loop = loop
        self._session = session
        self._timer = timer
        self._current_link = current_link
        self._apply = apply
        self._arm_timer = arm_timer
        #: True while a flush is scheduled (a new request then queues behind it).
        self.scheduled = False

    def try_direct(self, link: Link, request: Any, result: asyncio.Future[Any],
                   converter: Converter | None) -> bool:
        """Write one request at once when few are in flight; True if done (or refused).

        Only with no flush scheduled (the caller checks: nothing queued waits ahead of
        it) and fewer than :data:`DIRECT_MAX_IN_FLIGHT` replies awaited: a pipelining
        caller's frames are cheaper batched by :meth:`flush` into one write.
        """
        transport = link.transport
        session = self._session
        if transport is None or link.paused or link.ended.done() \
                or session.pending_count >= DIRECT_MAX_IN_FLIGHT:
            return False
        try:
            frame = session.encode_direct(request, result, converter)
        except Exception as exc:  # refused before anything was queued
            result.set_exception(exc)
            return True
        if frame is None:
            return False
        transport.write(frame)
        session.data_sent(time.monotonic())
        if not self._timer.armed:
            self._arm_timer()
        return True

    def schedule(self) -> None:
        """Flush once, on the loop's next turn (a no-op while one is scheduled)."""
        if not self.scheduled:
            self.scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write everything the session has to send, in one write."""
        self.scheduled = False
        link = self._current_link()
        if link is None or link.transport is None or link.ended.done():
            return
        session = self._session
        if not session.has_data_to_send:
            return
        transport = link.transport
        take = not link.paused and transport.get_write_buffer_size() < HIGH_WATER
        data, refused = session.data_to_send(time.monotonic(), take)
        if data:
            transport.write(data)
            session.data_sent(time.monotonic())
        if refused:
            self._apply(refused)
        self._arm_timer()
        if take and session.has_data_to_send and not link.paused:
            self.schedule()  # more than one drain's worth: next iteration
