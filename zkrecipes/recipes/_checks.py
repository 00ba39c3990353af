"""Argument checks of the recipe constructors and methods: one rule, one message each.

Each check returns the value (normalised where said) or raises the
:mod:`zkrecipes.exceptions` error the recipes have always raised:
:class:`InvalidTypeError` for a wrong type, :class:`InvalidPathError` for an
unusable path, :class:`InvalidArgumentError` for a value out of range. They
back the static types of the signatures at run time (bools are refused where
a number is expected, since ``bool`` is an ``int`` to Python).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from zkrecipes.client.protocol.checks import check_seconds
from zkrecipes.client.protocol.paths import normalize_path
from zkrecipes.exceptions import InvalidArgumentError, InvalidPathError, InvalidTypeError

__all__ = [
    "check_callable",
    "check_count",
    "check_duration_seconds",
    "check_identifier",
    "check_path",
    "check_str_path",
    "check_timeout",
]

_F = TypeVar("_F", bound=Callable[..., object])


def check_path(path: object, what: str = "path") -> str:
    """Return ``path`` normalised as the client does (``"a"`` → ``"/a"``), unless it is the root.

    Raises :class:`InvalidTypeError` for a non-str and :class:`InvalidPathError`
    for the root or a path the client refuses (``.``/``..`` segments, bad characters).
    """
    if not isinstance(path, str):
        raise InvalidTypeError(f"{what} must be a str, not {type(path).__name__}")
    try:
        normal = normalize_path(path)
    except InvalidPathError as exc:
        raise type(exc)(f"{what}: {exc}") from None
    if normal == "/":
        raise InvalidPathError(f"{what} must be a non-root znode path: {path!r}")
    return normal


def check_str_path(path: object, what: str = "path") -> str:
    """Return ``path`` if it is a str (the recipes that accept any path the server accepts).

    Raises :class:`InvalidTypeError` otherwise; the server judges the rest.
    """
    if not isinstance(path, str):
        raise InvalidTypeError(f"{what} must be a str, not {type(path).__name__}")
    return path


def check_timeout(timeout: object) -> float | None:
    """Return ``timeout`` as a float (None stays None: wait forever).

    Raises :class:`InvalidTypeError` for a non-number (bools included) and
    :class:`InvalidArgumentError` for a negative value, NaN or infinity (the
    client's rule, :func:`zkrecipes.client.protocol.checks.check_seconds`).
    A finite timeout longer than ``threading.TIMEOUT_MAX`` (about 292 years, the
    longest wait a lock accepts) is shortened to it.
    """
    if timeout is None:
        return None
    return min(check_seconds(timeout, "timeout"), threading.TIMEOUT_MAX)


def check_duration_seconds(value: object, name: str) -> float:
    """Return ``value`` (a number of seconds >= 0, no bool) unchanged in value.

    Raises :class:`InvalidTypeError` for a non-number and
    :class:`InvalidArgumentError` for a negative, NaN or infinite one.
    """
    check_seconds(value, name)  # the client's rule: a finite number >= 0, no bool
    return value  # type: ignore[return-value]


def check_identifier(identifier: object, what: str = "identifier") -> str | None:
    """Return ``identifier`` if it is a str or None; :class:`InvalidTypeError` otherwise."""
    if identifier is not None and not isinstance(identifier, str):
        raise InvalidTypeError(f"{what} must be a str or None, not {type(identifier).__name__}")
    return identifier


def check_count(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` if it is an int (not a bool) >= ``minimum``.

    Raises :class:`InvalidTypeError` for a non-int and
    :class:`InvalidArgumentError` below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum}, not {value}")
    return value


def check_callable(func: _F | None, what: str) -> _F | None:
    """Return ``func`` if it is callable or None; :class:`InvalidTypeError` (``what``) otherwise."""
    if func is not None and not callable(func):
        raise InvalidTypeError(f"{what} must be callable")
    return func
