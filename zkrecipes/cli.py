"""A tiny command line: ``zkrecipes --hosts H ls|get|create|delete|stat PATH``.

Run as ``python -m zkrecipes.cli``. Exit status 0 on success, 1 for a
ZooKeeper error (printed on stderr), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from zkrecipes.exceptions import ZkException


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zkrecipes", description="Inspect and edit ZooKeeper nodes.")
    parser.add_argument("--hosts", default="127.0.0.1:2181", help="connection string (h1:p1,h2:p2/chroot)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a session")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ls", help="list the children of PATH").add_argument("path")
    commands.add_parser("get", help="print the data of PATH").add_argument("path")
    commands.add_parser("stat", help="print the Stat of PATH").add_argument("path")
    create = commands.add_parser("create", help="create PATH")
    create.add_argument("path")
    create.add_argument("data", nargs="?", default="", help="node data (UTF-8)")
    create.add_argument("--makepath", action="store_true", help="create missing parents")
    create.add_argument("--sequence", action="store_true", help="append a sequence number")
    delete = commands.add_parser("delete", help="delete PATH")
    delete.add_argument("path")
    delete.add_argument("--recursive", action="store_true", help="delete the whole subtree")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = _parser().parse_args(argv)
    from zkrecipes.client.client import ZkClient

    client = ZkClient(args.hosts, timeout=args.timeout)
    try:
        client.start(timeout=args.timeout)
        if args.command == "ls":
            for child in sorted(client.get_children(args.path)):
                print(child)
        elif args.command == "get":
            data, _ = client.get(args.path)
            sys.stdout.write(data.decode("utf-8", "replace") + "\n")
        elif args.command == "stat":
            stat = client.exists(args.path)
            if stat is None:
                print(f"{args.path}: no such node", file=sys.stderr)
                return 1
            for field, value in stat._asdict().items():
                print(f"{field} = {value}")
        elif args.command == "create":
            print(client.create(args.path, args.data.encode(), makepath=args.makepath,
                                sequence=args.sequence))
        elif args.command == "delete":
            client.delete(args.path, recursive=args.recursive)
        return 0
    except ZkException as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.stop()


if __name__ == "__main__":
    sys.exit(main())
