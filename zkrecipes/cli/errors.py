"""Exit codes of the ``zkrecipes`` command and error messages in the Java client's words.

The codes are part of the command's interface (``docs/cli.md`` lists them):
scripts may test for them, so they never change meaning.
"""

from __future__ import annotations

from zkrecipes.exceptions import (
    ConnectionClosedError,
    ZookeeperError,
)

__all__ = [
    "EXIT_CONNECT", "EXIT_ERROR", "EXIT_LOST", "EXIT_NOT_ACQUIRED", "EXIT_OK", "EXIT_UNHEALTHY",
    "EXIT_USAGE", "CliError", "describe",
]

EXIT_OK = 0
#: A ZooKeeper error (NoNode, NodeExists, NoAuth, …) or a bad file given to ``load``.
EXIT_ERROR = 1
#: Bad usage (argparse's own code).
EXIT_USAGE = 2
#: No session: every host refused, or none answered within ``--timeout``, or auth failed.
EXIT_CONNECT = 3
#: ``health``: at least one host is not serving.
EXIT_UNHEALTHY = 4
#: ``lock``/``elect``: the lock (or leadership) was not acquired within ``--timeout``.
EXIT_NOT_ACQUIRED = 75
#: ``lock``/``elect``: the lock (or leadership) was lost while CMD ran; CMD was stopped.
EXIT_LOST = 76

# Java's KeeperException.Code messages ("KeeperErrorCode = <this> for <path>").
_JAVA_WORDS: dict[int, str] = {
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


class CliError(Exception):
    """An error the command reports as one line on stderr and exits with ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def java_words(code: int) -> str:
    """Java's name for a server error code (``NoNode`` for -101), or ``code <n>`` if unknown."""
    return _JAVA_WORDS.get(code, f"code {code}")


def describe(exc: ZookeeperError, path: str | None = None) -> str:
    """``KeeperErrorCode = NoNode for /a``: the Java client's message for ``exc`` at ``path``."""
    if isinstance(exc, ConnectionClosedError):
        return "the connection was closed"
    words = java_words(exc.code)
    return f"KeeperErrorCode = {words}" + (f" for {path}" if path else "")
