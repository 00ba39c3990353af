"""asyncio lock cycles: ``python -m benchmarks.run --suite curator_aio_locks [--quick] [--rounds N]``.

Uncontended acquire + release cycles per second of the asyncio Curator locks
(``zkrecipes.aio.recipes.curator``: InterProcessMutex, InterProcessSemaphoreV2
with one lease) next to the threaded InterProcessMutex, the asyncio
kazoo-layout Lock and the **ceiling** — an asyncio create + delete of one node,
the two fsynced writes a cycle cannot go below — on one server (forceSync on),
in one process, one after another in each round. Medians of the rounds; nothing
is asserted. Writes ``benchmarks/results/curator-aio-locks-latest.json`` (quick:
``-quick.json``; or ``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from benchmarks import publish
from benchmarks.server import benchmark_server
from zkrecipes import ZkClient
from zkrecipes.aio import AsyncZkClient

LATEST = os.path.join(publish.REPO, "benchmarks", "results", "curator-aio-locks-latest.json")
QUICK = os.path.join(publish.REPO, "benchmarks", "results", "curator-aio-locks-quick.json")
VARIANTS = ("ceiling", "aio_mutex", "aio_semaphore", "aio_lock", "sync_mutex")

Cycle = Callable[[], Awaitable[None]]


async def _cycles(zk: AsyncZkClient, sync: ZkClient, variant: str, path: str) -> Cycle:
    if variant == "ceiling":
        async def ceiling() -> None:
            await zk.delete(await zk.create(path + "/n", b"", ephemeral=True))

        await zk.ensure_path(path)
        return ceiling
    if variant == "aio_mutex":
        mutex = zk.InterProcessMutex(path)

        async def cycle() -> None:
            assert await mutex.acquire()
            await mutex.release()

        return cycle
    if variant == "aio_semaphore":
        semaphore = zk.InterProcessSemaphoreV2(path, 1)

        async def lease_cycle() -> None:
            lease = await semaphore.acquire()
            assert lease is not None
            await lease.close()

        return lease_cycle
    if variant == "aio_lock":
        lock = zk.Lock(path)

        async def lock_cycle() -> None:
            assert await lock.acquire()
            await lock.release()

        return lock_cycle
    threaded = sync.InterProcessMutex(path)

    def sync_cycle() -> None:
        assert threaded.acquire()
        threaded.release()

    return _sync_timed(sync_cycle)


def _sync_timed(cycle: Callable[[], None]) -> Cycle:
    async def run() -> None:
        cycle()  # blocks the loop on purpose: nothing else runs in this process

    return run


async def _rate(cycle: Cycle, n: int) -> float:
    for _ in range(max(2, n // 10)):  # warm up: the parents exist, the code is loaded
        await cycle()
    start = time.perf_counter()
    for _ in range(n):
        await cycle()
    return n / (time.perf_counter() - start)


async def _measure(hosts: str, rounds: int, n: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    sync = ZkClient(hosts)
    sync.start()
    try:
        async with AsyncZkClient(hosts) as zk:
            for index in range(rounds):
                for variant in VARIANTS:
                    cycle = await _cycles(zk, sync, variant, f"/bench-aio-locks/{variant}-{index}")
                    samples[variant].append(await _rate(cycle, n))
    finally:
        sync.stop()
        sync.close()
    return samples


def main(args: argparse.Namespace) -> int:
    n = 50 if args.quick else 400
    with benchmark_server(args.hosts) as server:
        samples = asyncio.run(_measure(server.hosts, args.rounds, n))
    medians = {variant: statistics.median(values) for variant, values in samples.items()}
    ceiling = medians["ceiling"]
    print(f"{'variant':<16}{'cycles/s':>10}{'of ceiling':>12}")
    for variant, rate in medians.items():
        print(f"{variant:<16}{rate:>10.0f}{rate / ceiling:>12.2f}")
    out = args.out or (QUICK if args.quick else LATEST)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"cycles": n, "rounds": args.rounds, "samples": samples, "medians": medians}, handle,
                  indent=2)
    return 0
