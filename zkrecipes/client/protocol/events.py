"""What :meth:`ZkProtocol.receive_data` returns: small typed event classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from zkrecipes.exceptions import ZookeeperError, make_error
from zkrecipes.states import EventType, KeeperState, WatchedEvent

if TYPE_CHECKING:
    from zkrecipes.client.protocol.pending import Pending


@dataclass(slots=True)
class Connected:
    """The server answered the ConnectRequest with a live session.

    ``same_session`` is true when the session the protocol asked to resume
    (``set_session`` or an earlier connection) was kept; the client should
    then send :meth:`ZkProtocol.priming` to restore auth and watches.
    """

    session_id: int
    timeout_ms: int
    password: bytes
    read_only: bool
    same_session: bool


@dataclass(slots=True)
class SessionExpired:
    """The ConnectResponse negotiated a timeout <= 0: the session is gone."""


@dataclass(slots=True)
class Reply:
    """The reply to a request sent with :meth:`ZkProtocol.send`.

    ``err`` is 0 with the decoded ``result``, or a ZooKeeper error code with
    ``result`` None.  Watches the reply says were set are already registered.
    """

    pending: Pending
    zxid: int
    err: int
    result: Any

    def exception(self) -> ZookeeperError | None:
        """The error as an exception instance (None when ``err`` is 0)."""
        return make_error(self.err) if self.err else None


@dataclass(slots=True)
class Notification:
    """A watch event from the server (xid -1), routed to the registered watchers.

    ``path`` has the chroot removed.  One-shot watchers in ``watchers`` have
    been removed from the registry; persistent ones stay.  Each watcher
    appears once even when several registrations matched.
    """

    type: EventType
    state: KeeperState
    path: str
    watchers: list[object] = field(default_factory=list)

    def watched_event(self) -> WatchedEvent:
        """The public event object a watch callback receives."""
        return WatchedEvent(self.type, self.state, self.path)


@dataclass(slots=True)
class PingReply:
    """The server answered a ping (xid -2)."""


@dataclass(slots=True)
class AuthReply:
    """The server answered an auth packet (xid -4); ``err`` -115 means auth failed."""

    err: int


@dataclass(slots=True)
class SetWatchesReply:
    """The server answered a SetWatches/SetWatches2 packet (xid -8)."""

    err: int


Event: TypeAlias = (
    Connected | SessionExpired | Reply | Notification | PingReply | AuthReply | SetWatchesReply
)
