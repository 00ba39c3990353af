"""kazoo's ``kazoo.handlers.gevent`` names (gevent itself is imported when a handler is made)."""

from __future__ import annotations

from zkrecipes.client.handlers.gevent import GeventAsyncResult, SequentialGeventHandler

AsyncResult = GeventAsyncResult

__all__ = ["AsyncResult", "SequentialGeventHandler"]
