"""Output formatting shared by the commands: stats, ACLs, tables, JSON.

Pure functions (no client, no I/O except :func:`emit`), unit-tested on their own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from zkrecipes.security import ACL, Id, Permissions
from zkrecipes.states import ZnodeStat

__all__ = [
    "acl_to_json", "emit_json", "format_acl", "format_perms", "format_stat", "node_kind", "parse_acl",
    "parse_perms", "stat_to_json", "table",
]

_PERM_LETTERS = (("c", Permissions.CREATE), ("d", Permissions.DELETE), ("r", Permissions.READ),
                 ("w", Permissions.WRITE), ("a", Permissions.ADMIN))
_CONTAINER_OWNER = 1 << 63          # ZooKeeper's marker for container nodes (Long.MIN_VALUE)
_TTL_MASK = 0xFF << 56               # TTL nodes: top byte all ones, the TTL in the low 56 bits


def emit_json(value: Any) -> None:
    """Print ``value`` as one JSON document on stdout."""
    sys.stdout.write(json.dumps(value, sort_keys=True) + "\n")


def format_perms(perms: int) -> str:
    """``cdrwa`` letters for permission bits (zkCli's spelling), ``-`` for none."""
    return "".join(letter for letter, bit in _PERM_LETTERS if perms & bit) or "-"


def parse_perms(text: str) -> int:
    """The permission bits for ``cdrwa`` letters (or ``all``); ValueError for other letters."""
    if text.lower() == "all":
        return Permissions.ALL
    bits = 0
    letters = dict(_PERM_LETTERS)
    for letter in text:
        if letter not in letters:
            raise ValueError(f"unknown permission {letter!r} in {text!r} (use letters of cdrwa)")
        bits |= letters[letter]
    return bits


def format_acl(acl: ACL) -> str:
    """``scheme:id:perms`` (``world:anyone:cdrwa``): the form :func:`parse_acl` reads."""
    return f"{acl.id.scheme}:{acl.id.id}:{format_perms(acl.perms)}"


def parse_acl(text: str) -> ACL:
    """One ``scheme:id:perms`` entry; the id may contain ``:`` (digest ``user:hash``, ipv6)."""
    scheme, sep, rest = text.partition(":")
    ident, sep2, perms = rest.rpartition(":")
    if not (sep and sep2 and scheme):
        raise ValueError(f"expected scheme:id:perms, got {text!r}")
    return ACL(parse_perms(perms), Id(scheme, ident))


def acl_to_json(acl: ACL) -> dict[str, Any]:
    """``{"scheme", "id", "perms"}`` with perms as letters."""
    return {"scheme": acl.id.scheme, "id": acl.id.id, "perms": format_perms(acl.perms)}


def acl_from_json(entry: Mapping[str, Any]) -> ACL:
    """The inverse of :func:`acl_to_json` (ValueError for a malformed entry)."""
    try:
        return ACL(parse_perms(str(entry["perms"])), Id(str(entry["scheme"]), str(entry["id"])))
    except KeyError as exc:
        raise ValueError(f"ACL entry without {exc}") from None


def node_kind(stat: ZnodeStat) -> tuple[str, int | None]:
    """``(kind, ttl_ms)``: kind is persistent, ephemeral, container or ttl (from ephemeralOwner)."""
    owner = stat.ephemeralOwner & ((1 << 64) - 1)  # the server's signed long, as unsigned
    if owner == 0:
        return "persistent", None
    if owner == _CONTAINER_OWNER:
        return "container", None
    if owner & _TTL_MASK == _TTL_MASK:
        return "ttl", owner & ~_TTL_MASK
    return "ephemeral", None


def stat_to_json(stat: ZnodeStat) -> dict[str, Any]:
    """The Stat fields by their ZooKeeper names."""
    return dict(stat._asdict())


def format_stat(stat: ZnodeStat) -> str:
    """zkCli-like ``name = value`` lines (zxids and the owner in hex)."""
    lines = []
    for name, value in stat._asdict().items():
        if name in ("czxid", "mzxid", "pzxid", "ephemeralOwner"):
            lines.append(f"{name} = 0x{value & ((1 << 64) - 1):x}")
        else:
            lines.append(f"{name} = {value}")
    return "\n".join(lines)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A left-aligned text table with a header line; cells are ``str()``-ed, None shown as ``-``."""
    cells = [[("-" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)
