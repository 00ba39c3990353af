"""Demo: a local 3-member ZooKeeper ensemble surviving the loss of its leader.

Starts the ensemble, prints each member's role, kills the leader, waits for and
prints the new leader, restarts the old one, prints the roles again and cleans
up. Needs Java and a ZooKeeper install (Debian's package or ZOOKEEPER_HOME).
Exits 0 on success, 1 on a harness error; bounded to well under a minute.

    python demo/ensemble.py
"""

from __future__ import annotations

import sys
import time

from zkrecipes.exceptions import HarnessError
from zkrecipes.testing import ZooKeeperEnsemble

STEP_TIMEOUT = 15.0


def show_roles(ensemble: ZooKeeperEnsemble) -> None:
    for index, mode in enumerate(ensemble.modes()):
        print(f"  member {index} ({ensemble.member(index).hosts}): {mode or 'down'}")


def main() -> int:
    began = time.monotonic()
    try:
        with ZooKeeperEnsemble(3) as ensemble:
            print(f"ensemble up: {ensemble.hosts}")
            show_roles(ensemble)
            old = ensemble.wait_for_leader(STEP_TIMEOUT)
            print(f"killing the leader, member {old}")
            ensemble.kill_member(old)
            killed = time.monotonic()
            new = ensemble.wait_for_leader(STEP_TIMEOUT, exclude=[old])
            print(f"new leader: member {new} (after {time.monotonic() - killed:.1f} s)")
            show_roles(ensemble)
            print(f"restarting member {old}")
            ensemble.restart_member(old, STEP_TIMEOUT)
            show_roles(ensemble)
    except HarnessError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    print(f"done, cleaned up, {time.monotonic() - began:.1f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
