"""``Observer``: what an instrumentation listener may implement (every method optional).

Subclass it and override the methods you need; the client calls only the
overridden ones (a method left as inherited costs nothing). Observers run on
the client's own threads (the I/O loop, the caller of a request, a callback
queue's worker, the asyncio event loop): they must be quick and must not block
or call the client. An exception an observer raises is logged on
``zkrecipes.observe`` and otherwise ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zkrecipes.observe.callback_event import CallbackEvent
    from zkrecipes.observe.connection_event import ConnectionEvent
    from zkrecipes.observe.recipe_event import RecipeEvent
    from zkrecipes.observe.request_event import RequestEvent
    from zkrecipes.observe.request_start import RequestStart
    from zkrecipes.observe.source import ObservedClient
    from zkrecipes.observe.state_event import StateEvent
    from zkrecipes.observe.watch_event import WatchEvent

__all__ = ["Observer"]


class Observer(Protocol):
    """The instrumentation hook (see the module docstring)."""

    def on_attach(self, client: ObservedClient) -> None:
        """Attached to a client: ``client`` answers gauges (in flight, live watches, queue
        depths, state) when asked, e.g. at scrape time."""
        return None

    def on_detach(self, client: ObservedClient) -> None:
        """Removed from that client."""
        return None

    def on_request_start(self, start: RequestStart) -> object:
        """A request was submitted, in the caller's thread or task. The value returned
        (e.g. a span) is handed back to :meth:`on_request` for the same request."""
        return None

    def on_request(self, event: RequestEvent, token: object) -> None:
        """A request ended; ``token`` is what :meth:`on_request_start` returned."""
        return None

    def on_state(self, event: StateEvent) -> None:
        """The session state changed."""
        return None

    def on_connection(self, event: ConnectionEvent) -> None:
        """Connected, reconnected, disconnected, or the session expired."""
        return None

    def on_watch(self, event: WatchEvent) -> None:
        """A watch notification was dispatched."""
        return None

    def on_callback(self, event: CallbackEvent) -> None:
        """A callback-queue item finished."""
        return None

    def on_recipe(self, event: RecipeEvent) -> None:
        """A lock-like recipe was acquired, released, lost, or not acquired."""
        return None
