"""kazoo's ``kazoo.exceptions`` names, bound to zkrecipes' exception classes.

Every class is zkrecipes' own (``zkrecipes.exceptions``); the ``*Exception``
spellings kazoo also exports are aliases of the same classes.
"""

from __future__ import annotations

from zkrecipes.exceptions import *  # noqa: F403 - every zkrecipes exception name
from zkrecipes.exceptions import (
    EXCEPTIONS,
    APIError,
    AuthFailedError,
    BadArgumentsError,
    BadVersionError,
    ConnectionLoss,
    DataInconsistency,
    InvalidACLError,
    InvalidCallbackError,
    MarshallingError,
    NoAuthError,
    NoChildrenForEphemeralsError,
    OperationTimeoutError,
    RuntimeInconsistency,
    SessionExpiredError,
    SystemZookeeperError,
    UnimplementedError,
)
from zkrecipes.exceptions import __all__ as _zk_names

ApiErrorException = APIError
AuthFailedException = AuthFailedError
BadArgumentsException = BadArgumentsError
BadVersionException = BadVersionError
ConnectionLossException = ConnectionLoss
DataInconsistencyException = DataInconsistency
InvalidACLException = InvalidACLError
InvalidCallbackException = InvalidCallbackError
MarshallingErrorException = MarshallingError
NoAuthException = NoAuthError
NoChildrenForEphemeralsException = NoChildrenForEphemeralsError
OperationTimeoutException = OperationTimeoutError
RuntimeInconsistencyException = RuntimeInconsistency
SessionExpiredException = SessionExpiredError
SystemErrorException = SystemZookeeperError
UnimplementedException = UnimplementedError

__all__ = [
    *_zk_names,
    "EXCEPTIONS",
    "ApiErrorException",
    "AuthFailedException",
    "BadArgumentsException",
    "BadVersionException",
    "ConnectionLossException",
    "DataInconsistencyException",
    "InvalidACLException",
    "InvalidCallbackException",
    "MarshallingErrorException",
    "NoAuthException",
    "NoChildrenForEphemeralsException",
    "OperationTimeoutException",
    "RuntimeInconsistencyException",
    "SessionExpiredException",
    "SystemErrorException",
    "UnimplementedException",
]
