"""Child JVM processes: launch with output to a log file, bounded stop, tail of the log.

Every process launched here is killed at interpreter exit if its owner forgot,
so a crashed test run leaves no JVM behind.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()


def _death_signal_setter() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook asking the kernel to SIGKILL the child when its parent
    thread dies (so a SIGKILLed test run leaves no JVM behind); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the child
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)

    return set_death_signal


_PR_SET_PDEATHSIG = 1
_set_death_signal = _death_signal_setter()
_launch_requests: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
_launcher: threading.Thread | None = None


def _launcher_loop() -> None:
    while True:
        _launch_requests.get()()


def _in_launcher(func: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """Run ``func`` on one long-lived daemon thread: the kernel's parent-death signal is tied
    to the forking *thread*, so children must not be forked by short-lived threads."""
    global _launcher
    with _live_lock:
        if _launcher is None or not _launcher.is_alive():
            _launcher = threading.Thread(target=_launcher_loop, name="zkrecipes-launcher", daemon=True)
            _launcher.start()
    done = threading.Event()
    outcome: list[subprocess.Popen[bytes] | BaseException] = []

    def request() -> None:
        try:
            outcome.append(func())
        except BaseException as exc:  # handed back to the caller
            outcome.append(exc)
        finally:
            done.set()

    _launch_requests.put(request)
    if not done.wait(60.0):
        raise OSError("launching the server process took more than 60 s")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def launch(command: Sequence[str], log_path: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own session with stdout+stderr appended to ``log_path``.

    On Linux the child is SIGKILLed by the kernel if this process dies without
    cleaning up; at normal interpreter exit every child still running is killed.
    """

    def popen() -> subprocess.Popen[bytes]:
        with open(log_path, "ab") as log:
            return subprocess.Popen(
                list(command), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=cwd, start_new_session=True, close_fds=True, preexec_fn=_set_death_signal,
            )

    proc = _in_launcher(popen)
    with _live_lock:
        _live.add(proc)
    return proc


def terminate(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int | None:
    """SIGTERM ``proc``, then SIGKILL if it has not exited after ``timeout`` seconds.

    Returns the exit code (None only if even SIGKILL was not reaped within 10 s).
    """
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
    return kill(proc)


def kill(proc: subprocess.Popen[bytes]) -> int | None:
    """SIGKILL ``proc`` (if still running) and reap it; returns its exit code."""
    if proc.poll() is None:
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        code = proc.wait(timeout=10.0)
    except subprocess.TimeoutExpired:
        return None
    with _live_lock:
        _live.discard(proc)
    return code


def read_tail(path: Path, lines: int = 50, max_bytes: int = 256 * 1024) -> str:
    """The last ``lines`` lines of ``path`` (at most ``max_bytes`` read); "" if it is missing."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:]) if lines > 0 else ""


def _reap_all() -> None:
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill(proc)


atexit.register(_reap_all)
