"""Every exception zkrecipes raises.

Names follow kazoo's so that ``except kazoo.exceptions.NoNodeError`` becomes
``except zkrecipes.exceptions.NoNodeError``.  Server errors subclass
:class:`ZookeeperError` and carry the ZooKeeper error ``code``;
:func:`error_for_code` maps a code to its class.

Families:

* :class:`ZookeeperError` — an error code returned by the server.
* :class:`ProtocolError` — bytes from the peer that break the wire protocol.
* :class:`InvalidPathError`, :class:`DataTooLargeError`, … — bad arguments,
  raised before anything is sent (they are also ``ValueError``/``TypeError``).
* :class:`HarnessError` — the test harness (``zkrecipes.testing``) could not
  start or reach a ZooKeeper.
"""

from __future__ import annotations

import builtins
from typing import ClassVar


def _rebuild(cls: type[BaseException], args: tuple[object, ...]) -> BaseException:
    """Unpickle an exception without calling its ``__init__`` (its state follows)."""
    exc = cls.__new__(cls)
    exc.args = args
    return exc


class ZkException(Exception):
    """Base class of every exception raised by zkrecipes.

    ``path`` and ``operation`` name the request an error ended, when it ended
    one: the client path (without the chroot; None for multi, whoami, close)
    and ZooKeeper's name of the operation (``"getData"``, ``"create"``, …).
    Both are None for errors that belong to no request.
    """

    path: str | None = None
    operation: str | None = None

    def __reduce__(self) -> tuple[object, ...]:
        # Pickle the message and every attribute, whatever the subclass's __init__ takes.
        return (_rebuild, (type(self), self.args), self.__dict__ or None)


KazooException = ZkException  # migration alias


class ZookeeperError(ZkException):
    """An error code answered by a ZooKeeper server."""

    code: ClassVar[int] = 1  # overridden by each concrete error


class CancelledError(ZkException):
    """A blocking recipe operation was cancelled."""


class ConfigurationError(ZkException):
    """The client or a recipe was configured with inconsistent options."""


class ZookeeperStoppedError(ZkException):
    """The client is stopped; start it before sending requests."""


class ConnectionDropped(ZkException):
    """The TCP connection to the server dropped (internal; becomes ConnectionLoss)."""


class LockTimeout(ZkException):
    """A lock (or semaphore/lease) was not acquired within the timeout."""


class WriterNotClosedException(ZkException):
    """A transaction was used after it was committed."""


class SASLException(ZkException):
    """SASL negotiation failed."""


class ZkTimeoutError(ZkException, builtins.TimeoutError):
    """A wait on an async result or event ran out of time.

    Also a :class:`builtins.TimeoutError`; kazoo calls it ``KazooTimeoutError``.
    """


KazooTimeoutError = ZkTimeoutError  # migration alias


class RetryFailedError(ZkException):
    """A retry policy gave up (tries or deadline exhausted)."""


class ForceRetryError(ZkException):
    """Raised by user code inside ``client.retry`` to ask for another try."""


class InterruptedError(RetryFailedError):  # noqa: A001 - kazoo's name
    """A retry loop was interrupted by its ``interrupt`` callable."""


# ---------------------------------------------------------------- bad input


class InvalidArgumentError(ZkException, ValueError):
    """An argument has an invalid value (raised before anything is sent)."""


class InvalidPathError(InvalidArgumentError):
    """A znode path that ZooKeeper would reject (not absolute, empty segment, …)."""


class DataTooLargeError(InvalidArgumentError):
    """Node data larger than the client's maximum (1 MiB by default)."""


class InvalidTypeError(ZkException, TypeError):
    """An argument has the wrong type (raised before anything is sent)."""


# ------------------------------------------------------------- wire protocol


class ProtocolError(ZkException):
    """The peer sent bytes that break the ZooKeeper wire protocol.

    The connection that carried them is reset; pending requests fail with
    :class:`ConnectionLoss`; the session itself survives if it can.
    """


class FrameTooLargeError(ProtocolError):
    """A frame length prefix above the configured maximum (or negative)."""


class MalformedFrameError(ProtocolError):
    """A frame whose content cannot be decoded as the expected record."""


class UnexpectedReplyError(ProtocolError):
    """A reply whose xid matches no pending request, or arrives out of order."""


# ----------------------------------------------------------- test harness


class HarnessError(ZkException):
    """The test harness could not provide a ZooKeeper server."""


class JavaNotFoundError(HarnessError):
    """No ``java`` executable was found."""


class ZooKeeperNotInstalledError(HarnessError):
    """No ZooKeeper installation (Debian package or ``ZOOKEEPER_HOME``) was found."""


class ServerStartError(HarnessError):
    """A ZooKeeper server process failed to start or to serve in time."""


class PortInUseError(HarnessError):
    """A requested port is already bound by another process."""


class ContainerEngineUnavailableError(HarnessError):
    """testcontainers is missing or no Docker engine answers."""


# ------------------------------------------------------------ server errors

_CODE_TO_ERROR: dict[int, type[ZookeeperError]] = {}




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


# ------------------------------------------------------------------ recipes


class LockNotHeldError(ZkException):
    """A lock-fenced operation was asked of a lock (or lease) that is not held."""


class LockLostError(LockNotHeldError):
    """The lock was held but is lost: its session ended or its contender node is gone.

    Raised by fenced writes; the server refused the write, so nothing was changed.
    """


class OutcomeUnknownError(ZkException):
    """A recipe's write may or may not have been applied, and the recipe could not tell which.

    Jepsen's "indeterminate": the reply was lost (ConnectionLoss, an expired or
    closed session) and what could be read afterwards proves neither outcome.
    ``path``/``operation`` name the write (e.g. ``"fenced_set"``); ``__cause__`` is
    the error that lost the reply. Read the state back and reconcile; never repeat
    the write blindly. Not a :class:`ConnectionLoss` (retry policies retry those, and
    a blind re-run is what this prevents) nor a :class:`LockLostError` (which
    promises that nothing was written).
    """

    def __init__(self, message: str, *, path: str, operation: str, value: bytes | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.operation = operation
        #: What the recipe had in hand, e.g. the value of a queue entry it may have removed; else None.
        self.value = value


class MalformedNodeDataError(ZkException, ValueError):
    """A recipe found node data it cannot decode (e.g. a counter holding non-numeric bytes)."""


# ------------------------------------------------------------------- client


class InvalidCallableError(ConfigurationError, InvalidTypeError):
    """A listener or callback argument is not callable (kazoo raised ConfigurationError)."""


class ProtectedCreateLost(ConnectionLoss):
    """A protected create gave up before it could learn whether its node exists.

    A :class:`ConnectionLoss` (code -4) raised when recovery ends (the session
    was lost, or no answer within a session timeout). ``protected_guid``,
    ``protected_parent`` and ``protected_prefix`` (``_c_<guid>-``) name the node
    the create may have made, so that the caller can find and delete it.
    """

    def __init__(self, message: str, *, guid: str, parent: str, prefix: str) -> None:
        super().__init__(message)
        self.protected_guid = guid
        self.protected_parent = parent
        self.protected_prefix = prefix


class ConnectRefusedError(ProtocolError):
    """The server answered a ConnectRequest with an error reply instead of a session.

    A ZooKeeper 3.8 server in read-only mode without ``localSessionsEnabled``
    cannot create a session: it answers a new session's ConnectRequest with a
    bare reply header carrying ``NOTREADONLY`` (-119). ``code`` is that error
    code. The connection is dropped and the client tries its next server.
    """

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code
