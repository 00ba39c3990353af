"""Argument checks shared by every client method (sync and async alike).

Each check raises before anything is sent: :class:`InvalidTypeError` for a
wrong type, :class:`InvalidPathError` for a path ZooKeeper would reject
(paths themselves are normalised as kazoo does, :func:`check_path`),
:class:`DataTooLargeError` for a request the server would refuse by size
(a server drops the whole connection on an oversized packet, so the client
must never send one), :class:`InvalidArgumentError` for other bad values.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from zkrecipes.client.protocol.checks import check_acl, check_data, check_int, check_ttl, check_version
from zkrecipes.client.protocol.opcodes import CreateMode
from zkrecipes.client.protocol.paths import validate_path
from zkrecipes.client.sasl import DEFAULT_SERVICE, SUPPORTED_MECHANISMS, SaslConfig
from zkrecipes.exceptions import (
    ConfigurationError,
    DataTooLargeError,
    InvalidCallableError,
    InvalidTypeError,
)
from zkrecipes.security import ACL

__all__ = [
    "DEFAULT_MAX_REQUEST_SIZE", "check_acl", "check_bool", "check_callable", "check_int", "check_path",
    "check_path_list", "check_sasl", "check_size", "check_str", "check_value", "check_version",
    "check_watch", "create_mode", "estimate_size",
]

# ZooKeeper's default jute.maxbuffer: the largest frame a server accepts.
DEFAULT_MAX_REQUEST_SIZE = 0xFFFFF
# Header, length prefixes, flags, ttl: generous so that the estimate never falls short.
_REQUEST_OVERHEAD = 64


def check_path(path: object, *, sequential: bool = False, name: str = "path") -> str:
    """Return ``path`` normalised (``"a"`` → ``"/a"``, ``"/a//b/"`` → ``"/a/b"``), else raise.

    The rule is :func:`~zkrecipes.client.protocol.paths.normalize_path`'s; use
    the returned path, never the argument.
    """
    if type(path) is not str and not isinstance(path, str):
        raise InvalidTypeError(f"Invalid type for {name!r} (string expected, got {type(path).__name__})")
    return validate_path(path, sequential=sequential)


def check_value(value: object, *, name: str = "value") -> bytes | None:
    """Return node data as bytes, or None (null data, written as kazoo does), else raise InvalidTypeError."""
    if value is None:
        return None
    return check_data(value, name)


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is a bool, else raise InvalidTypeError."""
    if not isinstance(value, bool):
        raise InvalidTypeError(f"Invalid type for {name!r} (bool expected)")
    return value


def check_str(value: object, name: str) -> str:
    """Return ``value`` if it is a str, else raise InvalidTypeError."""
    if not isinstance(value, str):
        raise InvalidTypeError(f"Invalid type for {name!r} (string expected)")
    return value


def check_callable(func: object, name: str) -> None:
    """Raise InvalidTypeError unless ``func`` is callable."""
    if not callable(func):
        raise InvalidCallableError(f"Invalid type for {name!r} (callable expected)")


def check_watch(watch: object) -> None:
    """A watch argument is ``None`` or a callable."""
    if watch is not None and not callable(watch):
        raise InvalidCallableError("Invalid type for 'watch' (must be a callable)")


def create_mode(ephemeral: object, sequence: object, container: object, ttl: object) -> tuple[int, int]:
    """Return ``(flags, ttl_ms)`` for a create, checking the combination.

    ``ttl`` (milliseconds, a positive int) is allowed only for persistent
    nodes; ``container`` only alone. The returned ttl is -1 when unused. The
    mode numbers are :class:`~zkrecipes.client.protocol.opcodes.CreateMode`'s.
    """
    eph = check_bool(ephemeral, "ephemeral")
    seq = check_bool(sequence, "sequence")
    cont = check_bool(container, "container")
    ttl_ms = -1 if ttl is None else check_ttl(ttl)
    mode = CreateMode.from_options(ephemeral=eph, sequential=seq, container=cont, ttl=ttl is not None)
    return int(mode), ttl_ms


def _acl_size(acl: Sequence[ACL]) -> int:
    return sum(12 + len(a.id.scheme.encode()) + len(a.id.id.encode()) for a in acl)


def estimate_size(path: str, data: bytes | None = b"", acl: Sequence[ACL] = ()) -> int:
    """An upper bound of the serialized size of a request with these fields."""
    return _REQUEST_OVERHEAD + len(path.encode()) + len(data or b"") + _acl_size(acl)


def check_size(size: int, limit: int = DEFAULT_MAX_REQUEST_SIZE) -> None:
    """Raise DataTooLargeError if a request of ``size`` bytes exceeds ``limit``."""
    if size > limit:
        raise DataTooLargeError(
            f"request of about {size} bytes exceeds the server's packet limit of {limit} bytes"
        )


def check_path_list(paths: Any, name: str) -> list[str]:
    """Return ``paths`` as a list of valid paths."""
    if isinstance(paths, str) or not isinstance(paths, (list, tuple)):
        raise InvalidTypeError(f"Invalid type for {name!r} (a list of paths expected)")
    return [check_path(p, name=name) for p in paths]


# ---------------------------------------------------------------------- SASL

#: sasl_options keys accepted (kazoo passes them to pure-sasl); "principal" and
#: "host" mean nothing to DIGEST-MD5 against ZooKeeper and are ignored.
_SASL_KEYS = frozenset({"mechanism", "username", "password", "service", "authorization_id",
                        "principal", "host"})


def check_sasl(sasl_options: object, auth_data: Sequence[tuple[str, str]]
               ) -> tuple[SaslConfig | None, list[tuple[str, str]]]:
    """Return ``(SASL config or None, auth_data without "sasl" entries)``.

    ``sasl_options`` is kazoo's dict (``mechanism`` "DIGEST-MD5", ``username``,
    ``password``, optional ``service`` and ``authorization_id``); a legacy
    ``("sasl", "user:password")`` entry in ``auth_data`` means the same
    (with a DeprecationWarning, as kazoo). Raises ConfigurationError for an
    unsupported mechanism (GSSAPI, PLAIN, …), a missing username/password,
    unknown keys, or SASL configured twice; InvalidTypeError for wrong types.
    """
    legacy = [credential for scheme, credential in auth_data if scheme == "sasl"]
    rest = [(scheme, credential) for scheme, credential in auth_data if scheme != "sasl"]
    if not legacy and not sasl_options:
        if sasl_options is not None and not isinstance(sasl_options, Mapping):
            raise InvalidTypeError("sasl_options must be a dict")
        return None, rest
    if len(legacy) > 1 or (legacy and sasl_options):
        raise ConfigurationError("Multiple SASL configurations provided")
    if legacy:
        warnings.warn("Passing SASL configuration as part of the auth_data is deprecated, "
                      "please use the sasl_options configuration instead",
                      DeprecationWarning, stacklevel=3)
        user, sep, secret = legacy[0].partition(":")
        if not sep:
            raise ConfigurationError('a "sasl" auth_data credential must be "username:password"')
        sasl_options = {"mechanism": "DIGEST-MD5", "username": user, "password": secret}
    if not isinstance(sasl_options, Mapping):
        raise InvalidTypeError("sasl_options must be a dict")
    unknown = sorted(str(k) for k in sasl_options if k not in _SASL_KEYS)
    if unknown:
        raise ConfigurationError(f"unsupported sasl_options: {unknown}")
    mechanism = sasl_options.get("mechanism")
    if not isinstance(mechanism, str):
        raise ConfigurationError('sasl_options needs a "mechanism" (only "DIGEST-MD5" is supported)')
    if mechanism.upper() not in SUPPORTED_MECHANISMS:
        raise ConfigurationError(f"SASL mechanism {mechanism!r} is not supported (only DIGEST-MD5)")
    username = sasl_options.get("username")
    password = sasl_options.get("password")
    if not isinstance(username, str) or not username:
        raise ConfigurationError("DIGEST-MD5 needs a non-empty \"username\" string")
    if not isinstance(password, str):
        raise ConfigurationError("DIGEST-MD5 needs a \"password\" string")
    service = sasl_options.get("service", DEFAULT_SERVICE)
    authz = sasl_options.get("authorization_id")
    if not isinstance(service, str) or not service:
        raise InvalidTypeError("sasl_options['service'] must be a non-empty string")
    if authz is not None and not isinstance(authz, str):
        raise InvalidTypeError("sasl_options['authorization_id'] must be a string")
    return SaslConfig(mechanism.upper(), username, password, service, authz or None), rest
