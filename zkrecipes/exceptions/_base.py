"""The base classes, bad input, wire-protocol and test-harness errors."""

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


class InvalidSettingError(ConfigurationError, InvalidArgumentError):
    """A client setting with an invalid value: a ConfigurationError and an InvalidArgumentError."""


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
