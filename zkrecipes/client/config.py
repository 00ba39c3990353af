"""``ClientConfig``: the client's configuration, checked once, then frozen.

Every front end builds one from kazoo's constructor arguments
(:meth:`ClientConfig.from_kazoo_args`) — ``ZkClient``, the coming asyncio
client and the command line — so that each option has one rule and one error
message. Nothing here depends on a concurrency model: the handler and the
logger stay with the front end, and a retry option is kept as given (a
:class:`RetryPolicy` or a checked dict of its knobs) until the front end binds
it to its own ``sleep`` with :func:`make_retry`.

Guarantees: a :class:`ClientConfig` that exists is valid (every check ran in
``from_kazoo_args``); it never changes (frozen, slotted); errors are
:class:`InvalidTypeError` for a wrong type and :class:`ConfigurationError` for a
bad value, raised before any socket, thread or handler is touched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zkrecipes.client.hosts import HostPort, parse_hosts
from zkrecipes.client.protocol.checks import check_seconds
from zkrecipes.client.sasl import SaslConfig
from zkrecipes.client.validation import DEFAULT_MAX_REQUEST_SIZE, check_acl, check_sasl
from zkrecipes.exceptions import (
    ConfigurationError,
    InvalidArgumentError,
    InvalidSettingError,
    InvalidTypeError,
)
from zkrecipes.retry import RetryPolicy
from zkrecipes.security import ACL

__all__ = ["ClientConfig", "RetryOption", "SslOptions", "make_retry"]

#: kazoo's deprecated retry knobs: accepted and ignored.
_IGNORED_KWARGS = ("max_retries", "retry_delay", "retry_backoff", "retry_max_delay", "retry_jitter")

RetryOption = RetryPolicy | tuple[tuple[str, Any], ...] | None
"""A retry option as configured: a policy, the (sorted) items of a dict of its knobs, or None."""


@dataclass(frozen=True, slots=True)
class SslOptions:
    """TLS settings (kazoo's names); ``as_dict()`` is the transport's ``ssl_options``."""

    use_ssl: bool = False
    ca: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    keyfile_password: str | None = None
    verify_certs: bool = True
    check_hostname: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The options as keyword arguments (``handler.create_connection`` takes them)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self) -> str:  # never show the key password
        return f"SslOptions(use_ssl={self.use_ssl!r}, ca={self.ca!r}, certfile={self.certfile!r})"


def _retry_option(value: object, name: str, **defaults: Any) -> RetryOption:
    if value is None or isinstance(value, RetryPolicy):
        return value
    if isinstance(value, dict):
        RetryPolicy(**{**defaults, **value})  # raises for an unknown knob or a bad value
        return tuple(sorted(value.items()))
    raise ConfigurationError(f"{name} must be a RetryPolicy or a dict of its options")


def make_retry(option: RetryOption, sleep_func: Callable[[float], Any], name: str) -> RetryPolicy:
    """Bind a retry option to a front end's ``sleep_func`` (retry forever by default).

    A :class:`RetryPolicy` given by the user must already use that
    ``sleep_func`` (a blocking sleep in a gevent client would stall the hub):
    :class:`ConfigurationError` otherwise.
    """
    if option is None:
        return RetryPolicy(sleep_func=sleep_func, max_tries=-1)
    if isinstance(option, RetryPolicy):
        if option.sleep_func is not sleep_func and option.sleep_func != sleep_func:
            raise ConfigurationError(f"{name} must use the handler's sleep_func")
        return option
    return RetryPolicy(**{"sleep_func": sleep_func, "max_tries": -1, **dict(option)})


def _check_timeout(timeout: object) -> float:
    try:
        seconds = check_seconds(timeout, "timeout")  # the one rule for durations
    except InvalidArgumentError as exc:
        raise InvalidSettingError(str(exc)) from None
    if seconds <= 0:
        raise InvalidSettingError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
    return seconds


def _check_auth_data(auth_data: object) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for entry in auth_data or ():  # type: ignore[attr-defined]
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2
                and all(isinstance(x, str) for x in entry)):
            raise InvalidTypeError("auth_data must be a list of (scheme, credential) string pairs")
        pairs.append((entry[0], entry[1]))
    return pairs


def _check_client_id(client_id: object) -> tuple[int, bytes] | None:
    if client_id is None:
        return None
    if not (isinstance(client_id, (tuple, list)) and len(client_id) == 2
            and isinstance(client_id[0], int) and isinstance(client_id[1], (bytes, bytearray))):
        raise InvalidTypeError("client_id must be a (session_id: int, password: bytes) pair")
    return int(client_id[0]), bytes(client_id[1])


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything a client is configured with, except its handler and logger.

    Build it with :meth:`from_kazoo_args`; the constructor does not check.
    """

    hosts: tuple[HostPort, ...]
    chroot: str = ""
    session_timeout: float = 10.0
    """The requested session timeout, seconds."""
    client_id: tuple[int, bytes] | None = dataclasses.field(default=None, repr=False)  # a password
    default_acl: tuple[ACL, ...] | None = None
    auth_data: tuple[tuple[str, str], ...] = dataclasses.field(default=(), repr=False)  # credentials
    """``(scheme, credential)`` pairs sent on every connection (SASL ones removed)."""
    sasl: SaslConfig | None = None
    read_only: bool = False
    randomize_hosts: bool = True
    connection_retry: RetryOption = None
    command_retry: RetryOption = None
    ssl: SslOptions = SslOptions()
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE
    observers: tuple[Any, ...] = ()
    """Instrumentation observers attached at construction (:mod:`zkrecipes.observe`)."""

    @classmethod
    def from_kazoo_args(
        cls,
        hosts: str | Sequence[str] = "127.0.0.1:2181",
        timeout: float = 10.0,
        client_id: tuple[int, bytes] | None = None,
        default_acl: Sequence[ACL] | None = None,
        auth_data: Sequence[tuple[str, str]] | None = None,
        sasl_options: Mapping[str, Any] | None = None,
        read_only: bool | None = None,
        randomize_hosts: bool = True,
        connection_retry: RetryPolicy | dict[str, Any] | None = None,
        command_retry: RetryPolicy | dict[str, Any] | None = None,
        keyfile: str | None = None,
        keyfile_password: str | None = None,
        certfile: str | None = None,
        ca: str | None = None,
        use_ssl: bool = False,
        verify_certs: bool = True,
        check_hostname: bool = False,
        **kwargs: Any,
    ) -> ClientConfig:
        """Check kazoo's ``KazooClient`` arguments (minus ``handler``/``logger``) once.

        Extra keywords: ``max_request_size`` (bytes, default 1 MiB - 1, the
        server's ``jute.maxbuffer``) and ``observers`` (an iterable of
        :class:`zkrecipes.observe.Observer`); kazoo's deprecated retry knobs are
        accepted and ignored; any other keyword is a ``TypeError``.
        """
        session_timeout = _check_timeout(timeout)
        acl = tuple(check_acl(default_acl, "default_acl")) if default_acl else None
        # A ("sasl", "user:password") entry becomes the SASL login, as in kazoo.
        sasl, rest = check_sasl(sasl_options, _check_auth_data(auth_data))
        session = _check_client_id(client_id)
        max_request_size = int(kwargs.pop("max_request_size", DEFAULT_MAX_REQUEST_SIZE))
        observers = tuple(kwargs.pop("observers", None) or ())
        for key in _IGNORED_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"__init__() got unexpected keyword arguments: {sorted(kwargs)}")
        conn_retry = _retry_option(connection_retry, "connection_retry", max_tries=-1)
        cmd_retry = _retry_option(command_retry, "command_retry", max_tries=-1)
        host_list, chroot = parse_hosts(hosts)
        return cls(
            hosts=tuple(host_list), chroot=chroot, session_timeout=session_timeout,
            client_id=session, default_acl=acl, auth_data=tuple(rest), sasl=sasl,
            read_only=bool(read_only), randomize_hosts=bool(randomize_hosts),
            connection_retry=conn_retry, command_retry=cmd_retry,
            ssl=SslOptions(bool(use_ssl), ca, certfile, keyfile, keyfile_password,
                           bool(verify_certs), bool(check_hostname)),
            max_request_size=max_request_size, observers=observers,
        )

    def with_hosts(self, hosts: str | Sequence[str], randomize_hosts: bool | None = None) -> ClientConfig:
        """This configuration with other servers; the chroot cannot change (ConfigurationError)."""
        host_list, chroot = parse_hosts(hosts)
        if chroot != self.chroot:
            raise ConfigurationError("changing the chroot at runtime is not supported")
        randomize = self.randomize_hosts if randomize_hosts is None else bool(randomize_hosts)
        return dataclasses.replace(self, hosts=tuple(host_list), randomize_hosts=randomize)
