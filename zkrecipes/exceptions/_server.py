"""Server error codes: one class per ZooKeeper error code, and the code table."""

from __future__ import annotations

from zkrecipes.exceptions._base import ZkException, ZookeeperError

# ------------------------------------------------------------ server errors



class UnknownErrorCodeError(ZkException, RuntimeError, KeyError):
    """``EXCEPTIONS[code]`` for a code no class has: a ``RuntimeError`` as kazoo's
    table raises (and a ``KeyError``, as a plain mapping would)."""


class _CodeTable(dict[int, type[ZookeeperError]]):
    """The code → class table; a missing code raises :class:`UnknownErrorCodeError`."""

    def __missing__(self, code: int) -> type[ZookeeperError]:
        raise UnknownErrorCodeError(f"Invalid error code {code!r}")


_CODE_TO_ERROR: dict[int, type[ZookeeperError]] = _CodeTable()




class RolledBackError(ZookeeperError):
    """An operation of a failed multi that was rolled back (result code 0)."""

    code = 0


class SystemZookeeperError(ZookeeperError):
    """ZooKeeper system error (-1)."""

    code = -1


class RuntimeInconsistency(ZookeeperError):
    """Runtime inconsistency (-2); in a failed multi: an op after the failing one."""

    code = -2


class DataInconsistency(ZookeeperError):
    """Data inconsistency (-3)."""

    code = -3


class ConnectionLoss(ZookeeperError):
    """The connection was lost before the reply arrived (-4).

    The request may or may not have been applied by the server.
    """

    code = -4


class MarshallingError(ZookeeperError):
    """The server could not (un)marshal a record (-5)."""

    code = -5


class UnimplementedError(ZookeeperError):
    """The server does not implement the operation (-6)."""

    code = -6


class OperationTimeoutError(ZookeeperError):
    """The operation timed out (-7)."""

    code = -7


class BadArgumentsError(ZookeeperError):
    """The server rejected the arguments (-8)."""

    code = -8


class UnknownSessionError(ZookeeperError):
    """Unknown session (-12)."""

    code = -12


class NewConfigNoQuorumError(ZookeeperError):
    """A reconfig proposal has no quorum (-13)."""

    code = -13


class ReconfigInProcessError(ZookeeperError):
    """Another reconfig is in progress (-14)."""

    code = -14


class APIError(ZookeeperError):
    """Generic API error (-100)."""

    code = -100


class NoNodeError(ZookeeperError):
    """The node does not exist (-101)."""

    code = -101


class NoAuthError(ZookeeperError):
    """Not authorised by the node's ACL (-102)."""

    code = -102


class BadVersionError(ZookeeperError):
    """The expected version does not match (-103)."""

    code = -103


class NoChildrenForEphemeralsError(ZookeeperError):
    """Ephemeral nodes cannot have children (-108)."""

    code = -108


class NodeExistsError(ZookeeperError):
    """The node already exists (-110)."""

    code = -110


class NotEmptyError(ZookeeperError):
    """The node has children (-111)."""

    code = -111


class SessionExpiredError(ZookeeperError):
    """The session expired (-112)."""

    code = -112


class InvalidCallbackError(ZookeeperError):
    """Invalid callback (-113)."""

    code = -113


class InvalidACLError(ZookeeperError):
    """Invalid ACL (-114)."""

    code = -114


class AuthFailedError(ZookeeperError):
    """Authentication failed (-115)."""

    code = -115


class SessionMovedError(ZookeeperError):
    """The session moved to another server (-118)."""

    code = -118


class NotReadOnlyCallError(ZookeeperError):
    """A write was sent to a read-only server (-119)."""

    code = -119


class EphemeralOnLocalSessionError(ZookeeperError):
    """Ephemeral node on a local session (-120)."""

    code = -120


class NoWatcherError(ZookeeperError):
    """No such watcher to remove (-121)."""

    code = -121


class RequestTimeoutError(ZookeeperError):
    """Request timed out on the server (-122)."""

    code = -122


class ReconfigDisabledError(ZookeeperError):
    """Dynamic reconfiguration is disabled (-123)."""

    code = -123


class SessionClosedRequireSaslError(ZookeeperError):
    """Session closed because SASL authentication is required (-124)."""

    code = -124


class QuotaExceededError(ZookeeperError):
    """Quota exceeded (-125)."""

    code = -125


class ThrottledOpError(ZookeeperError):
    """The server throttled the operation (-127)."""

    code = -127


class ConnectionClosedError(SessionExpiredError):
    """The client was stopped or closed while the request was outstanding."""


for _cls in (
    RolledBackError, SystemZookeeperError, RuntimeInconsistency, DataInconsistency,
    ConnectionLoss, MarshallingError, UnimplementedError, OperationTimeoutError,
    BadArgumentsError, UnknownSessionError, NewConfigNoQuorumError, ReconfigInProcessError,
    APIError, NoNodeError, NoAuthError, BadVersionError, NoChildrenForEphemeralsError,
    NodeExistsError, NotEmptyError, SessionExpiredError, InvalidCallbackError,
    InvalidACLError, AuthFailedError, SessionMovedError, NotReadOnlyCallError,
    EphemeralOnLocalSessionError, NoWatcherError, RequestTimeoutError,
    ReconfigDisabledError, SessionClosedRequireSaslError, QuotaExceededError,
    ThrottledOpError,
):
    _CODE_TO_ERROR[_cls.code] = _cls
del _cls


class UnknownServerError(ZookeeperError):
    """A server error code this client does not know; ``.code`` is set per instance."""

    def __init__(self, code: int, *args: object) -> None:
        super().__init__(f"unknown ZooKeeper error code {code}", *args)
        self.code = code  # type: ignore[misc]


def error_for_code(code: int) -> type[ZookeeperError]:
    """Return the exception class for a ZooKeeper error ``code``.

    Unknown codes map to :class:`UnknownServerError` (build it with the code).
    """
    return _CODE_TO_ERROR.get(code, UnknownServerError)


def make_error(code: int, message: str = "") -> ZookeeperError:
    """Return an exception instance for a server error ``code``."""
    cls = _CODE_TO_ERROR.get(code)
    if cls is None:
        return UnknownServerError(code, message) if message else UnknownServerError(code)
    return cls(message) if message else cls()


# Names kazoo also exports.
NoNodeException = NoNodeError
NodeExistsException = NodeExistsError
NotEmptyException = NotEmptyError
EXCEPTIONS = _CODE_TO_ERROR
