"""The Java client's words for server error codes, and exceptions that name their request.

``KeeperErrorCode = NoNode for /a`` is what ZooKeeper's own client says; the
session layer builds every server error for a request with :func:`request_error`
and names any other error that ends a request with :func:`annotate`, so each
exception carries ``.path`` and ``.operation``. The CLI prints the same words.
Only the error path calls these (the success path never does).
"""

from __future__ import annotations

from zkrecipes.exceptions import UnknownServerError, ZkException, ZookeeperError
from zkrecipes.exceptions._server import _CODE_TO_ERROR

__all__ = ["annotate", "java_message", "java_words", "request_error"]

# Java's KeeperException.Code messages: "KeeperErrorCode = <words> for <path>".
_JAVA_WORDS: dict[int, str] = {
    0: "RolledBack",  # Java has no exception for it: a failed multi's rolled-back operations
    -1: "SystemError", -2: "RuntimeInconsistency", -3: "DataInconsistency", -4: "ConnectionLoss",
    -5: "MarshallingError", -6: "Unimplemented", -7: "OperationTimeout", -8: "BadArguments",
    -12: "UnknownSession", -13: "NewConfigNoQuorum", -14: "ReconfigInProgress", -100: "APIError",
    -101: "NoNode", -102: "NoAuth", -103: "BadVersion", -108: "NoChildrenForEphemerals",
    -110: "NodeExists", -111: "Directory not empty", -112: "Session expired",
    -113: "Invalid callback", -114: "InvalidACL", -115: "AuthFailed", -118: "Session moved",
    -119: "Not a read-only call", -120: "Ephemeral node on local session", -121: "No such watcher",
    -122: "Request timeout", -123: "Reconfig is disabled",
    -124: "Session closed because client failed to authenticate", -125: "Quota has exceeded",
    -127: "Operation throttled",
}


def java_words(code: int) -> str:
    """Java's name for a server error code (``NoNode`` for -101), or ``code <n>`` if unknown."""
    return _JAVA_WORDS.get(code, f"code {code}")


def java_message(code: int, path: str | None = None) -> str:
    """``KeeperErrorCode = NoNode for /a``: the Java client's message (without ``for`` when
    there is no path)."""
    words = _JAVA_WORDS.get(code) or f"code {code}"
    return f"KeeperErrorCode = {words} for {path}" if path else f"KeeperErrorCode = {words}"


def request_error(code: int, operation: str | None, path: str | None) -> ZookeeperError:
    """The exception for a server error ``code`` answering ``operation`` on ``path``:
    the Java client's message, with ``.path`` and ``.operation`` set."""
    cls = _CODE_TO_ERROR.get(code)
    message = java_message(code, path)
    if cls is None:
        exc: ZookeeperError = UnknownServerError(code)
        exc.args = (message,)
    else:
        exc = cls(message)
    exc.path = path
    exc.operation = operation
    return exc


def annotate(exc: BaseException, operation: str | None, path: str | None) -> BaseException:
    """Name the request ``exc`` ended (in place, returned), unless it already names one.

    A :class:`ZkException` without ``path``/``operation`` gets them; a bare server
    error (no message) also gets the Java client's message. Other exceptions are
    returned untouched.
    """
    if isinstance(exc, ZkException) and exc.path is None and exc.operation is None:
        exc.path = path
        exc.operation = operation
        if not exc.args and isinstance(exc, ZookeeperError):
            exc.args = (java_message(exc.code, path),)
    return exc
