"""Znode path normalisation (kazoo's rule, ZooKeeper's characters) and the chroot helpers.

The chroot is applied in exactly one place, the protocol session: client paths
are prefixed with :func:`add_chroot` when a request is encoded, and every
server path that comes back (created names, sync, multi results, watch
events, ephemerals) goes through :func:`strip_chroot`.
"""

from __future__ import annotations

import re

from zkrecipes.exceptions import InvalidPathCharacterError, InvalidPathError, InvalidTypeError

# Java checks UTF-16 code units; a character above U+FFFF is a surrogate pair
# there (inside the forbidden D800-F8FF range), so it is forbidden here too.
_FORBIDDEN = re.compile("[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\U0010ffff]")

#: Paths already normalised (a client uses the same few paths over and over):
#: a hit costs one dict lookup.  Bounded: emptied when it reaches the limit.
_DONE: dict[str, str] = {}
_DONE_SEQUENTIAL: dict[str, str] = {}
_DONE_LIMIT = 4096


def normalize_path(path: object, sequential: bool = False) -> str:
    """Return the absolute, normalised form of a client path (kazoo's rule).

    Empty segments vanish and the path becomes absolute: ``"a"`` → ``"/a"``,
    ``"/a//b/"`` → ``"/a/b"``, ``""`` → ``"/"``.  With ``sequential=True`` a
    trailing ``/`` is kept (the server appends the counter to it:
    ``"/q/"`` creates ``"/q/0000000001"``).

    Raises :class:`~zkrecipes.exceptions.InvalidTypeError` (a ``TypeError``) for
    a non-string, :class:`~zkrecipes.exceptions.InvalidPathError` (a
    ``ValueError``, as kazoo) for a ``.`` or ``..`` segment, and
    :class:`~zkrecipes.exceptions.InvalidPathCharacterError` (also a
    ``BadArgumentsError``, what the server answers) for NUL, a character in
    U+0001..U+001F, U+007F..U+009F, U+D800..U+F8FF, U+FFF0..U+FFFF or above U+FFFF.
    """
    done = _DONE_SEQUENTIAL if sequential else _DONE
    if type(path) is str:
        hit = done.get(path)
        if hit is not None:
            return hit
    elif not isinstance(path, str):
        raise InvalidTypeError(f"a znode path must be a str, not {type(path).__name__}")
    names = [name for name in path.split("/") if name]
    if "." in names or ".." in names:
        raise InvalidPathError(f"relative paths not allowed: {path!r}")
    result = "/" + "/".join(names)
    if sequential and names and path.endswith("/"):
        result += "/"
    bad = _FORBIDDEN.search(result)
    if bad is not None:
        char = bad.group()
        what = "null character" if char == "\x00" else f"invalid character {char!r} (U+{ord(char):04X})"
        raise InvalidPathCharacterError(f"{what} in path {path!r}")
    if type(path) is str:
        if len(done) >= _DONE_LIMIT:
            done.clear()
        done[path] = result
    return result


#: The former name: checking a path is normalising it.
validate_path = normalize_path


def normalize_chroot(chroot: str | None) -> str:
    """Return the chroot prefix to use: ``""`` for none (``None``, ``""`` or ``"/"``).

    Normalised like any path (``"app/"`` → ``"/app"``); the root means no chroot.
    """
    if chroot is None:
        return ""
    root = normalize_path(chroot)
    return "" if root == "/" else root


def add_chroot(chroot: str, path: str, sequential: bool = False) -> str:
    """Turn a client path into the server path (``chroot`` from :func:`normalize_chroot`).

    ``"/"`` is the chroot node itself, except as the prefix of a sequential
    create, where it names the chroot's children (``"/app/0000000001"``).
    """
    if not chroot:
        return path
    if path == "/":
        return chroot + "/" if sequential else chroot
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
