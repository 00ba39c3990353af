"""Attaching observers to a client (``ZkClient`` and ``AsyncZkClient`` alike).

A client holds an :class:`~zkrecipes.observe.hub.ObserverHub` (``_observer_hub``)
only while at least one observer is attached; the hub is then installed on its
transport (and so its session), its handler's callback queues (``ZkClient``) or
its callback queues (``AsyncZkClient``). With the last observer removed every
one of those goes back to None: the core's call sites cost one check again.
A handler shared by several clients times its callbacks for the hub installed
last.
"""

from __future__ import annotations

from typing import Any

from zkrecipes.observe.hub import ObserverHub

__all__ = ["add_observer", "hub_of", "remove_observer"]

_QUEUES = ("_session_queue", "_watch_queue")  # the asyncio client's callback queues


def hub_of(client: object) -> ObserverHub | None:
    """The hub of ``client`` while someone observes it, else None (any object: recipes' fakes)."""
    hub = getattr(client, "_observer_hub", None)
    return hub if isinstance(hub, ObserverHub) else None


def _install(client: Any, hub: ObserverHub | None) -> None:
    client._observer_hub = hub
    client._transport.set_observer(hub)
    handler = getattr(client, "handler", None)
    if handler is not None and hasattr(type(handler), "observer"):
        handler.observer = hub
    for name in _QUEUES:
        queue = getattr(client, name, None)
        if queue is not None:
            queue.observer = hub


def _name(client: Any) -> str:
    config = getattr(client, "_config", None)
    if config is None:
        return "zookeeper"
    return ",".join(str(host) for host in config.hosts) + str(config.chroot)


def add_observer(client: Any, observer: Any) -> None:
    """Attach ``observer`` to ``client`` (idempotent)."""
    hub = hub_of(client)
    if hub is None:
        hub = ObserverHub(_name(client))
        _install(client, hub)
    hub.add(observer)


def remove_observer(client: Any, observer: Any) -> bool:
    """Detach ``observer``; True if it was attached. The last one uninstalls the hub."""
    hub = hub_of(client)
    if hub is None or not hub.remove(observer):
        return False
    if not hub:
        _install(client, None)
    return True
