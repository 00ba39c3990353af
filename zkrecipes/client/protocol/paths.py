"""Znode path validation (ZooKeeper's ``PathUtils`` rules) and the chroot helpers.

The chroot is applied in exactly one place, the protocol session: client paths
are prefixed with :func:`add_chroot` when a request is encoded, and every
server path that comes back (created names, sync, multi results, watch
events, ephemerals) goes through :func:`strip_chroot`.
"""

from __future__ import annotations

import re

from zkrecipes.exceptions import InvalidPathError, InvalidTypeError

# Java checks UTF-16 code units; a character above U+FFFF is a surrogate pair
# there (inside the forbidden D800-F8FF range), so it is forbidden here too.
_FORBIDDEN = re.compile("[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\U0010ffff]")

#: Paths already found valid (a client uses the same few paths over and over):
#: a hit costs one dict lookup.  Bounded: emptied when it reaches the limit.
_VALID: dict[str, None] = {}
_VALID_LIMIT = 4096


def validate_path(path: object, sequential: bool = False) -> str:
    """Check ``path`` as the server would and return it unchanged.

    Rules: a ``str``; absolute; no empty segment (``//``); no trailing ``/``
    except for ``"/"`` itself; no ``.`` or ``..`` segment; no NUL and no
    character in U+0001..U+001F, U+007F..U+009F, U+D800..U+F8FF, U+FFF0..U+FFFF
    (nor above U+FFFF).  With ``sequential=True`` the server appends a counter,
    so a trailing ``/`` is allowed (``"/queue/"`` creates ``"/queue/0000000001"``).

    Raises :class:`~zkrecipes.exceptions.InvalidPathError` (a ``ValueError``)
    naming the rule that failed, or ``InvalidTypeError`` for a non-string.
    """
    if type(path) is str and path in _VALID:
        return path  # a valid path is valid for a sequential create too
    if not isinstance(path, str):
        raise InvalidTypeError(f"a znode path must be a str, not {type(path).__name__}")
    if not path:
        raise InvalidPathError("path must not be empty")
    if path[0] != "/":
        raise InvalidPathError(f"path must start with '/': {path!r}")
    checked = path + "1" if sequential else path
    if len(checked) == 1:
        return path
    if checked[-1] == "/":
        raise InvalidPathError(f"path must not end with '/': {path!r}")
    bad = _FORBIDDEN.search(checked)
    if bad is not None:
        char = bad.group()
        what = "null character" if char == "\x00" else f"invalid character {char!r} (U+{ord(char):04X})"
        raise InvalidPathError(f"{what} at index {bad.start()} in path {path!r}")
    if "//" in checked:
        raise InvalidPathError(f"empty node name (//) in path {path!r}")
    if "/." in checked:
        for segment in checked.split("/"):
            if segment in (".", ".."):
                raise InvalidPathError(f"relative segment {segment!r} not allowed in path {path!r}")
    if not sequential and type(path) is str:
        if len(_VALID) >= _VALID_LIMIT:
            _VALID.clear()
        _VALID[path] = None
    return path


def normalize_chroot(chroot: str | None) -> str:
    """Return the chroot prefix to use: ``""`` for none (``None``, ``""`` or ``"/"``).

    A non-empty chroot must be a valid path without a trailing slash.
    """
    if chroot is None or chroot in ("", "/"):
        return ""
    return validate_path(chroot)


def add_chroot(chroot: str, path: str) -> str:
    """Turn a client path into the server path (``chroot`` from :func:`normalize_chroot`)."""
    if not chroot:
        return path
    if path == "/":
        return chroot
    return chroot + path


def strip_chroot(chroot: str, path: str) -> str:
    """Turn a server path into the client path.

    The chroot itself becomes ``"/"``; a path outside the chroot (which the
    server never sends for this client) is returned unchanged.
    """
    if not chroot or not path.startswith(chroot):
        return path
    rest = path[len(chroot):]
    if not rest:
        return "/"
    if rest[0] == "/":
        return rest
    return path


def is_in_chroot(chroot: str, path: str) -> bool:
    """True when the server ``path`` is the chroot or below it (always true without chroot)."""
    return not chroot or path == chroot or path.startswith(chroot + "/")


def parent_paths(path: str) -> list[str]:
    """``path`` and each of its ancestors up to ``"/"``: ``/a/b`` → ``[/a/b, /a, /]``."""
    result = [path]
    while path != "/":
        cut = path.rfind("/")
        path = path[:cut] if cut > 0 else "/"
        result.append(path)
    return result


def join_path(parent: str, name: str) -> str:
    """The path of child ``name`` of ``parent``: ``("/", "a")`` → ``/a``, ``("/a", "b")`` → ``/a/b``.

    The one home of this rule: the client, the recipes and the tools all call it.
    """
    return f"/{name}" if parent == "/" else f"{parent}/{name}"


def split_path(path: str) -> tuple[str, str]:
    """``(parent, name)`` of ``path``: ``/a/b`` → ``("/a", "b")``, ``/a`` → ``("/", "a")``.

    A trailing slash (a sequential create's ``/q/``) gives the name ``""``:
    ``/q/`` → ``("/q", "")``. ``"/"`` gives ``("/", "")``.
    """
    cut = path.rfind("/")
    return (path[:cut] or "/"), path[cut + 1:]


def parent_path(path: str) -> str:
    """The parent of ``path`` (``"/"`` for ``"/"`` and for top-level nodes; ``/q`` for ``/q/``)."""
    return split_path(path)[0]
