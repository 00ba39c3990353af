"""``LoggingObserver``: one log record per request and per connection milestone.

Records go to ``zkrecipes.requests`` (requests, DEBUG by default; failures at
``failure_level``) and ``zkrecipes.observe`` (connections, INFO), with the
structured fields of :mod:`zkrecipes.observe.log_context` given as ``extra``:
``zk_session_id``, ``zk_server``, ``zk_xid``, ``zk_operation``.
"""

from __future__ import annotations

import logging

from zkrecipes.observe.connection_event import ConnectionEvent
from zkrecipes.observe.observer import Observer
from zkrecipes.observe.request_event import RequestEvent

__all__ = ["LoggingObserver"]


def _hex(session_id: int) -> str | None:
    return f"0x{session_id:x}" if session_id else None


class LoggingObserver(Observer):
    """Logs requests (``level``; failures ``failure_level``) and connection events."""

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.DEBUG,
                 failure_level: int = logging.INFO) -> None:
        self.logger = logger or logging.getLogger("zkrecipes.requests")
        self.level = level
        self.failure_level = failure_level
        self._connections = logging.getLogger("zkrecipes.observe")

    def on_request(self, event: RequestEvent, token: object) -> None:
        level = self.level if event.ok else self.failure_level
        if not self.logger.isEnabledFor(level):
            return
        self.logger.log(
            level, "%s %s: %s in %.3f ms", event.operation, event.path or "",
            "ok" if event.ok else (repr(event.error) if event.error is not None else f"error {event.code}"),
            event.latency * 1000.0,
            extra={"zk_session_id": _hex(event.session_id), "zk_server": event.server, "zk_xid": event.xid,
                   "zk_operation": event.operation, "zk_path": event.path, "zk_code": event.code,
                   "zk_latency": event.latency})

    def on_connection(self, event: ConnectionEvent) -> None:
        self._connections.info("%s (server %s)", event.kind.value, event.server,
                               extra={"zk_session_id": _hex(event.session_id), "zk_server": event.server})
