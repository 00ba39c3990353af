"""One worker of the fleet demo (started by demo/fleet.py; not meant to be run by hand).

    python demo/worker.py <hosts> <name>

It joins an election (the leader holds leadership until the end), takes its
share of ITEMS with a SetPartitioner, and for each owned item runs a "job":
incrementing a shared Counter while holding a shared Lock. It publishes its
status as JSON in its own ephemeral node ``/fleet/status/<name>``, and exits
cleanly when ``/fleet/stop`` appears.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

from zkrecipes import ZkClient
from zkrecipes.exceptions import NodeExistsError, ZkException
from zkrecipes.recipes.counter import Counter
from zkrecipes.recipes.election import Election
from zkrecipes.recipes.lock import Lock
from zkrecipes.recipes.partitioner import SetPartitioner
from zkrecipes.recipes.watchers import DataWatch

ROOT = "/fleet"
ITEMS = [f"job{i:02d}" for i in range(12)]
SESSION_TIMEOUT = 4.0  # seconds: a killed worker's session (and leadership) ends this fast
JOB_INTERVAL = 0.5
MAX_LIFETIME = 120.0  # a worker never outlives a crashed fleet by much


class Worker:
    def __init__(self, hosts: str, name: str) -> None:
        self.name = name
        self.client = ZkClient(hosts, timeout=SESSION_TIMEOUT)
        self.stop = threading.Event()
        self.role = "follower"
        self.jobs = 0
        self.partitioner: SetPartitioner | None = None
        self._published = b""
        self._status_lock = threading.Lock()

    # ----------------------------------------------------------- status

    def status(self) -> dict[str, Any]:
        p = self.partitioner
        return {
            "name": self.name,
            "pid": os.getpid(),
            "role": self.role,
            "state": str(p.state) if p is not None else "STARTING",
            "items": sorted(p) if p is not None else [],
            "jobs": self.jobs,
        }

    def publish(self) -> None:
        data = json.dumps(self.status(), sort_keys=True).encode()
        with self._status_lock:
            if data == self._published:
                return
            path = f"{ROOT}/status/{self.name}"
            try:
                self.client.set(path, data)
            except ZkException:
                try:
                    self.client.create(path, data, ephemeral=True, makepath=True)
                except NodeExistsError:
                    self.client.set(path, data)
            self._published = data

    # -------------------------------------------------------- behaviour

    def lead(self) -> None:
        self.role = "leader"
        self.publish()
        self.stop.wait(MAX_LIFETIME)

    def run_election(self) -> None:
        election = Election(self.client, f"{ROOT}/election", self.name)
        self._election = election
        try:
            election.run(self.lead)
        except ZkException:
            pass

    def run(self) -> None:
        self.client.start(timeout=30)
        self.client.ensure_path(f"{ROOT}/status")
        self.publish()

        def on_stop(data: bytes | None, stat: Any) -> None:
            if stat is not None:
                self.stop.set()

        DataWatch(self.client, f"{ROOT}/stop", on_stop)
        threading.Thread(target=self.run_election, daemon=True).start()
        counter = Counter(self.client, f"{ROOT}/jobs-done")
        lock = Lock(self.client, f"{ROOT}/job-lock", self.name)
        deadline = time.monotonic() + MAX_LIFETIME
        while not self.stop.is_set() and time.monotonic() < deadline:
            p = self.partitioner
            if p is None or p.failed:
                self.partitioner = p = SetPartitioner(
                    self.client, f"{ROOT}/partition", set=ITEMS, identifier=self.name,
                    time_boundary=1, max_reaction_time=0.5)
            if p.release:
                p.release_set()
            elif p.acquired:
                if list(p):
                    with lock:  # one job at a time across the whole fleet
                        counter += 1
                    self.jobs += 1
            elif p.allocating:
                p.wait_for_acquire(0.5)
            self.publish()
            self.stop.wait(JOB_INTERVAL)
        self.shutdown()

    def shutdown(self) -> None:
        election = getattr(self, "_election", None)
        if election is not None:
            election.cancel()
        if self.partitioner is not None:
            try:
                self.partitioner.finish()
            except ZkException:
                pass
        self.client.stop()
        self.client.close()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    Worker(argv[1], argv[2]).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
