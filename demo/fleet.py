"""The fleet demo: leader election, partitioned work and a lock, surviving a crash.

    python demo/fleet.py

It starts a local 3-member ZooKeeper ensemble, spawns 4 worker processes
(demo/worker.py) that elect a leader, split 12 work items with a
SetPartitioner and run jobs under a Lock, and shows one status line per worker.
Then it kills the leader's process and shows a new leader taking over and the
work being rebalanced among the survivors. It ends by itself (well under 90 s),
stops everything it started, prints a summary and exits 0 on success.

On a terminal the view is redrawn in place; otherwise it prints plain lines
whenever something changes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from zkrecipes import ZkClient  # noqa: E402
from zkrecipes.exceptions import NoNodeError, ZkException  # noqa: E402
from zkrecipes.recipes.counter import Counter  # noqa: E402
from zkrecipes.testing import ZooKeeperEnsemble  # noqa: E402

ROOT = "/fleet"
WORKERS = 4
ITEMS = [f"job{i:02d}" for i in range(12)]
PHASE_TIMEOUT = 30.0
TOTAL_BUDGET = 85.0


class View:
    """Reads every worker's status node and shows one line per worker."""

    def __init__(self, client: ZkClient, procs: dict[str, subprocess.Popen[bytes]], started: float) -> None:
        self.client = client
        self.procs = procs
        self.started = started
        self.tty = sys.stdout.isatty()
        self._drawn = 0
        self._last_plain: list[str] = []
        self._last_print = 0.0
        self.notes: list[str] = []

    def statuses(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        try:
            names = self.client.get_children(f"{ROOT}/status")
        except NoNodeError:
            return found
        for name in names:
            try:
                data, _ = self.client.get(f"{ROOT}/status/{name}")
                found[name] = json.loads(data.decode() or "{}")
            except (NoNodeError, ValueError):
                continue
        return found

    def lines(self, statuses: dict[str, dict[str, Any]]) -> list[str]:
        out = []
        for name in sorted(self.procs):
            proc = self.procs[name]
            alive = proc.poll() is None
            st = statuses.get(name)
            if st is None:
                out.append(f"  {name}  pid={proc.pid:<7} {'(starting)' if alive else '(gone)'}")
                continue
            role = "LEADER  " if st.get("role") == "leader" else "follower"
            flag = "" if alive else "  [killed: session expiring]"
            items = ",".join(i[-2:] for i in st.get("items", []))
            out.append(f"  {name}  pid={st.get('pid', '?'):<7} {role} {st.get('state', '?'):<10} "
                       f"items=[{items}] jobs={st.get('jobs', 0)}{flag}")
        return out

    def show(self, statuses: dict[str, dict[str, Any]]) -> None:
        lines = self.lines(statuses)
        elapsed = time.monotonic() - self.started
        if self.tty:
            if self._drawn:
                sys.stdout.write(f"\x1b[{self._drawn}F")
            header = f"[{elapsed:5.1f}s] fleet status"
            block = [header, *lines]
            sys.stdout.write("".join(f"\x1b[2K{line}\n" for line in block))
            sys.stdout.flush()
            self._drawn = len(block)
        else:
            # Plain lines: print when roles/states/items change, else every few seconds.
            shape = [line.split(" jobs=")[0] for line in lines]
            if shape != self._last_plain or time.monotonic() - self._last_print >= 3.0:
                print(f"[{elapsed:5.1f}s] fleet status", flush=True)
                for line in lines:
                    print(line, flush=True)
                self._last_plain = shape
                self._last_print = time.monotonic()

    def say(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        self._drawn = 0  # keep the message; redraw the view below it
        print(f"[{elapsed:5.1f}s] >>> {message}", flush=True)
        self.notes.append(message)


def leader_of(statuses: dict[str, dict[str, Any]], alive: set[str]) -> str | None:
    leaders = [n for n, s in statuses.items() if s.get("role") == "leader" and n in alive]
    return leaders[0] if len(leaders) == 1 else None


def balanced(statuses: dict[str, dict[str, Any]], members: set[str]) -> dict[str, list[str]] | None:
    """The assignment if exactly ``members`` own all items, disjointly, all ACQUIRED."""
    if set(statuses) != members:
        return None
    owned: dict[str, list[str]] = {}
    seen: list[str] = []
    for name in members:
        st = statuses[name]
        if st.get("state") != "ACQUIRED":
            return None
        owned[name] = list(st.get("items", []))
        seen.extend(owned[name])
    if sorted(seen) != ITEMS:
        return None
    return owned


def wait_phase(view: View, check: Any, deadline: float) -> Any:
    """Refresh the view until ``check(statuses)`` returns something truthy or time runs out."""
    while time.monotonic() < deadline:
        statuses = view.statuses()
        view.show(statuses)
        result = check(statuses)
        if result:
            return result
        time.sleep(0.5)
    return None


def double_owned(statuses: dict[str, dict[str, Any]]) -> set[str]:
    seen: dict[str, str] = {}
    twice: set[str] = set()
    for name, st in statuses.items():
        if st.get("state") != "ACQUIRED":
            continue
        for item in st.get("items", []):
            if item in seen:
                twice.add(item)
            seen[item] = name
    return twice


def run() -> int:
    started = time.monotonic()
    budget_end = started + TOTAL_BUDGET
    print("fleet demo: starting a 3-member ZooKeeper ensemble on loopback ...", flush=True)
    ensemble = ZooKeeperEnsemble(3, heap="256m")
    procs: dict[str, subprocess.Popen[bytes]] = {}
    client: ZkClient | None = None
    log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"zkrecipes-fleet-{os.getpid()}"
    log_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"ok": False}
    try:
        ensemble.start(timeout=60)
        hosts = ensemble.hosts
        print(f"ensemble serving at {hosts}; spawning {WORKERS} workers", flush=True)
        client = ZkClient(hosts, timeout=10.0)
        client.start(timeout=30)
        client.ensure_path(f"{ROOT}/status")
        for i in range(1, WORKERS + 1):
            name = f"worker{i}"
            log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            procs[name] = subprocess.Popen([sys.executable, str(HERE / "worker.py"), hosts, name],
                                           stdout=log, stderr=subprocess.STDOUT)
        view = View(client, procs, started)

        def alive() -> set[str]:
            return {n for n, p in procs.items() if p.poll() is None}

        # Phase 1: a leader and the 12 items split among all 4 workers.
        first = wait_phase(view, lambda s: (leader_of(s, alive()), balanced(s, alive()))
                           if leader_of(s, alive()) and balanced(s, alive()) else None,
                           min(budget_end, time.monotonic() + PHASE_TIMEOUT + 15))
        if not first:
            view.say("FAILED: no leader/allocation in time")
            return 1
        old_leader, before = first
        view.say(f"{old_leader} is the leader; items split 4 ways")
        # Let a few jobs run.
        wait_phase(view, lambda s: all(st.get("jobs", 0) >= 2 for st in s.values()) or None,
                   min(budget_end, time.monotonic() + 10))

        # Phase 2: kill the leader's process outright.
        view.say(f"killing the leader {old_leader} (pid {procs[old_leader].pid}) with SIGKILL")
        procs[old_leader].send_signal(signal.SIGKILL)
        procs[old_leader].wait(10)
        survivors = alive()
        overlap_seen: set[str] = set()

        def recovered(s: dict[str, dict[str, Any]]) -> Any:
            overlap_seen.update(double_owned({n: st for n, st in s.items() if n in survivors}))
            leader = leader_of(s, survivors)
            assignment = balanced(s, survivors)
            return (leader, assignment) if leader and assignment else None

        second = wait_phase(view, recovered, min(budget_end, time.monotonic() + PHASE_TIMEOUT + 10))
        if not second:
            view.say("FAILED: no new leader/rebalance in time")
            return 1
        new_leader, after = second
        view.say(f"{new_leader} took over as leader; items rebalanced over {len(survivors)} workers")
        wait_phase(view, lambda s: None, min(budget_end, time.monotonic() + 2))

        # Phase 3: stop the fleet.
        view.say("asking the workers to stop (/fleet/stop)")
        client.create(f"{ROOT}/stop", b"")
        for proc in procs.values():
            try:
                proc.wait(max(1.0, min(15.0, budget_end - time.monotonic())))
            except subprocess.TimeoutExpired:
                proc.kill()
        jobs_done = Counter(client, f"{ROOT}/jobs-done").value
        summary = {"ok": not overlap_seen, "old_leader": old_leader, "new_leader": new_leader,
                   "before": before, "after": after, "jobs": jobs_done, "overlap": overlap_seen}
        return 0 if summary["ok"] else 1
    except ZkException as exc:
        print(f"fleet demo failed: {exc!r}", flush=True)
        return 1
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
        if client is not None:
            try:
                client.stop()
                client.close()
            except ZkException:
                pass
        ensemble.stop()
        if summary.get("ok"):
            shutil.rmtree(log_dir, ignore_errors=True)
        print_summary(summary, time.monotonic() - started, log_dir)


def print_summary(summary: dict[str, Any], elapsed: float, log_dir: Path) -> None:
    print("", flush=True)
    print("=" * 64)
    print(f"fleet demo summary ({elapsed:.1f}s)")
    if "old_leader" in summary:
        print(f"  first leader : {summary['old_leader']} (killed)")
        print(f"  new leader   : {summary['new_leader']}")
        print("  items before : " + "; ".join(
            f"{n}={','.join(i[-2:] for i in sorted(v))}" for n, v in sorted(summary["before"].items())))
        print("  items after  : " + "; ".join(
            f"{n}={','.join(i[-2:] for i in sorted(v))}" for n, v in sorted(summary["after"].items())))
        print(f"  jobs done    : {summary['jobs']} (a Counter incremented under a Lock)")
        print(f"  double owner : {sorted(summary['overlap']) or 'none seen'}")
    print(f"  result       : {'OK' if summary.get('ok') else 'FAILED'}")
    print(f"  worker logs  : {'removed' if summary.get('ok') else log_dir}")
    print("  cleanup      : ensemble stopped, workers ended")
    print("=" * 64, flush=True)


if __name__ == "__main__":
    sys.exit(run())
