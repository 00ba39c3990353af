"""Structured log fields on every record of the client's loggers.

Every record logged on a ``zkrecipes`` logger carries four attributes, ready
for a JSON formatter or structlog (``docs/observability.md`` shows both):

* ``zk_session_id`` — the session id in hex (``"0x10000a1b2c30000"``), or None;
* ``zk_server`` — ``"host:port"`` of the current connection, or None;
* ``zk_xid``, ``zk_operation`` — for records about one request (the
  :class:`~zkrecipes.observe.log_observer.LoggingObserver` and anything logged
  with ``extra=``), else None.

How: :class:`ZkLogFilter`, installed once on each ``zkrecipes`` logger by
:func:`install` (when a client's I/O loop starts), fills what the call did not
give from the session bound to the running context — the transport's I/O loop
binds its session (:func:`bind_session`) in its own thread, greenlet or task, so
records of the loop, and of what it calls, name their session. A filter on a
logger does not see records of loggers created after :func:`install`; add
``ZkLogFilter()`` to your handler to be sure.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Final

__all__ = ["FIELDS", "ZkLogFilter", "bind_session", "install", "session_fields"]

FIELDS: Final = ("zk_session_id", "zk_server", "zk_xid", "zk_operation")
"""The attributes every record gets."""

_BOUND: ContextVar[Any] = ContextVar("zkrecipes_session", default=None)


def bind_session(session: Any) -> None:
    """Name ``session`` (a :class:`~zkrecipes.client.session.machine.SessionMachine`) in the
    records logged from the current thread, greenlet or task from now on (and :func:`install`
    the filter: a transport calls this when its I/O loop starts)."""
    install()
    _BOUND.set(session)


def session_fields(session: Any) -> tuple[str | None, str | None]:
    """``(session id in hex, server)`` of a session machine (None where there is none)."""
    if session is None:
        return None, None
    parts = session.parts
    proto = parts.protocol
    session_id = 0 if proto is None else proto.session_id
    host = parts.current_host
    return (f"0x{session_id:x}" if session_id else None), (None if host is None else str(host))


class ZkLogFilter(logging.Filter):
    """Adds :data:`FIELDS` to a record (never drops one); values given with ``extra=`` win."""

    def filter(self, record: logging.LogRecord) -> bool:
        attrs = record.__dict__
        if "zk_session_id" not in attrs or "zk_server" not in attrs:
            session_id, server = session_fields(_BOUND.get())
            attrs.setdefault("zk_session_id", session_id)
            attrs.setdefault("zk_server", server)
        attrs.setdefault("zk_xid", None)
        attrs.setdefault("zk_operation", None)
        return True


_FILTER: Final = ZkLogFilter()


def install() -> None:
    """Put the shared :class:`ZkLogFilter` on every ``zkrecipes`` logger that exists now
    (idempotent; cheap: a walk over the logger names)."""
    loggers = [logging.getLogger("zkrecipes")]
    for name, item in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("zkrecipes.") and isinstance(item, logging.Logger):
            loggers.append(item)
    for logger in loggers:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
