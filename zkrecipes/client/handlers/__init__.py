"""Handlers: the concurrency layer (threads or gevent greenlets) under the connection.

See :mod:`zkrecipes.client.handlers.interface` for the contract and
``docs/handlers.md`` for the queues and threading rules. gevent is imported
only when a :class:`SequentialGeventHandler` is created.
"""

from __future__ import annotations

from zkrecipes.client.handlers.gevent import GeventAsyncResult, SequentialGeventHandler
from zkrecipes.client.handlers.interface import AsyncResult, CallbackKind, Handler, Joinable
from zkrecipes.client.handlers.threading import SequentialThreadingHandler, ThreadingAsyncResult

__all__ = [
    "AsyncResult",
    "CallbackKind",
    "GeventAsyncResult",
    "Handler",
    "Joinable",
    "SequentialGeventHandler",
    "SequentialThreadingHandler",
    "ThreadingAsyncResult",
]
