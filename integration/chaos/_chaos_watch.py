"""The watch-delivery cycle shared by the threaded and the asyncio scenarios (pure bookkeeping).

Modes of a reconnect cycle, on the watcher's own FaultProxy:

* ``drop`` — the connection is closed; the changes race the reconnect;
* ``stall_then_drop`` — bytes held for ``STALL`` s, then the connection closed
  (what was held is lost) and traffic passes again;
* ``stall`` — bytes held for ``STALL`` s (shorter than the session timeout), then
  delivered.

During the fault another client changes the cycle's node (watched once before
the fault), the DataWatch node and the ChildrenWatch node's children. After
it: the one-shot watch fired (and, at the end, exactly once), the watches
converge to the final state, and the persistent-recursive watch sees a node
created after the reconnect (ZooKeeper 3.8 does not replay changes made while
disconnected to persistent watches, so those are not asserted).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

MODES = ("drop", "stall_then_drop", "stall")
STALL = 0.2  # s: well under the session timeout


class Events:
    """A thread-safe list of what a callback was handed, with a bounded wait."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._changed = threading.Condition()

    def __call__(self, *item: Any) -> None:
        with self._changed:
            self.items.append(item[0] if len(item) == 1 else item)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[list[Any]], bool], timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.items), timeout):
                last = self.items[-5:]
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; got {last!r}")


def fault_begin(proxy: Any, mode: str) -> None:
    if mode == "drop":
        proxy.close_connections()
    else:
        proxy.stall()


def fault_end(proxy: Any, mode: str) -> None:
    """The end of the fault: its duration is part of the scenario (not a wait for an effect)."""
    if mode == "drop":
        return
    time.sleep(STALL)
    if mode == "stall_then_drop":
        proxy.close_connections()
    proxy.resume()


def emit(name: str, mode: str, cycles: int, one_shots: int, persistent: int) -> None:
    """Print the cycle figures; append them to ``$ZKRECIPES_CHAOS_REPORT`` if set (the soak's report)."""
    line = json.dumps({"name": name, "mode": mode, "cycles": cycles, "one_shot_events": one_shots,
                       "persistent_events": persistent, "lost_events": cycles - one_shots, "violations": []})
    print(f"chaos report: {line}")
    target = os.environ.get("ZKRECIPES_CHAOS_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
