"""Session states, keeper states, event types, watched events and node stats.

A foundation module: it imports nothing from zkrecipes, so every layer
(protocol core included) may use it.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class ZkState(str, enum.Enum):
    """The client's view of its session (kazoo's ``KazooState``).

    ``CONNECTED``: connected with a live session. ``SUSPENDED``: the connection
    dropped and the session may still be alive. ``LOST``: the session expired or
    was closed; ephemeral nodes and watches of that session are gone.
    """

    CONNECTED = "CONNECTED"
    SUSPENDED = "SUSPENDED"
    LOST = "LOST"

    def __str__(self) -> str:
        return self.value


class KeeperState(str, enum.Enum):
    """ZooKeeper's own connection states (as in the Java client's ``KeeperState``)."""

    AUTH_FAILED = "AUTH_FAILED"
    CONNECTED = "CONNECTED"
    CONNECTED_RO = "CONNECTED_RO"
    CONNECTING = "CONNECTING"
    CLOSED = "CLOSED"
    EXPIRED_SESSION = "EXPIRED_SESSION"

    def __str__(self) -> str:
        return self.value


class EventType(str, enum.Enum):
    """The type of a watch notification."""

    CREATED = "CREATED"
    DELETED = "DELETED"
    CHANGED = "CHANGED"
    CHILD = "CHILD"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value


class WatchedEvent(NamedTuple):
    """What a watch callback receives: event ``type``, keeper ``state`` and ``path``."""

    type: EventType
    state: KeeperState
    path: str


class ZnodeStat(NamedTuple):
    """A znode's Stat record, with kazoo's readable aliases as properties."""

    czxid: int
    mzxid: int
    ctime: int
    mtime: int
    version: int
    cversion: int
    aversion: int
    ephemeralOwner: int  # noqa: N815 - ZooKeeper's field name
    dataLength: int  # noqa: N815
    numChildren: int  # noqa: N815
    pzxid: int

    @property
    def acl_version(self) -> int:
        return self.aversion

    @property
    def children_version(self) -> int:
        return self.cversion

    @property
    def created(self) -> float:
        """Creation time in seconds since the epoch."""
        return self.ctime / 1000.0

    @property
    def last_modified(self) -> float:
        """Last modification time in seconds since the epoch."""
        return self.mtime / 1000.0

    @property
    def children_count(self) -> int:
        return self.numChildren

    @property
    def data_length(self) -> int:
        return self.dataLength

    @property
    def owner_session_id(self) -> int | None:
        """The owning session of an ephemeral node, else ``None``."""
        return self.ephemeralOwner or None

    @property
    def creation_transaction_id(self) -> int:
        return self.czxid

    @property
    def last_modified_transaction_id(self) -> int:
        return self.mzxid
