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

from zkrecipes.exceptions._base import (
    CancelledError,
    ConfigurationError,
    ConnectionDropped,
    ContainerEngineUnavailableError,
    DataTooLargeError,
    ForceRetryError,
    FrameTooLargeError,
    HarnessError,
    InterruptedError,  # noqa: A004 - kazoo's name
    InvalidArgumentError,
    InvalidPathError,
    InvalidTypeError,
    JavaNotFoundError,
    KazooException,
    KazooTimeoutError,
    LockTimeout,
    MalformedFrameError,
    PortInUseError,
    ProtocolError,
    RetryFailedError,
    SASLException,
    ServerStartError,
    UnexpectedReplyError,
    WriterNotClosedException,
    ZkException,
    ZkTimeoutError,
    ZookeeperError,
    ZooKeeperNotInstalledError,
    ZookeeperStoppedError,
)
from zkrecipes.exceptions._client import (
    ConnectRefusedError,
    InvalidCallableError,
    InvalidPathCharacterError,
    ProtectedCreateLost,
)
from zkrecipes.exceptions._recipes import (
    LockLostError,
    LockNotHeldError,
    MalformedNodeDataError,
    OutcomeUnknownError,
)
from zkrecipes.exceptions._server import (
    _CODE_TO_ERROR,  # noqa: F401 - used by protocol.errors
    EXCEPTIONS,
    APIError,
    AuthFailedError,
    BadArgumentsError,
    BadVersionError,
    ConnectionClosedError,
    ConnectionLoss,
    DataInconsistency,
    EphemeralOnLocalSessionError,
    InvalidACLError,
    InvalidCallbackError,
    MarshallingError,
    NewConfigNoQuorumError,
    NoAuthError,
    NoChildrenForEphemeralsError,
    NodeExistsError,
    NodeExistsException,
    NoNodeError,
    NoNodeException,
    NotEmptyError,
    NotEmptyException,
    NotReadOnlyCallError,
    NoWatcherError,
    OperationTimeoutError,
    QuotaExceededError,
    ReconfigDisabledError,
    ReconfigInProcessError,
    RequestTimeoutError,
    RolledBackError,
    RuntimeInconsistency,
    SessionClosedRequireSaslError,
    SessionExpiredError,
    SessionMovedError,
    SystemZookeeperError,
    ThrottledOpError,
    UnimplementedError,
    UnknownErrorCodeError,
    UnknownServerError,
    UnknownSessionError,
    error_for_code,
    make_error,
)

# Each class reports the public module, as before the split (reprs, tracebacks, pickles).
for _obj in list(globals().values()):
    if isinstance(_obj, type) and _obj.__module__.startswith("zkrecipes.exceptions."):
        _obj.__module__ = __name__
del _obj

__all__ = [
    "EXCEPTIONS",
    "APIError",
    "AuthFailedError",
    "BadArgumentsError",
    "BadVersionError",
    "CancelledError",
    "ConfigurationError",
    "ConnectRefusedError",
    "ConnectionClosedError",
    "ConnectionDropped",
    "ConnectionLoss",
    "ContainerEngineUnavailableError",
    "DataInconsistency",
    "DataTooLargeError",
    "EphemeralOnLocalSessionError",
    "ForceRetryError",
    "FrameTooLargeError",
    "HarnessError",
    "InterruptedError",
    "InvalidACLError",
    "InvalidArgumentError",
    "InvalidCallableError",
    "InvalidCallbackError",
    "InvalidPathCharacterError",
    "InvalidPathError",
    "InvalidTypeError",
    "JavaNotFoundError",
    "KazooException",
    "KazooTimeoutError",
    "LockLostError",
    "LockNotHeldError",
    "LockTimeout",
    "MalformedFrameError",
    "MalformedNodeDataError",
    "MarshallingError",
    "NewConfigNoQuorumError",
    "NoAuthError",
    "NoChildrenForEphemeralsError",
    "NoNodeError",
    "NoNodeException",
    "NoWatcherError",
    "NodeExistsError",
    "NodeExistsException",
    "NotEmptyError",
    "NotEmptyException",
    "NotReadOnlyCallError",
    "OperationTimeoutError",
    "OutcomeUnknownError",
    "PortInUseError",
    "ProtectedCreateLost",
    "ProtocolError",
    "QuotaExceededError",
    "ReconfigDisabledError",
    "ReconfigInProcessError",
    "RequestTimeoutError",
    "RetryFailedError",
    "RolledBackError",
    "RuntimeInconsistency",
    "SASLException",
    "ServerStartError",
    "SessionClosedRequireSaslError",
    "SessionExpiredError",
    "SessionMovedError",
    "SystemZookeeperError",
    "ThrottledOpError",
    "UnexpectedReplyError",
    "UnimplementedError",
    "UnknownErrorCodeError",
    "UnknownServerError",
    "UnknownSessionError",
    "WriterNotClosedException",
    "ZkException",
    "ZkTimeoutError",
    "ZooKeeperNotInstalledError",
    "ZookeeperError",
    "ZookeeperStoppedError",
    "error_for_code",
    "make_error",
]
