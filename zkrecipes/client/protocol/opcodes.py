"""Numbers of the ZooKeeper wire protocol: opcodes, special xids, create modes, …

Every value here is fixed by the server (``ZooDefs.OpCode``, ``CreateMode``,
``Watcher.Event``, ``KeeperException.Code``); none may be changed.
"""

from __future__ import annotations

import enum

from zkrecipes.exceptions import InvalidArgumentError
from zkrecipes.states import EventType, KeeperState


class OpCode(enum.IntEnum):
    """The ``type`` field of a request header (and of a multi header)."""

    NOTIFICATION = 0
    CREATE = 1
    DELETE = 2
    EXISTS = 3
    GET_DATA = 4
    SET_DATA = 5
    GET_ACL = 6
    SET_ACL = 7
    GET_CHILDREN = 8
    SYNC = 9
    PING = 11
    GET_CHILDREN2 = 12
    CHECK = 13
    MULTI = 14
    CREATE2 = 15
    RECONFIG = 16
    CHECK_WATCHES = 17
    REMOVE_WATCHES = 18
    CREATE_CONTAINER = 19
    DELETE_CONTAINER = 20
    CREATE_TTL = 21
    MULTI_READ = 22
    AUTH = 100
    SET_WATCHES = 101
    SASL = 102
    GET_EPHEMERALS = 103
    GET_ALL_CHILDREN_NUMBER = 104
    SET_WATCHES2 = 105
    ADD_WATCH = 106
    WHO_AM_I = 107
    CREATE_SESSION = -10
    CLOSE_SESSION = -11
    ERROR = -1


#: ZooKeeper's own name of each operation (Java's ``Request.op2String``), for messages.
OP_NAMES: dict[int, str] = {
    OpCode.NOTIFICATION: "notification", OpCode.CREATE: "create", OpCode.DELETE: "delete",
    OpCode.EXISTS: "exists", OpCode.GET_DATA: "getData", OpCode.SET_DATA: "setData",
    OpCode.GET_ACL: "getACL", OpCode.SET_ACL: "setACL", OpCode.GET_CHILDREN: "getChildren",
    OpCode.SYNC: "sync", OpCode.PING: "ping", OpCode.GET_CHILDREN2: "getChildren2",
    OpCode.CHECK: "check", OpCode.MULTI: "multi", OpCode.CREATE2: "create2",
    OpCode.RECONFIG: "reconfig", OpCode.CHECK_WATCHES: "checkWatches",
    OpCode.REMOVE_WATCHES: "removeWatches", OpCode.CREATE_CONTAINER: "createContainer",
    OpCode.DELETE_CONTAINER: "deleteContainer", OpCode.CREATE_TTL: "createTTL",
    OpCode.MULTI_READ: "multiRead", OpCode.AUTH: "auth", OpCode.SET_WATCHES: "setWatches",
    OpCode.SASL: "sasl", OpCode.GET_EPHEMERALS: "getEphemerals",
    OpCode.GET_ALL_CHILDREN_NUMBER: "getAllChildrenNumber", OpCode.SET_WATCHES2: "setWatches2",
    OpCode.ADD_WATCH: "addWatch", OpCode.WHO_AM_I: "whoAmI", OpCode.CREATE_SESSION: "createSession",
    OpCode.CLOSE_SESSION: "closeSession", OpCode.ERROR: "error",
}


def op_name(opcode: int) -> str:
    """ZooKeeper's name of ``opcode`` (``"getData"`` for 4), ``"op<n>"`` if unknown."""
    return OP_NAMES.get(opcode) or f"op{opcode}"


class Xid(enum.IntEnum):
    """Reserved xids: never assigned to a normal request."""

    NOTIFICATION = -1
    PING = -2
    AUTH = -4
    SET_WATCHES = -8


#: Largest xid; after it the counter wraps back to 1.
MAX_XID = 2**31 - 1


class CreateMode(enum.IntEnum):
    """The ``flags`` of a create request."""

    PERSISTENT = 0
    EPHEMERAL = 1
    PERSISTENT_SEQUENTIAL = 2
    EPHEMERAL_SEQUENTIAL = 3
    CONTAINER = 4
    PERSISTENT_WITH_TTL = 5
    PERSISTENT_SEQUENTIAL_WITH_TTL = 6

    @property
    def is_sequential(self) -> bool:
        """True when the server appends a 10-digit counter to the name."""
        return self in _SEQUENTIAL_MODES

    @property
    def is_ephemeral(self) -> bool:
        """True when the node dies with the session that created it."""
        return self in (CreateMode.EPHEMERAL, CreateMode.EPHEMERAL_SEQUENTIAL)

    @property
    def is_ttl(self) -> bool:
        """True for the modes sent as ``createTTL`` (opcode 21)."""
        return self in (CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL)

    @property
    def is_container(self) -> bool:
        """True for the mode sent as ``createContainer`` (opcode 19)."""
        return self is CreateMode.CONTAINER

    @classmethod
    def from_options(
        cls, *, ephemeral: bool = False, sequential: bool = False,
        container: bool = False, ttl: bool = False,
    ) -> CreateMode:
        """Return the mode for kazoo-style create options (combinations the server accepts)."""
        if container:
            if ephemeral or sequential or ttl:
                raise InvalidArgumentError("a container node cannot be ephemeral, sequential or have a TTL")
            return cls.CONTAINER
        if ttl:
            if ephemeral:
                raise InvalidArgumentError("a TTL node cannot be ephemeral")
            return cls.PERSISTENT_SEQUENTIAL_WITH_TTL if sequential else cls.PERSISTENT_WITH_TTL
        if ephemeral:
            return cls.EPHEMERAL_SEQUENTIAL if sequential else cls.EPHEMERAL
        return cls.PERSISTENT_SEQUENTIAL if sequential else cls.PERSISTENT


_SEQUENTIAL_MODES = frozenset({
    CreateMode.PERSISTENT_SEQUENTIAL, CreateMode.EPHEMERAL_SEQUENTIAL,
    CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
})


class AddWatchMode(enum.IntEnum):
    """The ``mode`` of an addWatch request."""

    PERSISTENT = 0
    PERSISTENT_RECURSIVE = 1


class WatcherType(enum.IntEnum):
    """The ``type`` of checkWatches/removeWatches (Java's ``Watcher.WatcherType``)."""

    CHILDREN = 1
    DATA = 2
    ANY = 3
    PERSISTENT = 4  # server 3.9+
    PERSISTENT_RECURSIVE = 5  # server 3.9+


class NotificationType(enum.IntEnum):
    """The ``type`` of a WatcherEvent on the wire (Java's ``Watcher.Event.EventType``)."""

    NONE = -1
    NODE_CREATED = 1
    NODE_DELETED = 2
    NODE_DATA_CHANGED = 3
    NODE_CHILDREN_CHANGED = 4
    DATA_WATCH_REMOVED = 5
    CHILD_WATCH_REMOVED = 6
    PERSISTENT_WATCH_REMOVED = 7


class KeeperStateCode(enum.IntEnum):
    """The ``state`` of a WatcherEvent on the wire (Java's ``Watcher.Event.KeeperState``)."""

    UNKNOWN = -1
    DISCONNECTED = 0
    NO_SYNC_CONNECTED = 1
    SYNC_CONNECTED = 3
    AUTH_FAILED = 4
    CONNECTED_READ_ONLY = 5
    SASL_AUTHENTICATED = 6
    CLOSED = 7
    EXPIRED = -112


#: Wire event type → public :class:`EventType` (removal events only exist client side).
EVENT_TYPES: dict[int, EventType] = {
    NotificationType.NONE: EventType.NONE,
    NotificationType.NODE_CREATED: EventType.CREATED,
    NotificationType.NODE_DELETED: EventType.DELETED,
    NotificationType.NODE_DATA_CHANGED: EventType.CHANGED,
    NotificationType.NODE_CHILDREN_CHANGED: EventType.CHILD,
}

#: Wire keeper state → public :class:`KeeperState`.
KEEPER_STATES: dict[int, KeeperState] = {
    KeeperStateCode.UNKNOWN: KeeperState.CONNECTING,
    KeeperStateCode.DISCONNECTED: KeeperState.CONNECTING,
    KeeperStateCode.NO_SYNC_CONNECTED: KeeperState.CONNECTING,
    KeeperStateCode.SYNC_CONNECTED: KeeperState.CONNECTED,
    KeeperStateCode.AUTH_FAILED: KeeperState.AUTH_FAILED,
    KeeperStateCode.CONNECTED_READ_ONLY: KeeperState.CONNECTED_RO,
    KeeperStateCode.SASL_AUTHENTICATED: KeeperState.CONNECTED,
    KeeperStateCode.CLOSED: KeeperState.CLOSED,
    KeeperStateCode.EXPIRED: KeeperState.EXPIRED_SESSION,
}


class ErrorCode(enum.IntEnum):
    """ZooKeeper's error codes (``KeeperException.Code``); see :mod:`zkrecipes.exceptions`."""

    OK = 0
    SYSTEM_ERROR = -1
    RUNTIME_INCONSISTENCY = -2
    DATA_INCONSISTENCY = -3
    CONNECTION_LOSS = -4
    MARSHALLING_ERROR = -5
    UNIMPLEMENTED = -6
    OPERATION_TIMEOUT = -7
    BAD_ARGUMENTS = -8
    UNKNOWN_SESSION = -12
    NEW_CONFIG_NO_QUORUM = -13
    RECONFIG_IN_PROGRESS = -14
    API_ERROR = -100
    NO_NODE = -101
    NO_AUTH = -102
    BAD_VERSION = -103
    NO_CHILDREN_FOR_EPHEMERALS = -108
    NODE_EXISTS = -110
    NOT_EMPTY = -111
    SESSION_EXPIRED = -112
    INVALID_CALLBACK = -113
    INVALID_ACL = -114
    AUTH_FAILED = -115
    SESSION_MOVED = -118
    NOT_READ_ONLY = -119
    EPHEMERAL_ON_LOCAL_SESSION = -120
    NO_WATCHER = -121
    REQUEST_TIMEOUT = -122
    RECONFIG_DISABLED = -123
    SESSION_CLOSED_REQUIRE_SASL = -124
    QUOTA_EXCEEDED = -125
    THROTTLED_OP = -127
