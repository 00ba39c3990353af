"""kazoo's ``kazoo.protocol.states`` names: ``KazooState`` is :class:`zkrecipes.ZkState`."""

from __future__ import annotations

from zkrecipes.client.handlers._kazoo_surface import Callback
from zkrecipes.states import EventType, KeeperState, WatchedEvent, ZkState, ZnodeStat

KazooState = ZkState

__all__ = ["Callback", "EventType", "KazooState", "KeeperState", "WatchedEvent", "ZnodeStat"]
