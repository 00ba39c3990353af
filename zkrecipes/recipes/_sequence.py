"""Sequence-node names: reading ZooKeeper's 10-digit suffix and ordering contenders by it.

Pure functions on names, no client. ZooKeeper appends ``%010d`` of the
parent's counter to a sequential create; once the counter wraps past 2**31-1
the suffix is negative (``-2147483648``). Numbers are compared as integers,
never as strings.

The acquire loop decides with :mod:`zkrecipes.recipes._predicates` (contenders
parsed once, with their kind). :func:`nearest_lower` / :func:`predecessor` are
the same rule as a single scan; they stay as the reference the policies are
property-tested against (``tests/test_recipes_predicates.py``) and because
``tests/test_recipes_support.py`` pins their behaviour. :class:`Restart` is
the loop's "start over with a fresh node" signal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zkrecipes.client.protocol.paths import join_path

__all__ = [
    "Restart",
    "child_path",
    "contender_regex",
    "nearest_lower",
    "predecessor",
    "sequence_number",
    "sort_by_sequence",
]

_SEQUENCE_RE = re.compile(r"(\d{10})$")


class Restart(Exception):
    """Internal: start the acquisition over with a fresh contender node."""


def child_path(parent: str, name: str) -> str:
    """:func:`~zkrecipes.client.protocol.paths.join_path` that also accepts a trailing slash on ``parent``."""
    return join_path(parent.rstrip("/") or "/", name)


def sequence_number(name: str, prefix: str = "") -> int | None:
    """Return the sequence number ZooKeeper appended to ``prefix`` at the end of ``name``, else None.

    The suffix is 10 digits (``%010d``); once a parent's counter wraps past
    2**31-1 it is negative, ``-2147483648``. A minus sign is read as the sign
    only when ``prefix`` (the name the creator gave, e.g. ``"__lock__"``) is
    known: otherwise it cannot be told from a separator such as ``entry-100-``,
    and only the 10 digits are read.
    """
    pattern = contender_regex([prefix]) if prefix else _SEQUENCE_RE
    match = pattern.search(name)
    return int(match.group(1)) if match else None


def contender_regex(names: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching ``<any of names><10-digit sequence>`` at a name's end; group 1 is the number."""
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    return re.compile(rf"(?:{alternatives})(-?\d{{10}})$")


def sort_by_sequence(names: Iterable[str], pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """``(sequence, name)`` for every name ``pattern`` matches, in sequence order.

    Names the pattern does not match are left out; group 1 of the pattern must
    be the sequence number.
    """
    return sorted(
        (int(match.group(1)), name) for name in names if (match := pattern.search(name)) is not None
    )


def predecessor(node: str, names: Iterable[str], pattern: re.Pattern[str], node_prefix: str) -> str | None:
    """The name matching ``pattern`` with the largest sequence below ``node``'s, else None.

    ``node`` is a contender created as ``…<node_prefix><sequence>``; it never
    counts itself. Raises :class:`Restart` when ``node`` carries no such
    sequence number (a contender must then start over).
    """
    return nearest_lower(node, names, pattern, node_prefix)[0]


def nearest_lower(
    node: str, names: Iterable[str], pattern: re.Pattern[str], node_prefix: str
) -> tuple[str | None, int]:
    """``(predecessor, count)``: :func:`predecessor` and how many matching names sort below ``node``.

    A count of 1 means the predecessor is the only contender ahead: since
    ZooKeeper gives later nodes larger sequence numbers, once that node is
    deleted none is ahead any more. Raises :class:`Restart` like
    :func:`predecessor`.
    """
    mine = sequence_number(node, node_prefix)
    if mine is None:
        raise Restart
    best: str | None = None
    best_seq = 0
    count = 0
    for name in names:
        match = pattern.search(name)
        if match is None or name == node:
            continue
        seq = int(match.group(1))
        if seq < mine:
            count += 1
            if best is None or seq > best_seq:
                best, best_seq = name, seq
    return best, count
