"""One contender of the lock-cycle benchmark (``benchmarks/curator_locks.py``), in its own process.

``python -m benchmarks.curator_lock_worker VARIANT HOSTS PATH N [paired]`` connects, runs two
warm-up cycles, prints ``READY``, waits for a line on stdin, runs ``N`` cycles and prints one
JSON line ``{"cycles": c, "start": s, "end": e}`` (epoch seconds: the cycles ran between them).
With ``paired`` the ``N`` cycles run in blocks, each right after a block of as many ceiling
pairs on a client of its own (the server's fsync speed drifts; a ratio of neighbours does
not), and the line is ``{"cycles": c, "seconds": t, "pairs": p, "pair_seconds": u}``.

Variants: ``ceiling`` (a plain create + delete of one node: the two fsynced writes a lock
cycle cannot go below), ``zk_mutex`` / ``zk_semaphore`` (zkrecipes' InterProcessMutex /
InterProcessSemaphoreV2 with one lease), ``zk_lock`` (zkrecipes' kazoo-layout Lock),
``kazoo_lock`` / ``kazoo_semaphore`` (kazoo's Lock / Semaphore with one lease), and
``curator_mutex`` / ``curator_semaphore`` (Apache Curator's InterProcessMutex /
InterProcessSemaphoreV2 in the Java peer, timed inside the JVM).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

VARIANTS = ("ceiling", "zk_mutex", "zk_semaphore", "zk_lock", "kazoo_lock", "kazoo_semaphore",
            "curator_mutex", "curator_semaphore")
TIMEOUT_S = 120.0
BLOCKS = 8


def _python_cycle(variant: str, hosts: str, path: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """(one cycle, close) for the Python variants."""
    client: Any
    if variant.startswith("kazoo"):
        from kazoo.client import KazooClient

        client = KazooClient(hosts)
    else:
        from zkrecipes import ZkClient

        client = ZkClient(hosts)
    client.start()

    def close() -> None:
        client.stop()
        client.close()

    if variant == "ceiling":
        client.ensure_path(path)
        node = f"{path}/{time.time_ns()}"

        def pair() -> None:
            client.create(node, b"")
            client.delete(node)

        return pair, close
    if variant in ("zk_mutex", "zk_semaphore", "zk_lock"):
        from zkrecipes.recipes.curator import InterProcessMutex, InterProcessSemaphoreV2
        from zkrecipes.recipes.lock import Lock

        if variant == "zk_mutex":
            mutex = InterProcessMutex(client, path)

            def mutex_cycle() -> None:
                mutex.acquire()
                mutex.release()

            return mutex_cycle, close
        if variant == "zk_semaphore":
            semaphore = InterProcessSemaphoreV2(client, path, 1)

            def semaphore_cycle() -> None:
                lease = semaphore.acquire()
                assert lease is not None
                lease.close()

            return semaphore_cycle, close
        lock: Any = Lock(client, path)
    elif variant == "kazoo_lock":
        lock = client.Lock(path)
    else:
        lock = client.Semaphore(path, max_leases=1)

    def lock_cycle() -> None:
        lock.acquire()
        lock.release()

    return lock_cycle, close


def _ceiling(hosts: str, path: str) -> tuple[Callable[[], None], Callable[[], None]]:
    return _python_cycle("ceiling", hosts, f"{path}-ceiling")


def _paired(block: Callable[[int], tuple[int, float]], hosts: str, path: str, n: int) -> dict[str, Any]:
    """``BLOCKS`` times: ``n / BLOCKS`` ceiling pairs, then a block of cycles (``block(k)`` ->
    (cycles, seconds))."""
    pair, close = _ceiling(hosts, path)
    pair()
    k = max(2, n // BLOCKS)
    totals = {"cycles": 0, "seconds": 0.0, "pairs": 0, "pair_seconds": 0.0}
    try:
        for _ in range(BLOCKS):
            start = time.perf_counter()
            for _ in range(k):
                pair()
            totals["pair_seconds"] += time.perf_counter() - start
            totals["pairs"] += k
            cycles, seconds = block(k)
            totals["cycles"] += cycles
            totals["seconds"] += seconds
    finally:
        close()
    return totals


def _run_python(variant: str, hosts: str, path: str, n: int, paired: bool) -> dict[str, Any]:
    cycle, close = _python_cycle(variant, hosts, path)

    def block(k: int) -> tuple[int, float]:
        start = time.perf_counter()
        for _ in range(k):
            cycle()
        return k, time.perf_counter() - start

    try:
        for _ in range(2):
            cycle()
        _ready()
        if paired:
            return _paired(block, hosts, path, n)
        start = time.time()
        for _ in range(n):
            cycle()
        return {"cycles": n, "start": start, "end": time.time()}
    finally:
        close()


def _run_curator(variant: str, hosts: str, path: str, n: int, paired: bool) -> dict[str, Any]:
    from zkrecipes.testing.curator import CuratorPeer, CuratorSession

    peer = CuratorPeer()
    peer.start()
    try:
        session = CuratorSession(peer)
        session.connect(hosts, session_timeout=10.0)
        op = "mutex.cycle" if variant == "curator_mutex" else "plocks.semaphore_cycle"
        arguments: dict[str, Any] = {"path": path, "timeout_ms": int(TIMEOUT_S * 1000)}
        if variant == "curator_mutex":
            arguments["hold_ms"] = 0
        else:
            arguments["max_leases"] = 1

        def span(k: int) -> tuple[int, float, float]:
            """(cycles, start, end) of k cycles timed in the JVM (epoch seconds)."""
            intervals = session.call(op, TIMEOUT_S * 2, n=k, **arguments)["intervals"]
            if variant == "curator_mutex":  # hold intervals: first hold to last, k - 1 cycles
                return k - 1, intervals[0][0] / 1e6, intervals[-1][0] / 1e6
            return k, intervals[0][0] / 1e6, intervals[-1][1] / 1e6

        span(2)
        _ready()
        if paired:
            def block(k: int) -> tuple[int, float]:
                cycles, start, end = span(k)
                return cycles, end - start

            result = _paired(block, hosts, path, n)
        else:
            cycles, start, end = span(n)
            result = {"cycles": cycles, "start": start, "end": end}
        session.disconnect()
        return result
    finally:
        peer.close()


def _ready() -> None:
    print("READY", flush=True)
    sys.stdin.readline()


def main(argv: list[str]) -> int:
    variant, hosts, path, count = argv[:4]
    if variant not in VARIANTS:
        raise SystemExit(f"unknown variant {variant!r}; known: {VARIANTS}")
    run = _run_curator if variant.startswith("curator") else _run_python
    result = run(variant, hosts, path, int(count), argv[4:] == ["paired"])
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
