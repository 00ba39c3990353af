"""The job the CLI tests run under ``zkrecipes lock``/``elect``; it reports to a file.

``_child.py hold FILE SECONDS``: append ``start <ns> <token>``, work for SECONDS, append ``end <ns>``.
``_child.py serve FILE NAME``: append ``up NAME <pid> <token>``, then wait for SIGTERM; on SIGTERM
append ``term NAME`` and exit 0. ``_child.py exit CODE``: exit with CODE at once.
Timestamps are ``time.time_ns()`` (one clock for every process on the machine).
"""

import os
import signal
import sys
import threading
import time


def append(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def main() -> int:
    mode = sys.argv[1]
    token = os.environ.get("ZK_FENCING_TOKEN", "none")
    if mode == "exit":
        return int(sys.argv[2])
    path = sys.argv[2]
    if mode == "hold":
        append(path, f"start {time.time_ns()} {token}")
        time.sleep(float(sys.argv[3]))  # the job's work, not a synchronisation
        append(path, f"end {time.time_ns()}")
        return 0
    name = sys.argv[3]
    stopped = threading.Event()

    def on_term(signum: int, frame: object) -> None:
        append(path, f"term {name}")
        stopped.set()

    signal.signal(signal.SIGTERM, on_term)
    append(path, f"up {name} {os.getpid()} {token}")
    while not stopped.wait(1.0):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
