"""The sans-IO ZooKeeper protocol core: records, requests, framing and the session machine.

Everything the connection and client layers need is importable from here;
see ``docs/architecture.md`` §1 for the contract.
"""

from __future__ import annotations

from zkrecipes.client.protocol.checks import MAX_TTL_MS
from zkrecipes.client.protocol.events import (
    AuthReply,
    Connected,
    Event,
    Notification,
    PingReply,
    Reply,
    SessionExpired,
    SetWatchesReply,
)
from zkrecipes.client.protocol.framing import DEFAULT_MAX_FRAME_SIZE, FrameReader
from zkrecipes.client.protocol.multi import MultiReadRequest, MultiRequest
from zkrecipes.client.protocol.opcodes import (
    MAX_XID,
    AddWatchMode,
    CreateMode,
    ErrorCode,
    KeeperStateCode,
    NotificationType,
    OpCode,
    WatcherType,
    Xid,
)
from zkrecipes.client.protocol.paths import (
    add_chroot,
    is_in_chroot,
    join_path,
    normalize_chroot,
    normalize_path,
    parent_path,
    parent_paths,
    split_path,
    strip_chroot,
    validate_path,
)
from zkrecipes.client.protocol.pending import Pending
from zkrecipes.client.protocol.records import ClientInfo
from zkrecipes.client.protocol.requests import (
    AddWatchRequest,
    CheckVersionRequest,
    CheckWatchesRequest,
    CloseRequest,
    CreateRequest,
    DeleteRequest,
    ExistsRequest,
    GetACLRequest,
    GetAllChildrenNumberRequest,
    GetChildren2Request,
    GetChildrenRequest,
    GetDataRequest,
    GetEphemeralsRequest,
    ReconfigRequest,
    RemoveWatchesRequest,
    Request,
    SASLRequest,
    SetACLRequest,
    SetDataRequest,
    SyncRequest,
    WhoAmIRequest,
)
from zkrecipes.client.protocol.session import SET_WATCHES_MAX_BYTES, ZkProtocol, undelivered_events
from zkrecipes.client.protocol.watches import WatchedPaths, WatchKind

__all__ = [
    "DEFAULT_MAX_FRAME_SIZE",
    "MAX_TTL_MS",
    "MAX_XID",
    "SET_WATCHES_MAX_BYTES",
    "AddWatchMode",
    "AddWatchRequest",
    "AuthReply",
    "CheckVersionRequest",
    "CheckWatchesRequest",
    "ClientInfo",
    "CloseRequest",
    "Connected",
    "CreateMode",
    "CreateRequest",
    "DeleteRequest",
    "ErrorCode",
    "Event",
    "ExistsRequest",
    "FrameReader",
    "GetACLRequest",
    "GetAllChildrenNumberRequest",
    "GetChildren2Request",
    "GetChildrenRequest",
    "GetDataRequest",
    "GetEphemeralsRequest",
    "KeeperStateCode",
    "MultiReadRequest",
    "MultiRequest",
    "Notification",
    "NotificationType",
    "OpCode",
    "Pending",
    "PingReply",
    "ReconfigRequest",
    "RemoveWatchesRequest",
    "Reply",
    "Request",
    "SASLRequest",
    "SessionExpired",
    "SetACLRequest",
    "SetDataRequest",
    "SetWatchesReply",
    "SyncRequest",
    "WatchKind",
    "WatchedPaths",
    "WatcherType",
    "WhoAmIRequest",
    "Xid",
    "ZkProtocol",
    "add_chroot",
    "is_in_chroot",
    "join_path",
    "normalize_chroot",
    "normalize_path",
    "parent_path",
    "parent_paths",
    "split_path",
    "strip_chroot",
    "undelivered_events",
    "validate_path",
]
