"""The parts of kazoo's handler interface that our handlers express differently.

kazoo's handlers have one ``callback_queue`` and one ``completion_queue`` of
zero-argument callables, and ``dispatch_callback(Callback(type, func, args))``.
Ours have three queues keyed by :class:`CallbackKind`. These helpers translate
kazoo's forms onto ours, so that code written against kazoo's handler works
unchanged; they add no queue of their own (a put is a dispatch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from zkrecipes.client.handlers.interface import CallbackKind
from zkrecipes.exceptions import InvalidTypeError

__all__ = ["Callback", "QueueView", "kazoo_callback"]

#: kazoo's ``Callback.type`` values → our queues (kazoo runs them all on one queue).
_KINDS = {"session": CallbackKind.SESSION, "completion": CallbackKind.COMPLETION,
          "watch": CallbackKind.WATCH}


class _Dispatcher(Protocol):
    def dispatch_callback(self, kind: Any, func: Any = None, *args: Any) -> None: ...


def kazoo_callback(callback: object) -> tuple[CallbackKind, Callable[..., Any], tuple[Any, ...]]:
    """``(kind, func, args)`` of a kazoo ``Callback(type, func, args)`` namedtuple.

    A ``type`` other than ``"session"``/``"completion"`` goes to the WATCH queue.
    Raises :class:`InvalidTypeError` for anything without ``func`` and ``args``.
    """
    func = getattr(callback, "func", None)
    args = getattr(callback, "args", None)
    if not callable(func) or not isinstance(args, (tuple, list)):
        raise InvalidTypeError(f"dispatch_callback() needs (kind, func, *args) or a Callback: {callback!r}")
    return _KINDS.get(str(getattr(callback, "type", "watch")), CallbackKind.WATCH), func, tuple(args)


class QueueView:
    """kazoo's ``handler.callback_queue`` / ``completion_queue``: ``put(func)`` runs ``func()``
    on one of our queues (FIFO with everything else dispatched there)."""

    __slots__ = ("_handler", "_kind")

    def __init__(self, handler: _Dispatcher, kind: CallbackKind) -> None:
        self._handler = handler
        self._kind = kind

    def put(self, func: Callable[[], Any], block: bool = True, timeout: float | None = None) -> None:
        """Queue ``func()``; never blocks (the queues are unbounded)."""
        self._handler.dispatch_callback(self._kind, func)

    def put_nowait(self, func: Callable[[], Any]) -> None:
        """Same as :meth:`put`."""
        self.put(func)

    def __repr__(self) -> str:
        return f"<QueueView {self._kind.value} of {self._handler!r}>"


class Callback(NamedTuple):
    """kazoo's callback record (``kazoo.protocol.states.Callback``): what
    ``dispatch_callback(Callback("watch", func, (event,)))`` queues."""

    type: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
