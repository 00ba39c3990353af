"""kazoo's ``kazoo.handlers.threading`` names.

``AsyncResult(handler)`` is constructible directly, as kazoo users do.
"""

from __future__ import annotations

from zkrecipes.client.handlers.threading import SequentialThreadingHandler, ThreadingAsyncResult
from zkrecipes.exceptions import ZkTimeoutError

AsyncResult = ThreadingAsyncResult
KazooTimeoutError = ZkTimeoutError

__all__ = ["AsyncResult", "KazooTimeoutError", "SequentialThreadingHandler"]
