"""Public import path of the handlers (kazoo's ``kazoo.handlers.*``).

``from zkrecipes.handlers import SequentialThreadingHandler, SequentialGeventHandler``;
importing this module does not import gevent.
"""

from __future__ import annotations

from zkrecipes.client.handlers import (
    AsyncResult,
    CallbackKind,
    Handler,
    SequentialGeventHandler,
    SequentialThreadingHandler,
)

__all__ = [
    "AsyncResult",
    "CallbackKind",
    "Handler",
    "SequentialGeventHandler",
    "SequentialThreadingHandler",
]
