"""Who "the current thread" is, for per-thread reentrancy: a thread, or a greenlet under gevent.

``greenlet.getcurrent()`` is distinct per greenlet and, in plain threads, per
thread (each thread has its own main greenlet), so it serves both handlers;
without the greenlet package the thread object is used.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Hashable

__all__ = ["current_owner"]


def _thread_owner() -> Hashable:
    return threading.current_thread()


def _find_owner() -> Callable[[], Hashable]:
    try:
        greenlet = importlib.import_module("greenlet")  # untyped; optional (it comes with gevent)
    except ImportError:  # pragma: no cover
        return _thread_owner
    getcurrent: Callable[[], Hashable] = greenlet.getcurrent
    return getcurrent


#: The identity of the running thread or greenlet (hashable; compare with ``==``).
current_owner: Callable[[], Hashable] = _find_owner()
