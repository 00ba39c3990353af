"""zkrecipes: a pure-Python ZooKeeper client and coordination recipes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zkrecipes.states import EventType, KeeperState, WatchedEvent, ZkState, ZnodeStat

__version__ = "0.1.0"

__all__ = [
    "AddWatchMode", "EventType", "KeeperState", "WatchedEvent", "WatcherType", "ZkClient", "ZkState",
    "ZnodeStat", "__version__",
]

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient
    from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType


def __getattr__(name: str) -> Any:
    # ZkClient is imported lazily so that ``import zkrecipes`` stays light and
    # the testing harness can be used without loading the client.
    if name == "ZkClient":
        from zkrecipes.client.client import ZkClient

        return ZkClient
    if name in ("AddWatchMode", "WatcherType"):
        from zkrecipes.client.protocol import opcodes

        return getattr(opcodes, name)
    raise AttributeError(f"module 'zkrecipes' has no attribute {name!r}")
