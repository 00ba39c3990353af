"""``dump PATH`` and ``load PATH FILE``: a subtree to and from JSON.

The document (``"format": "zkrecipes-dump/1"``) lists the nodes in pre-order
(parents before children), each with its path relative to the dumped root
(``""`` for the root itself), its data in base64, its ACL and its kind
(persistent, ephemeral, container, ttl with ``ttl_ms``). ``load`` creates the
nodes under its PATH in that order with their data, then sets each ACL,
children before parents (so a restrictive ACL on a parent cannot block the
load of its children). Ephemeral nodes are skipped (they would die with the
loading session) unless ``--ephemerals persistent``; an existing node is an
error unless ``--overwrite`` (then its data and ACL are replaced).
Servers hide the hash of a digest ACL from a client without ADMIN permission
on the node (it reads ``user:x``); ``dump`` warns about each such node —
authenticate with ``--digest`` to dump those ACLs faithfully.
The server's own ``/zookeeper`` subtree is never dumped.
``--dry-run`` prints what would be done and changes nothing. On a terminal,
trees of more than :data:`PROGRESS_MIN` nodes show a progress line on stderr.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from zkrecipes.cli.errors import EXIT_ERROR, EXIT_OK, CliError, describe
from zkrecipes.cli.output import acl_from_json, acl_to_json, node_kind
from zkrecipes.exceptions import NodeExistsError, NoNodeError, ZookeeperError

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["FORMAT", "dump_tree", "load_plan", "register"]

FORMAT = "zkrecipes-dump/1"
PROGRESS_MIN = 200
#: The server's own subtree (quotas, config): never dumped.
SYSTEM_TREE = "/zookeeper"


def register(commands: Any, read: argparse.ArgumentParser) -> None:
    """Add ``dump`` and ``load``."""
    dump = commands.add_parser("dump", help="write the subtree of PATH as JSON (data, ACLs, node kinds)")
    dump.add_argument("path")
    dump.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    dump.set_defaults(func=run_dump)
    load = commands.add_parser("load", help="create the nodes of a dump under PATH")
    load.add_argument("path")
    load.add_argument("file", help="the dump ('-' for stdin)")
    load.add_argument("--dry-run", action="store_true", help="print what would be done, change nothing")
    load.add_argument("--overwrite", action="store_true", help="replace data and ACL of existing nodes")
    load.add_argument("--ephemerals", choices=("skip", "persistent"), default="skip",
                      help="what to do with nodes that were ephemeral (default: skip)")
    load.set_defaults(func=run_load)


class _Progress:
    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.count = 0
        self.shown = False

    def step(self, total: int | None = None) -> None:
        self.count += 1
        if not sys.stderr.isatty() or (total or self.count) < PROGRESS_MIN or self.count % 50:
            return
        of = f"/{total}" if total else ""
        sys.stderr.write(f"\r{self.verb} {self.count}{of} nodes")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _relative(root: str, path: str) -> str:
    if path == root:
        return ""
    return path[len(root):] if root != "/" else path


def dump_tree(zk: ZkClient, root: str) -> dict[str, Any]:
    """The dump document for the subtree at ``root`` (NoNodeError if it does not exist)."""
    progress = _Progress("dumped")
    nodes: list[dict[str, Any]] = []
    pending = [root]
    while pending:
        path = pending.pop()
        try:
            data, stat = zk.get(path)
            acls, _ = zk.get_acls(path)
            children = zk.get_children(path)
        except NoNodeError:
            if path == root:
                raise
            continue  # deleted while we walked
        if any(a.id.scheme == "digest" and a.id.id.endswith(":x") for a in acls):
            print(f"zkrecipes: warning: the server masked a digest ACL of {path} (needs ADMIN "
                  "permission: authenticate with --digest); the dump cannot restore it", file=sys.stderr)
        kind, ttl = node_kind(stat)
        entry: dict[str, Any] = {"path": _relative(root, path), "kind": kind,
                                 "data": base64.b64encode(data or b"").decode("ascii"),
                                 "acl": [acl_to_json(a) for a in acls]}
        if ttl is not None:
            entry["ttl_ms"] = ttl
        nodes.append(entry)
        progress.step()
        base = "" if path == "/" else path
        pending.extend(f"{base}/{name}" for name in sorted(children, reverse=True)
                       if f"{base}/{name}" != SYSTEM_TREE)
    progress.done()
    return {"format": FORMAT, "root": root, "nodes": nodes}


def run_dump(args: argparse.Namespace, zk: ZkClient) -> int:
    text = json.dumps(dump_tree(zk, args.path), indent=1, sort_keys=True) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def load_plan(document: Any, target: str, ephemerals: str = "skip") -> Iterator[tuple[str, dict[str, Any]]]:
    """``(absolute path, node entry)`` to create, in order; CliError for a malformed document."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CliError(f"not a {FORMAT} document", EXIT_ERROR)
    nodes = document.get("nodes")
    if not isinstance(nodes, list):
        raise CliError("malformed dump: no node list", EXIT_ERROR)
    base = "" if target == "/" else target
    for entry in nodes:
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)):
            raise CliError(f"malformed dump entry: {entry!r}", EXIT_ERROR)
        if entry.get("kind") == "ephemeral" and ephemerals == "skip":
            continue
        rel = entry["path"]
        if rel and not rel.startswith("/"):
            raise CliError(f"malformed dump entry path: {rel!r}", EXIT_ERROR)
        yield (base + rel) or "/", entry


def _create(zk: ZkClient, path: str, entry: dict[str, Any], overwrite: bool) -> str:
    data = base64.b64decode(entry.get("data", ""), validate=True)
    kind = entry.get("kind", "persistent")
    try:
        zk.create(path, data, container=kind == "container", makepath=entry["path"] == "",
                  ttl=entry.get("ttl_ms") if kind == "ttl" else None)
        return "created"
    except NodeExistsError:
        if not overwrite and entry["path"] != "":
            raise
        if overwrite:
            zk.set(path, data)
            return "updated"
        return "exists"


@contextlib.contextmanager
def _at(path: str) -> Iterator[None]:
    """Report a server error for ``path`` (the node being written), not the command's PATH."""
    try:
        yield
    except ZookeeperError as exc:
        raise CliError(describe(exc, path), EXIT_ERROR) from None


def run_load(args: argparse.Namespace, zk: ZkClient) -> int:
    if args.file == "-":
        document = json.load(sys.stdin)
    else:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
    plan = list(load_plan(document, args.path, args.ephemerals))
    if args.dry_run:
        for path, entry in plan:
            acl = " ".join(f"{a['scheme']}:{a['id']}:{a['perms']}" for a in entry.get("acl", []))
            size = len(base64.b64decode(entry.get("data", "")))
            print(f"create {path}  [{entry.get('kind', 'persistent')}, {size} B, acl {acl or '-'}]")
        print(f"{len(plan)} nodes (dry run: nothing changed)")
        return EXIT_OK
    progress = _Progress("loaded")
    written: list[tuple[str, dict[str, Any]]] = []
    for path, entry in plan:
        with _at(path):
            if _create(zk, path, entry, args.overwrite) != "exists":
                written.append((path, entry))
        progress.step(len(plan))
    for path, entry in reversed(written):
        if "acl" in entry:
            with _at(path):
                zk.set_acls(path, [acl_from_json(a) for a in entry["acl"]])
    progress.done()
    return EXIT_OK
