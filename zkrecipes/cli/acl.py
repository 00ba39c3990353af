"""``acl get PATH`` and ``acl set PATH ENTRY...`` (entries as ``scheme:id:perms``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from zkrecipes.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from zkrecipes.cli.output import acl_to_json, emit_json, format_acl, parse_acl

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["register"]


def register(commands: Any, read: argparse.ArgumentParser) -> None:
    """Add ``acl get`` and ``acl set``."""
    acl = commands.add_parser("acl", help="read or replace the ACL of a node")
    actions = acl.add_subparsers(dest="acl_action", required=True)
    get = actions.add_parser("get", parents=[read], help="print the ACL of PATH, one scheme:id:perms a line")
    get.add_argument("path")
    get.set_defaults(func=run_get)
    set_ = actions.add_parser("set", help="replace the ACL of PATH")
    set_.add_argument("path")
    set_.add_argument("entries", nargs="+", metavar="SCHEME:ID:PERMS",
                      help="e.g. world:anyone:r digest:bob:<hash>:cdrwa (perms: letters of cdrwa)")
    set_.add_argument("--version", type=int, default=-1, dest="node_version",
                      help="only if the ACL version is this (default: any)")
    set_.set_defaults(func=run_set)


def run_get(args: argparse.Namespace, zk: ZkClient) -> int:
    acls, _stat = zk.get_acls(args.path)
    if args.json:
        emit_json([acl_to_json(a) for a in acls])
    else:
        for entry in acls:
            print(format_acl(entry))
    return EXIT_OK


def run_set(args: argparse.Namespace, zk: ZkClient) -> int:
    try:
        acls = [parse_acl(text) for text in args.entries]
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    zk.set_acls(args.path, acls, version=args.node_version)
    return EXIT_OK
