"""The per-client state shared by every DataWatch of one client: one listener, one lock, one re-read list.

Why shared: a DataWatch with a state listener, a lock and bound-method
wrappers of its own costs about a kilobyte; sharing them per client keeps it
at a few dozen bytes, and after a reconnect one worker re-reads every live
watch, in registration order.

Why a ``weakref.WeakKeyDictionary``: a DataWatch constructor knows only its
client, so it must find that client's hub from the client alone. The map is
keyed by the client object itself (no ``id(client)``, so no id reuse to guard
against) and holds it weakly, so it never keeps a client alive. The hub refers
to its client weakly too — a strong reference from the value would pin the key
forever. The client keeps the hub alive through the state listener it holds,
and so does every live DataWatch: the hub's lifetime is the client's, and it
goes when the client and its watches go. A client that cannot be weakly
referenced gets a hub per watch (correct, only larger).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from zkrecipes.exceptions import ConnectionClosedError
from zkrecipes.states import WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.recipes._client import RecipeClient, RecipeLock

__all__ = ["HubMember", "WatchHub"]


class HubMember(Protocol):
    """What the hub needs of a watch: whether it stopped, and a re-read."""

    @property
    def stopped(self) -> bool: ...

    def reread(self) -> None: ...


#: One hub per client, keyed (weakly) by the client itself; see the module docstring.
_HUBS: weakref.WeakKeyDictionary[Any, WatchHub] = weakref.WeakKeyDictionary()
_HUBS_LOCK = threading.Lock()  # held only for a dictionary look-up and insert, never across I/O


class WatchHub:
    """What all DataWatch objects of one client share: one state listener, one lock.

    A DataWatch costs one slotted object and one list slot here, instead of a
    state listener, a lock and bound-method wrappers of its own. ``lock`` only
    guards the small state of each watch (never held while calling ZooKeeper
    or user code). After a reconnect one worker re-reads every live watch, in
    registration order.
    """

    __slots__ = ("__weakref__", "_client", "dead", "disconnected", "lock", "pending_events", "watches")

    def __init__(self, client: RecipeClient) -> None:
        try:
            self._client: Callable[[], RecipeClient | None] = weakref.ref(client)
        except TypeError:  # not weakly referenceable: this hub is the watch's own
            self._client = lambda: client
        self.lock: RecipeLock = client.handler.lock_object()
        self.watches: list[HubMember] = []
        self.dead = 0
        self.disconnected = False
        # The latest event of a re-read requested while the watch was running (under lock).
        self.pending_events: dict[HubMember, WatchedEvent] = {}

    @property
    def client(self) -> RecipeClient:
        """The client; ConnectionClosedError once it is gone (the watches then end silently)."""
        client = self._client()
        if client is None:
            raise ConnectionClosedError("the client of this watch is gone")
        return client

    @classmethod
    def of(cls, client: RecipeClient) -> WatchHub:
        """The hub of ``client``, created (and its listener registered) on first use."""
        with _HUBS_LOCK:
            try:
                hub = _HUBS.get(client)
            except TypeError:  # not weakly referenceable (or unhashable)
                hub = None
                shared = False
            else:
                shared = True
            if hub is None:
                hub = cls(client)
                if shared:
                    _HUBS[client] = hub
                client.add_listener(hub._on_state)
        return hub

    def add(self, watch: HubMember) -> None:
        with self.lock:
            self.watches.append(watch)

    def forget_one(self) -> None:
        """A watch stopped: drop stopped watches once they are half the list (amortised O(1))."""
        with self.lock:
            self.dead += 1
            if self.dead > 16 and 2 * self.dead > len(self.watches):
                self.watches = [w for w in self.watches if not w.stopped]
                self.dead = 0

    def _on_state(self, state: ZkState) -> bool:
        if state == ZkState.SUSPENDED or state == ZkState.LOST:
            self.disconnected = True
        elif state == ZkState.CONNECTED and self.disconnected:
            self.disconnected = False
            with self.lock:
                live = any(not w.stopped for w in self.watches)
            if live:
                self.client.handler.spawn(self._refresh)
        return False

    def _refresh(self) -> None:
        """Re-read every live watch (re-registering it); stop early if the connection drops again."""
        with self.lock:
            live = [w for w in self.watches if not w.stopped]
        for watch in live:
            if self.disconnected:
                return  # the next CONNECTED starts a new refresh
            try:
                watch.reread()
            except Exception:  # already logged by the watch; the others still get their re-read
                continue
