"""Event routing: replies become completions, notifications become watch dispatches.

Pure functions over the protocol core's events; the converter a request was
submitted with runs here (on the transport's I/O side), never user code.
"""

from __future__ import annotations

from zkrecipes.client.protocol.errors import annotate, request_error
from zkrecipes.client.protocol.events import Notification, Reply
from zkrecipes.client.protocol.request_base import request_names
from zkrecipes.client.session.outputs import Complete, Dispatch
from zkrecipes.states import WatchedEvent

__all__ = ["complete_reply", "dispatch_notification"]


def complete_reply(event: Reply, context: tuple[object, object]) -> Complete:
    """The completion of a request submitted as ``context == (result, converter)``.

    Without a converter: the decoded result, or the server's error as an exception
    naming the request (Java's message, ``.path``, ``.operation``). With one:
    whatever ``converter(err, result)`` returns or raises (a ZkException it raises
    is named after the request unless it names one already).
    """
    result, converter = context
    if converter is None:
        if event.err:
            operation, path = request_names(event.pending.request)
            return Complete(result, None, request_error(event.err, operation, path))
        return Complete(result, event.result)
    try:
        value = converter(event.err, event.result)  # type: ignore[operator]
    except Exception as exc:
        return Complete(result, None, annotate(exc, *request_names(event.pending.request)))
    return Complete(result, value)


def dispatch_notification(event: Notification) -> Dispatch:
    """The watch callbacks a notification fires (each watcher once, registry order)."""
    return Dispatch(list(event.watchers), WatchedEvent(event.type, event.state, event.path))
