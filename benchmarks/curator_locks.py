"""Lock cycles: ``python -m benchmarks.run --suite curator_locks [--quick] [--rounds N] [--write-docs]``.

zkrecipes' InterProcessMutex and InterProcessSemaphoreV2 (one lease) against kazoo's Lock and
Semaphore, zkrecipes' kazoo-layout Lock and Apache Curator's InterProcessMutex and
InterProcessSemaphoreV2 (the Java peer, timed inside the JVM), all on the same server
(forceSync on: every write is fsynced before its reply) in the same run; next to them the
**ceiling**: a plain create + delete of one node, the two fsynced writes a cycle cannot
go below. Each measurement runs in fresh processes (``benchmarks/curator_lock_worker.py``):
uncontended, one contender; contended, two contenders on one path released together.
Cycles/s are reported with their ratio to the ceiling and to kazoo and Curator; medians of
the rounds; nothing is asserted. Writes ``benchmarks/results/curator-locks-latest.json``
(quick: ``curator-locks-quick.json``; or ``--out``); a full run with ``--write-docs``
rewrites the generated table in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from benchmarks import publish
from benchmarks.curator_lock_worker import TIMEOUT_S, VARIANTS

BEGIN_MARK = "<!-- BEGIN GENERATED: benchmarks.run --suite curator_locks --write-docs -->"
END_MARK = "<!-- END GENERATED (curator locks) -->"
LATEST = os.path.join(publish.REPO, "benchmarks", "results", "curator-locks-latest.json")
QUICK = os.path.join(publish.REPO, "benchmarks", "results", "curator-locks-quick.json")
LABELS = {
    "ceiling": "ceiling: plain create + delete (2 fsynced writes)",
    "zk_mutex": "zkrecipes InterProcessMutex",
    "curator_mutex": "Curator InterProcessMutex (Java)",
    "zk_lock": "zkrecipes Lock (kazoo layout)",
    "kazoo_lock": "kazoo Lock",
    "zk_semaphore": "zkrecipes InterProcessSemaphoreV2 (1 lease)",
    "curator_semaphore": "Curator InterProcessSemaphoreV2 (Java, 1 lease)",
    "kazoo_semaphore": "kazoo Semaphore (1 lease)",
}
#: (variant, the ones it is compared with), in table order.
COMPARE = {"zk_mutex": ("kazoo_lock", "curator_mutex"),
           "zk_semaphore": ("kazoo_semaphore", "curator_semaphore"), "zk_lock": ("kazoo_lock",)}
CONTENDERS = 2


def _group(variant: str, hosts: str, path: str, n: int, contenders: int) -> list[dict[str, float]]:
    """The results of ``contenders`` processes of ``variant`` on ``path``, ``n`` cycles each, run
    together (one process: paired with the ceiling, see the worker)."""
    command = [sys.executable, "-m", "benchmarks.curator_lock_worker", variant, hosts, path, str(n)]
    if contenders == 1:
        command.append("paired")
    procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=publish.REPO) for _ in range(contenders)]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "READY":
                raise RuntimeError(f"{variant} worker did not start: {line!r}")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("GO\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=TIMEOUT_S * 3)
            if proc.returncode != 0:
                raise RuntimeError(f"{variant} worker exited {proc.returncode}")
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return results


def _contended_rate(results: list[dict[str, float]]) -> float:
    cycles = sum(result["cycles"] for result in results)
    return cycles / (max(result["end"] for result in results) - min(result["start"] for result in results))


def measure(hosts: str, rounds: int, quick: bool) -> dict[str, dict[str, list[float]]]:
    """{"uncontended"|"contended"|"vs_ceiling": {variant: [per round]}}: cycles/s, and each
    uncontended rate over the ceiling measured in blocks interleaved with it."""
    n_alone, n_each = (16, 10) if quick else (400, 200)
    samples: dict[str, dict[str, list[float]]] = {"uncontended": {}, "contended": {}, "vs_ceiling": {}}
    root = f"/zkbench-locks-{time.time_ns()}"
    variants = [variant for variant in VARIANTS if variant != "ceiling"]
    for round_index in range(rounds):
        tag = f"round {round_index + 1}"
        for variant in variants if round_index % 2 == 0 else reversed(variants):
            try:
                (alone,) = _group(variant, hosts, f"{root}/{variant}-alone-{round_index}", n_alone, 1)
                busy = _contended_rate(_group(variant, hosts, f"{root}/{variant}-busy-{round_index}", n_each,
                                              CONTENDERS))
            except Exception as error:
                print(f"{tag} {variant:<18} ERROR {error}", flush=True)
                continue
            rate, ceiling = alone["cycles"] / alone["seconds"], alone["pairs"] / alone["pair_seconds"]
            samples["uncontended"].setdefault(variant, []).append(rate)
            samples["uncontended"].setdefault("ceiling", []).append(ceiling)
            samples["vs_ceiling"].setdefault(variant, []).append(rate / ceiling)
            samples["contended"].setdefault(variant, []).append(busy)
            print(f"{tag} {variant:<18} {rate:8.1f} cycles/s (ceiling beside it {ceiling:8.1f}: "
                  f"x{rate / ceiling:.2f}); contended {busy:8.1f} cycles/s", flush=True)
    return samples


def table_lines(medians: dict[str, dict[str, float]]) -> list[str]:
    """The Markdown table of the medians."""
    lines = ["| recipe | uncontended cycles/s | x ceiling (paired) | contended cycles/s (2 contenders) "
             "| compared |",
             "|---|---:|---:|---:|---|"]
    for variant in VARIANTS:
        alone = medians["uncontended"].get(variant)
        if alone is None:
            continue
        busy = medians["contended"].get(variant)
        paired = medians["vs_ceiling"].get(variant, 1.0 if variant == "ceiling" else None)
        ratio = f"{paired:.2f}" if paired is not None else "-"
        notes = []
        for other in COMPARE.get(variant, ()):  # uncontended: ratio of the paired ratios (drift-free)
            theirs = medians["vs_ceiling"].get(other)
            theirs_busy = medians["contended"].get(other)
            if theirs and paired:
                text = f"{paired / theirs:.2f}x {LABELS[other].split(' (')[0]}"
                if busy and theirs_busy:
                    text += f" ({busy / theirs_busy:.2f}x contended)"
                notes.append(text)
        shown = f"{busy:.0f}" if busy else "-"
        lines.append(f"| {LABELS[variant]} | {alone:.0f} | {ratio} | {shown} | {'; '.join(notes)} |")
    return lines


def _medians(samples: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    return {mode: {variant: statistics.median(values) for variant, values in by.items()}
            for mode, by in samples.items()}


def write_docs(lines: list[str], header: str) -> None:
    """Replace the generated block of ``docs/performance.md`` (between the markers)."""
    path = os.path.join(publish.REPO, "docs", "performance.md")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    begin, end = text.index(BEGIN_MARK), text.index(END_MARK)
    block = "\n".join([BEGIN_MARK, header, "", *lines, END_MARK])
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text[:begin] + block + text[end + len(END_MARK):])


def main(args: argparse.Namespace) -> int:
    """Run the suite (``args`` from ``benchmarks.run``: quick, rounds, hosts, out, write_docs)."""
    from benchmarks.server import benchmark_server

    with benchmark_server(args.hosts) as server:
        print(f"server {server.hosts} ({server.source}) {server.config.get('version', '')}", flush=True)
        samples = measure(server.hosts, args.rounds, args.quick)
        config = server.config
    medians = _medians(samples)
    lines = table_lines(medians)
    print("\n".join(lines), flush=True)
    result = {"suite": "curator_locks", "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": args.quick,
              "rounds": args.rounds, "server": config, "python": platform.python_version(),
              "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
              "samples": samples, "medians": medians}
    out = args.out or (QUICK if args.quick else LATEST)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1)
    if args.write_docs and not args.quick:
        header = (f"Measured {result['when']}: {result['machine']}, Python {result['python']}, ZooKeeper "
                  f"{config.get('version', '?')} (forceSync on); medians of {args.rounds} rounds.")
        write_docs(lines, header)
    return 0
