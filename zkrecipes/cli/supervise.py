"""Running the job's command: a child process, its exit, stopping it, forwarding signals.

Guarantees: :meth:`Child.stop` sends SIGTERM, waits up to ``grace`` seconds,
then sends SIGKILL and reaps the child, so it never returns while the child
runs. :class:`Signals` turns SIGINT/SIGTERM/SIGHUP into :class:`Interrupted`
while no child runs (so a pending acquisition is abandoned) and forwards them
to the child while one runs (the command then decides; its exit status is
reported as usual).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from types import FrameType, TracebackType
from typing import Any

__all__ = ["CannotRun", "Child", "Interrupted", "Signals", "exit_status"]

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class CannotRun(OSError):
    """CMD could not be started; ``status`` is the shell's: 127 not found, 126 not executable."""

    def __init__(self, command: str, cause: OSError) -> None:
        super().__init__(f"cannot run {command!r}: {cause.strerror or cause}")
        self.status = 127 if isinstance(cause, FileNotFoundError) else 126


class Interrupted(Exception):
    """A signal arrived while no child was running."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum


def exit_status(returncode: int) -> int:
    """A shell's exit status for a child's return code (128+N when killed by signal N)."""
    return 128 - returncode if returncode < 0 else returncode


class Child:
    """The command, started at construction; ``done`` is set once it has exited."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], done: threading.Event) -> None:
        self.done = done
        try:
            self.proc = subprocess.Popen(list(argv), env=dict(env))
        except OSError as exc:
            raise CannotRun(argv[0], exc) from exc
        self._reaper = threading.Thread(target=self._reap, name="zkrecipes-child", daemon=True)
        self._reaper.start()

    def _reap(self) -> None:
        self.proc.wait()
        self.done.set()

    @property
    def exited(self) -> bool:
        """True once the child has exited (and was reaped)."""
        return self.proc.poll() is not None

    def status(self) -> int:
        """The exit status, once exited (waits for it otherwise)."""
        return exit_status(self.proc.wait())

    def send(self, signum: int) -> None:
        """Send ``signum`` to the child unless it has exited."""
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signum)
            except ProcessLookupError:
                pass

    def stop(self, grace: float) -> int:
        """SIGTERM, then SIGKILL after ``grace`` seconds; the exit status once reaped."""
        self.send(signal.SIGTERM)
        try:
            self.proc.wait(timeout=max(grace, 0.0))
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
        return self.status()


class Signals:
    """Context manager: SIGINT/SIGTERM/SIGHUP → :class:`Interrupted`, or to ``child`` once set."""

    def __init__(self) -> None:
        self.child: Child | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.child is not None and not self.child.exited:
            self.child.send(signum)
            return
        raise Interrupted(signum)

    def __enter__(self) -> Signals:
        for signum in FORWARDED:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
