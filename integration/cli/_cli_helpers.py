"""Run ``python -m zkrecipes`` in subprocesses; bounded waits on files and output lines."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

#: Bound for every wait on a CLI process or on what its children write.
WAIT = 30.0
CHILD = str(Path(__file__).with_name("_child.py"))


def cli_argv(hosts: str, *args: str) -> list[str]:
    """The argv of one CLI invocation on ``hosts``."""
    return [sys.executable, "-m", "zkrecipes", "--hosts", hosts, *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ZK_HOSTS", None)
    root = str(Path(__file__).resolve().parents[2])  # the worktree: its zkrecipes is imported
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_cli(hosts: str, *args: str, stdin: bytes | None = None, timeout: float = WAIT,
            ) -> subprocess.CompletedProcess[bytes]:
    """Run one CLI command to completion (bounded); stdout/stderr captured as bytes."""
    return subprocess.run(cli_argv(hosts, *args), input=stdin, capture_output=True, timeout=timeout,
                          env=_env(), check=False)


def child_cmd(*args: str) -> list[str]:
    """A job command running the test child script (see ``_child.py``)."""
    return [sys.executable, CHILD, *args]


class Background:
    """A CLI process in the background; its stdout/stderr lines collected by reader threads."""

    def __init__(self, hosts: str, *args: str) -> None:
        self.proc = subprocess.Popen(cli_argv(hosts, *args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=_env())
        self.stdout: queue.Queue[str] = queue.Queue()
        self.stderr_lines: list[str] = []
        self._stderr_event = threading.Condition()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self._add_err), daemon=True).start()

    @staticmethod
    def _pump(stream: IO[bytes], sink: Callable[[str], None]) -> None:
        for raw in iter(stream.readline, b""):
            sink(raw.decode("utf-8", "replace").rstrip("\n"))

    def _add_err(self, line: str) -> None:
        with self._stderr_event:
            self.stderr_lines.append(line)
            self._stderr_event.notify_all()

    def wait_stderr(self, needle: str, timeout: float = WAIT) -> None:
        """Return once a stderr line contains ``needle``; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._stderr_event:
            while not any(needle in line for line in self.stderr_lines):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no stderr line with {needle!r}; got {self.stderr_lines!r}")
                self._stderr_event.wait(min(remaining, 0.5))

    def next_line(self, timeout: float = WAIT) -> str:
        """The next stdout line (AssertionError after ``timeout``)."""
        try:
            return self.stdout.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no stdout line within {timeout}s; stderr {self.stderr_lines!r}") from None

    def signal(self, signum: int = signal.SIGINT) -> None:
        """Send ``signum`` to the CLI process."""
        self.proc.send_signal(signum)

    def wait(self, timeout: float = WAIT) -> int:
        """The exit status (bounded)."""
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL the CLI process (if still running) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=WAIT)


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT, message: str = "condition",
             interval: float = 0.05) -> None:
    """Poll ``predicate`` until true; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {message}")
        time.sleep(interval)


def read_lines(path: Path) -> list[str]:
    """The lines of ``path`` (empty if it does not exist yet)."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def stop_pids(pids: Sequence[int]) -> None:
    """SIGKILL leftover child processes (a killed CLI leaves its child running)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
