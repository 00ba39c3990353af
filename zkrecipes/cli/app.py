"""The ``zkrecipes`` command: the parser, and running one command with its exit status.

Every failure ends as one line on stderr, ``zkrecipes: <message>``, and an
exit status from :mod:`zkrecipes.cli.errors`: server errors in the Java
client's words with the path (``KeeperErrorCode = NoNode for /a``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from zkrecipes import __version__
from zkrecipes.cli import acl, dump, health, jobs, nodes, watch
from zkrecipes.cli.connect import add_global_options, connect
from zkrecipes.cli.errors import EXIT_CONNECT, EXIT_ERROR, EXIT_USAGE, CliError, describe
from zkrecipes.cli.supervise import CannotRun, Interrupted
from zkrecipes.exceptions import (
    ConnectionLoss,
    SessionExpiredError,
    ZkException,
    ZkTimeoutError,
    ZookeeperError,
)

__all__ = ["build_parser", "main", "parse"]

EPILOG = ("exit status: 0 ok, 1 ZooKeeper error, 2 usage, 3 no session, 4 unhealthy (health), "
          "75 not acquired in time, 76 lock lost (lock, elect); see docs/cli.md")


def build_parser() -> argparse.ArgumentParser:
    """The full parser (global options, then one sub-command)."""
    parser = argparse.ArgumentParser(
        prog="zkrecipes", epilog=EPILOG,
        description="Inspect and edit ZooKeeper; run jobs under a distributed lock or election.")
    parser.add_argument("--version", action="version", version=f"zkrecipes {__version__}")
    add_global_options(parser)
    read = argparse.ArgumentParser(add_help=False)
    read.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                      help="machine-readable output")
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")
    for module in (nodes, watch, acl, dump, health, jobs):
        module.register(commands, read)
    return parser


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse ``argv``; for ``lock``/``elect`` everything after the first ``--`` is CMD."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    head, tail = words, []
    if "--" in words:
        cut = words.index("--")
        head, tail = words[:cut], words[cut + 1:]
    args = parser.parse_args(head)
    if args.name in jobs.JOB_COMMANDS:
        args.command = tail
    elif tail:
        args = parser.parse_args(words)
    return args


def _log_to_stderr(verbose: bool) -> Callable[[], None]:
    """The library's warnings (INFO with ``--verbose``) as ``zkrecipes: ...`` lines on stderr.

    Returns the undo: :func:`main` restores the logger's level and handlers when it returns,
    so a command run in-process (tests, an embedding program) leaves logging as it found it.
    """
    logger = logging.getLogger("zkrecipes")
    level, added = logger.level, None
    if not logger.handlers:
        added = logging.StreamHandler(sys.stderr)
        added.setFormatter(logging.Formatter("zkrecipes: %(message)s"))
        logger.addHandler(added)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)

    def undo() -> None:
        logger.setLevel(level)
        if added is not None:
            logger.removeHandler(added)

    return undo


def _report(message: str) -> None:
    print(f"zkrecipes: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (never raises, except SystemExit from --help)."""
    args = parse(argv)
    restore_logging = _log_to_stderr(args.verbose)
    path = getattr(args, "path", None)
    zk = None
    try:
        if getattr(args, "needs_client", True):
            zk = connect(args)
        status: int = args.func(args, zk)
        return status
    except CliError as exc:
        _report(str(exc))
        return exc.code
    except CannotRun as exc:
        _report(str(exc))
        return exc.status
    except Interrupted as exc:  # a signal between acquiring and starting CMD
        return 128 + exc.signum
    except (SessionExpiredError, ConnectionLoss) as exc:
        _report(describe(exc, path))
        return EXIT_CONNECT
    except ZookeeperError as exc:
        _report(describe(exc, path))
        return EXIT_ERROR
    except ZkTimeoutError as exc:
        _report(f"timed out: {exc}")
        return EXIT_CONNECT
    except ZkException as exc:
        _report(f"{type(exc).__name__}: {exc}")
        return EXIT_ERROR
    except (OSError, ValueError) as exc:  # files given to set/load/dump, a CMD that cannot start
        _report(str(exc))
        return EXIT_USAGE if isinstance(exc, ValueError) else EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    finally:
        if zk is not None:
            zk.stop()
            zk.close()
        restore_logging()
