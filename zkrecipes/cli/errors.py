"""Exit codes of the ``zkrecipes`` command and error messages in the Java client's words.

The codes are part of the command's interface (``docs/cli.md`` lists them):
scripts may test for them, so they never change meaning.
"""

from __future__ import annotations

from zkrecipes.client.protocol.errors import java_message
from zkrecipes.exceptions import ConnectionClosedError, ZookeeperError

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

class CliError(Exception):
    """An error the command reports as one line on stderr and exits with ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def describe(exc: ZookeeperError, path: str | None = None) -> str:
    """``KeeperErrorCode = NoNode for /a``: the Java client's message for ``exc`` at the
    path of the request it ended (``exc.path``), else at ``path``
    (the words are :func:`zkrecipes.client.protocol.errors.java_message`'s)."""
    if isinstance(exc, ConnectionClosedError):
        return "the connection was closed"
    return java_message(exc.code, exc.path or path)
