"""Errors raised by the client itself (not answered by a server)."""

from __future__ import annotations

from zkrecipes.exceptions._base import (
    ConfigurationError,
    InvalidPathError,
    InvalidTypeError,
    ProtocolError,
    WriterNotClosedException,
)
from zkrecipes.exceptions._server import BadArgumentsError, ConnectionLoss

# ------------------------------------------------------------------- client


class InvalidHostsError(ConfigurationError, ValueError):
    """A connection string (hosts, ports, chroot) that cannot be parsed.

    A :class:`ConfigurationError`, and a ``ValueError`` as kazoo raises for one.
    """


class InvalidCallableError(ConfigurationError, InvalidTypeError, ValueError):
    """A listener or callback argument is not callable.

    kazoo raises ConfigurationError for a listener, ValueError for an election's
    leader function, TypeError for a watch: this is all three.
    """


class InvalidPathCharacterError(InvalidPathError, BadArgumentsError):
    """A path holding a character ZooKeeper refuses (a control character, NUL, …).

    Refused before sending; the server would answer ``BadArguments`` (-8),
    which is what kazoo raises, so this is both an :class:`InvalidPathError`
    (a ``ValueError``) and a :class:`BadArgumentsError`.
    """


class TransactionCommittedError(WriterNotClosedException, ValueError):
    """A transaction (or multi-read) was used after it was committed.

    A :class:`WriterNotClosedException`, as zkrecipes always raised, and a
    ``ValueError``, what kazoo raises there.
    """


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
