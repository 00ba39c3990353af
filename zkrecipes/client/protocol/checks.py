"""The one home of the argument rules shared by requests and the client API.

Each check raises before anything is sent: :class:`InvalidTypeError` for a
wrong type, :class:`InvalidArgumentError` for a value the server would
reject. The request layer (``Request.validate``) and the client API
(:mod:`zkrecipes.client.validation`) both call these, so a rule and its
message exist once.
"""

from __future__ import annotations

import math

from zkrecipes.exceptions import InvalidArgumentError, InvalidTypeError
from zkrecipes.security import ACL, Id

__all__ = [
    "MAX_TTL_MS", "MAX_VERSION", "check_acl", "check_data", "check_int", "check_seconds", "check_ttl",
    "check_version",
]

#: The largest TTL the server accepts (EphemeralType.TTL: 40 bits of milliseconds).
MAX_TTL_MS = 2**40 - 1
#: Versions are 32-bit signed ints; -1 matches any version.
MAX_VERSION = 2**31 - 1


def check_int(value: object, name: str) -> int:
    """Return ``value`` if it is an int (not a bool), else raise InvalidTypeError."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidTypeError(f"Invalid type for {name!r} (int expected)")
    return value


def check_version(version: object, name: str = "version") -> int:
    """A znode version: an int in ``[-1, 2**31 - 1]`` (-1 matches any version)."""
    v = check_int(version, name)
    if v < -1 or v > MAX_VERSION:
        raise InvalidArgumentError(f"{name} must be -1 or a non-negative 32-bit int, got {v}")
    return v


def check_acl(acl: object, name: str = "acl") -> list[ACL]:
    """Return ``acl`` as a list of :class:`ACL` (a list or tuple of well-formed ACL entries)."""
    if isinstance(acl, ACL) or not isinstance(acl, (list, tuple)):
        raise InvalidTypeError(f"Invalid type for {name!r} (a list of ACL expected)")
    for entry in acl:
        if not isinstance(entry, ACL):
            raise InvalidTypeError(f"Invalid type for {name!r}: {entry!r} is not an ACL")
        if not isinstance(entry.perms, int) or not isinstance(entry.id, Id):
            raise InvalidTypeError(f"Invalid ACL entry {entry!r}")
        if not isinstance(entry.id.scheme, str) or not isinstance(entry.id.id, str):
            raise InvalidTypeError(f"Invalid ACL id {entry.id!r}")
    return list(acl)


def check_data(value: object, name: str = "value") -> bytes:
    """Return node data as ``bytes`` (a bytes subclass is copied), else raise InvalidTypeError."""
    if type(value) is bytes:
        return value
    if isinstance(value, bytes):
        return bytes(value)
    raise InvalidTypeError(f"Invalid type for {name!r} (bytes expected, got {type(value).__name__})")


def check_ttl(ttl: object, name: str = "ttl") -> int:
    """A TTL in milliseconds: an int in ``[1, MAX_TTL_MS]``."""
    ms = check_int(ttl, name)
    if not 0 < ms <= MAX_TTL_MS:
        raise InvalidArgumentError(
            f"{name} must be a positive number of milliseconds <= {MAX_TTL_MS}, got {ms}"
        )
    return ms


def check_seconds(value: object, name: str = "timeout") -> float:
    """A duration in seconds: a finite number >= 0 (no bool), returned as a float.

    Raises :class:`InvalidTypeError` for a non-number and :class:`InvalidArgumentError`
    for a negative, NaN or infinite one (an infinite wait is spelled ``None`` where
    an API allows it).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:  # an int too large for a float
        seconds = math.inf
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise InvalidArgumentError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    return seconds
