"""The job commands: ``lock PATH -- CMD...`` and ``elect PATH -- CMD...``.

``lock`` runs CMD while holding the lock at PATH (or, with ``--shared N``, one
of N leases of a semaphore); ``elect`` runs CMD only while this process is the
leader of the election at PATH. CMD gets ``ZK_FENCING_TOKEN`` (the czxid of
our lock/lease node: larger for every later holder) and ``ZK_LOCK_PATH``.

Guarantees:

* CMD starts only after the lock (lease, leadership) is held, and the exit
  status is CMD's own (128+N when a signal N ended it).
* If the session is lost while CMD runs — expired, or declared LOST by the
  client after a whole session timeout without a connection (the server has
  expired it by then, even if we cannot hear it) — CMD gets SIGTERM, then SIGKILL after
  ``--grace`` seconds, and the command exits with :data:`EXIT_LOST` (76) —
  ``elect --rejoin`` instead contends again and restarts CMD when elected.
* Not held within ``--timeout`` seconds: exit :data:`EXIT_NOT_ACQUIRED` (75),
  CMD never started.
* SIGINT/SIGTERM/SIGHUP are forwarded to CMD while it runs; before that they
  abandon the wait (exit 128+N). In every case the session is closed at exit,
  so our nodes are gone when the command has returned.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

from zkrecipes.cli.errors import EXIT_LOST, EXIT_NOT_ACQUIRED, EXIT_USAGE, CliError
from zkrecipes.cli.supervise import Child, Interrupted, Signals
from zkrecipes.exceptions import LockTimeout

if TYPE_CHECKING:
    from zkrecipes.client.client import ZkClient

__all__ = ["JOB_COMMANDS", "command_argv", "register"]

#: The commands whose CMD follows ``--`` on the command line.
JOB_COMMANDS = frozenset({"lock", "elect"})


def register(commands: Any, read: argparse.ArgumentParser) -> None:
    """Add ``lock`` and ``elect``."""
    lock = commands.add_parser("lock", help="run CMD while holding the lock at PATH",
                               usage="zkrecipes lock PATH [options] -- CMD [ARGS...]")
    lock.add_argument("path")
    lock.add_argument("--timeout", type=float, default=None, dest="lock_timeout", metavar="S",
                      help=f"give up after S seconds (exit {EXIT_NOT_ACQUIRED}); default: wait forever")
    lock.add_argument("--shared", type=int, default=None, metavar="N",
                      help="take one of N leases of a semaphore instead of an exclusive lock")
    _job_options(lock)
    lock.set_defaults(func=run_lock)

    elect = commands.add_parser("elect", help="run CMD only while leader of the election at PATH",
                                usage="zkrecipes elect PATH [options] -- CMD [ARGS...]")
    elect.add_argument("path")
    elect.add_argument("--rejoin", action="store_true",
                       help="after leadership is lost, contend again (and rerun CMD when elected)")
    _job_options(elect)
    elect.set_defaults(func=run_elect)


def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", dest="identifier", default=None,
                        help="identifier stored in our node (default: HOSTNAME:PID)")
    parser.add_argument("--grace", type=float, default=10.0, metavar="S",
                        help="seconds from SIGTERM to SIGKILL when the lock is lost (default %(default)s)")
    parser.set_defaults(command=[])


def command_argv(args: argparse.Namespace) -> list[str]:
    """CMD and its arguments (what followed ``--``); CliError (exit 2) when missing."""
    argv = list(args.command)
    if not argv:
        usage = f"zkrecipes {args.name} PATH -- CMD ARGS..."
        raise CliError(f"{args.name}: no command given ({usage})", EXIT_USAGE)
    return argv


def _identifier(args: argparse.Namespace) -> str:
    return args.identifier or f"{socket.gethostname()}:{os.getpid()}"


def _env(path: str, token: int | None) -> dict[str, str]:
    env = dict(os.environ)
    env["ZK_LOCK_PATH"] = path
    if token is not None:
        env["ZK_FENCING_TOKEN"] = str(token)
    return env


class _Lost:
    """Why the lock (leadership) was lost, once it was; the recipe's ``on_lost`` callback."""

    def __init__(self, wake: threading.Event) -> None:
        self.wake = wake
        self.reason: str | None = None

    def __call__(self, reason: object = "session lost") -> None:
        if self.reason is None:
            self.reason = reason if isinstance(reason, str) else "session lost"
        self.wake.set()


def _supervise(child: Child, lost: _Lost, grace: float) -> int | None:
    """Wait for CMD to exit (its status) or the lock to be lost (None, CMD stopped)."""
    while not lost.wake.wait(1.0):
        pass
    if child.exited:
        return child.status()
    if lost.reason is not None:
        print(f"zkrecipes: lock lost ({lost.reason}); stopping the command "
              f"(SIGTERM, SIGKILL after {grace:g} s)", file=sys.stderr, flush=True)
        child.stop(grace)
        return None
    return child.status()


def run_lock(args: argparse.Namespace, zk: ZkClient) -> int:
    argv = command_argv(args)
    if args.shared is not None and args.shared < 1:
        raise CliError("--shared needs N >= 1", EXIT_USAGE)
    wake = threading.Event()
    lost = _Lost(wake)
    ident = _identifier(args)
    recipe: Any
    if args.shared is None:
        recipe = zk.Lock(args.path, ident, on_lost=lost)
    else:
        recipe = zk.Semaphore(args.path, ident, max_leases=args.shared, on_lost=lost)
    with Signals() as signals:
        try:
            recipe.acquire(timeout=args.lock_timeout)
        except LockTimeout:
            print(f"zkrecipes: lock {args.path} not acquired within {args.lock_timeout:g} s",
                  file=sys.stderr)
            return EXIT_NOT_ACQUIRED
        except Interrupted as exc:
            return 128 + exc.signum
        if args.shared is None:
            token = recipe.fencing_token
        else:
            stat = zk.exists(recipe.create_path)
            token = stat.czxid if stat is not None else None
        signals.child = Child(argv, _env(args.path, token), wake)
        status = _supervise(signals.child, lost, args.grace)
    if status is None:
        return EXIT_LOST
    if recipe.is_acquired:
        recipe.release()
    return status


def run_elect(args: argparse.Namespace, zk: ZkClient) -> int:
    argv = command_argv(args)
    election = zk.Election(args.path, _identifier(args))
    outcome: list[int | None] = []

    def lead(signals: Signals) -> None:
        wake = threading.Event()
        lost = _Lost(wake)

        def watch_leadership() -> None:
            election.leadership_lost.wait()
            lost("leadership lost")

        signals.child = Child(argv, _env(args.path, election.lock.fencing_token), wake)
        threading.Thread(target=watch_leadership, name="zkrecipes-leader", daemon=True).start()
        print(f"zkrecipes: leader of {args.path}; running the command", file=sys.stderr, flush=True)
        outcome.append(_supervise(signals.child, lost, args.grace))
        signals.child = None

    with Signals() as signals:
        try:
            while True:
                outcome.clear()
                election.run(lead, signals)
                status = outcome[0] if outcome else None
                if status is not None:
                    return status
                if not args.rejoin:
                    return EXIT_LOST
                print(f"zkrecipes: leadership of {args.path} lost; rejoining", file=sys.stderr, flush=True)
        except Interrupted as exc:
            return 128 + exc.signum
