"""kazoo's ``kazoo.exceptions`` names, bound to zkrecipes' exception classes.

Every class is zkrecipes' own (``zkrecipes.exceptions``); the ``*Exception``
spellings kazoo also exports are aliases of the same classes.

One list, one home: the names of ``zkrecipes.exceptions.__all__`` are
re-exported as they are (``import *`` plus that ``__all__``), and the alias
table below adds kazoo's other spellings. ``from zkrecipes.exceptions import
__all__ as __all__`` is the idiom by which a type checker (mypy) takes that
module's exports as this module's, so every name is typed here too without
being restated; ``tests/recipes/test_compat_names_pure.py`` checks the result.
"""

from __future__ import annotations

from zkrecipes.exceptions import *  # noqa: F403 - every name of zkrecipes.exceptions.__all__
from zkrecipes.exceptions import (
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
from zkrecipes.exceptions import __all__ as __all__

# kazoo's alias table: its ``*Exception`` spellings of zkrecipes' classes (each also listed below).
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

__all__ = list(__all__)  # a copy: zkrecipes.exceptions.__all__ itself is left as it is
__all__ += [
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
