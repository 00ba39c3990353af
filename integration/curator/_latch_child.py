"""A sync LeaderLatch participant in a process of its own (killed with SIGKILL by the tests).

Usage: ``python _latch_child.py HOSTS PATH ID``; prints ``node <czxid>`` once its
node exists and ``leader <epoch>`` when it leads, then waits to be killed.
"""

from __future__ import annotations

import sys

from zkrecipes import ZkClient
from zkrecipes.recipes.curator import LeaderLatch


def main() -> None:
    hosts, path, participant = sys.argv[1:4]
    client = ZkClient(hosts, timeout=4.0)
    client.start(timeout=30)
    latch = LeaderLatch(client, path, participant)
    latch.start()
    for state in latch.states():
        print(state.status.value, state.epoch, flush=True)
    client.stop()


if __name__ == "__main__":
    main()
