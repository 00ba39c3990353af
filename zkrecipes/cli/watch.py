"""``watch PATH``: stream the events of a persistent watch until interrupted.

The watch is a persistent one (ZooKeeper 3.6+): on PATH itself (data and
child-list changes, creation, deletion) or, with ``--recursive``, on every node
below it. Each event is printed as it arrives, one line each (``--json``: one
JSON object a line), and stdout is flushed after each. A line ``watching PATH``
goes to stderr once the watch is registered. Ctrl-C (SIGINT) or SIGTERM ends
the command cleanly with exit status 0; a lost session (the server dropped
the watch with it) ends it with status 3.
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any

from zkrecipes.cli.errors import EXIT_CONNECT, EXIT_OK
from zkrecipes.client.protocol.opcodes import AddWatchMode, WatcherType
from zkrecipes.exceptions import ZkException
from zkrecipes.states import WatchedEvent, ZkState

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["format_event", "register"]

_DATA_EVENTS = frozenset({"CREATED", "DELETED", "CHANGED"})


def register(commands: Any, read: argparse.ArgumentParser) -> None:
    """Add ``watch``."""
    watch = commands.add_parser("watch", parents=[read], help="stream watch events on PATH until Ctrl-C")
    watch.add_argument("path")
    kind = watch.add_mutually_exclusive_group()
    kind.add_argument("--recursive", action="store_true",
                      help="every node below PATH too (persistent-recursive)")
    kind.add_argument("--data", action="store_true", help="only data events (created, deleted, changed)")
    kind.add_argument("--children", action="store_true", help="only child-list events")
    watch.set_defaults(func=run_watch)


def format_event(event: WatchedEvent, as_json: bool) -> str:
    """One output line for ``event``."""
    if as_json:
        return json.dumps({"type": str(event.type), "path": event.path, "state": str(event.state)})
    return f"{event.type} {event.path}"


def _wanted(args: argparse.Namespace, event: WatchedEvent) -> bool:
    if args.data:
        return str(event.type) in _DATA_EVENTS
    if args.children:
        return str(event.type) == "CHILD"
    return True


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def run_watch(args: argparse.Namespace, zk: ZkClient) -> int:
    events: queue.Queue[WatchedEvent | ZkState] = queue.Queue()
    mode = AddWatchMode.PERSISTENT_RECURSIVE if args.recursive else AddWatchMode.PERSISTENT
    zk.add_listener(events.put)
    zk.add_watch(args.path, events.put, mode)
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    print(f"watching {args.path}", file=sys.stderr, flush=True)
    try:
        while True:
            try:
                item = events.get(timeout=1.0)
            except queue.Empty:
                continue
            if isinstance(item, ZkState):
                print(f"connection {item}", file=sys.stderr, flush=True)
                if item is ZkState.LOST:
                    print("zkrecipes: session lost: the watch is gone", file=sys.stderr, flush=True)
                    return EXIT_CONNECT
                continue
            if _wanted(args, item):
                print(format_event(item, args.json), flush=True)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    kind = WatcherType.PERSISTENT_RECURSIVE if args.recursive else WatcherType.PERSISTENT
    try:
        zk.remove_watches(args.path, events.put, kind)
    except ZkException:  # best effort: the session ends next anyway (3.6-3.8 lack the watcher type)
        pass
    return EXIT_OK
