"""Node commands: ``ls``, ``tree``, ``get``, ``set``, ``create``, ``delete``, ``stat``.

Each command reads or writes exactly what it names; read commands take
``--json``. A server error is reported for the path the command was given
(``KeeperErrorCode = NoNode for /a``) unless a deeper path is known.
"""

from __future__ import annotations

import argparse
import base64
import sys
from typing import TYPE_CHECKING, Any

from zkrecipes.cli.errors import EXIT_OK
from zkrecipes.cli.output import emit_json, format_stat, stat_to_json
from zkrecipes.client.protocol.paths import join_path
from zkrecipes.exceptions import NoNodeError

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["register", "tree_json", "tree_lines"]


def register(commands: Any, read: argparse.ArgumentParser) -> None:
    """Add the node commands to the ``commands`` sub-parsers (``read`` adds ``--json``)."""
    ls = commands.add_parser("ls", parents=[read], help="list the children of PATH")
    ls.add_argument("path")
    ls.set_defaults(func=run_ls)

    tree = commands.add_parser("tree", parents=[read],
                               help="the subtree of PATH with data sizes and child counts")
    tree.add_argument("path", nargs="?", default="/")
    tree.add_argument("--depth", type=int, default=None, help="levels below PATH to show (default: all)")
    tree.set_defaults(func=run_tree)

    get = commands.add_parser("get", parents=[read], help="print the data of PATH")
    get.add_argument("path")
    get.add_argument("--raw", action="store_true", help="write the bytes exactly (no newline added)")
    get.set_defaults(func=run_get)

    stat = commands.add_parser("stat", parents=[read], help="print the Stat of PATH")
    stat.add_argument("path")
    stat.set_defaults(func=run_stat)

    set_ = commands.add_parser("set", help="set the data of PATH")
    set_.add_argument("path")
    _data_arguments(set_)
    set_.add_argument("--version", type=int, default=-1, dest="node_version",
                      help="only if the node's version is this (default: any)")
    set_.set_defaults(func=run_set)

    create = commands.add_parser("create", help="create PATH, print the path created")
    create.add_argument("path")
    _data_arguments(create)
    create.add_argument("--ephemeral", action="store_true", help="delete with this session (i.e. at exit)")
    create.add_argument("--sequence", action="store_true", help="append a 10-digit sequence number")
    create.add_argument("--makepath", action="store_true", help="create missing parents")
    create.add_argument("--ttl", type=int, metavar="MS", help="a TTL node, deleted MS ms after it is empty")
    create.add_argument("--container", action="store_true", help="a container node (deleted once emptied)")
    create.set_defaults(func=run_create)

    delete = commands.add_parser("delete", help="delete PATH")
    delete.add_argument("path")
    delete.add_argument("-r", "--recursive", action="store_true", help="delete the whole subtree")
    delete.add_argument("--version", type=int, default=-1, dest="node_version",
                        help="only if the node's version is this (default: any)")
    delete.set_defaults(func=run_delete)


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", nargs="?", default=None, help="node data (UTF-8 text)")
    parser.add_argument("--file", metavar="FILE", help="read the data from FILE ('-' for stdin)")


def read_data(args: argparse.Namespace) -> bytes:
    """The data given as argument or ``--file`` (empty when neither)."""
    if args.file is not None:
        if args.file == "-":
            return sys.stdin.buffer.read()
        with open(args.file, "rb") as handle:
            return handle.read()
    return (args.data or "").encode("utf-8")


def run_ls(args: argparse.Namespace, zk: ZkClient) -> int:
    children = sorted(zk.get_children(args.path))
    if args.json:
        emit_json(children)
    else:
        for child in children:
            print(child)
    return EXIT_OK


def _walk(zk: ZkClient, path: str, depth: int | None) -> dict[str, Any] | None:
    """The node at ``path`` and its subtree (None if it vanished meanwhile)."""
    stat = zk.exists(path)
    if stat is None:
        return None
    node: dict[str, Any] = {"path": path, "size": stat.dataLength, "num_children": stat.numChildren,
                            "children": []}
    if depth is not None and depth <= 0:
        return node
    try:
        names = sorted(zk.get_children(path))
    except NoNodeError:
        return node
    for name in names:
        child = _walk(zk, join_path(path, name), None if depth is None else depth - 1)
        if child is not None:
            node["children"].append(child)
    return node


def tree_lines(node: dict[str, Any], indent: int = 0) -> list[str]:
    """One line per node: name, data size and child count, indented by depth."""
    name = node["path"] if indent == 0 else node["path"].rsplit("/", 1)[-1]
    noun = "child" if node["num_children"] == 1 else "children"
    lines = [f"{'  ' * indent}{name}  [{node['size']} B, {node['num_children']} {noun}]"]
    for child in node["children"]:
        lines += tree_lines(child, indent + 1)
    return lines


def tree_json(node: dict[str, Any]) -> dict[str, Any]:
    """The node dict as printed by ``tree --json`` (children nested)."""
    return {**node, "children": [tree_json(child) for child in node["children"]]}


def run_tree(args: argparse.Namespace, zk: ZkClient) -> int:
    node = _walk(zk, args.path, args.depth)
    if node is None:
        raise NoNodeError()
    if args.json:
        emit_json(tree_json(node))
    else:
        print("\n".join(tree_lines(node)))
    return EXIT_OK


def run_get(args: argparse.Namespace, zk: ZkClient) -> int:
    raw, stat = zk.get(args.path)
    data = raw or b""  # null data (None) shows as empty
    if args.json:
        try:
            text: str | None = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        emit_json({"path": args.path, "data": text, "data_b64": base64.b64encode(data).decode("ascii"),
                   "stat": stat_to_json(stat)})
        return EXIT_OK
    out = sys.stdout.buffer
    out.write(data)
    if not args.raw and not data.endswith(b"\n"):
        out.write(b"\n")
    out.flush()
    return EXIT_OK


def run_stat(args: argparse.Namespace, zk: ZkClient) -> int:
    stat = zk.exists(args.path)
    if stat is None:
        raise NoNodeError()
    if args.json:
        emit_json(stat_to_json(stat))
    else:
        print(format_stat(stat))
    return EXIT_OK


def run_set(args: argparse.Namespace, zk: ZkClient) -> int:
    zk.set(args.path, read_data(args), version=args.node_version)
    return EXIT_OK


def run_create(args: argparse.Namespace, zk: ZkClient) -> int:
    created = zk.create(args.path, read_data(args), ephemeral=args.ephemeral, sequence=args.sequence,
                        makepath=args.makepath, ttl=args.ttl, container=args.container)
    print(created)
    return EXIT_OK


def run_delete(args: argparse.Namespace, zk: ZkClient) -> int:
    zk.delete(args.path, version=args.node_version, recursive=args.recursive)
    return EXIT_OK
