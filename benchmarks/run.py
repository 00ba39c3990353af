"""Benchmark zkrecipes against kazoo: ``.venv/bin/python -m benchmarks.run [--quick] [--write-docs]``.

Starts its own ZooKeeper (Netty connection factory, forceSync on) unless ``ZK_HOSTS`` or
``--hosts`` names one, runs every workload for zkrecipes and kazoo alternately (A B per
workload, round after round, each in a fresh worker process), then prints medians, the
ratio zkrecipes/kazoo and a verdict per target, and writes the results:

* full run: ``benchmarks/results/latest.json``, ``docs/performance.json``,
  ``docs/performance.svg`` (and, with ``--write-docs``, the table in ``docs/performance.md``);
* ``--quick`` (tiny counts, one round, for smoke tests): only ``--out``
  (default ``benchmarks/results/quick.json``); likewise ``--only`` and ``--stand-in`` runs
  never touch docs/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any

from benchmarks import publish
from benchmarks.clients import ClientFactory, close_client, library_version
from benchmarks.report import ROWS, SCHEMA_VERSION, Samples, summarize, table_lines
from benchmarks.server import benchmark_server
from benchmarks.worker import RESULT_PREFIX
from benchmarks.workloads import SPECS, SPECS_BY_NAME, Spec, child_name
from zkrecipes.exceptions import ConfigurationError

WORKER_TIMEOUT_S = 300.0
SETUP_BATCH = 1000


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts, 1 round: a smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per workload (default 3; quick 1)")
    parser.add_argument("--hosts", default=None, help="use this server instead of starting one (or ZK_HOSTS)")
    parser.add_argument("--only", default="", help="comma-separated workload names (default: all)")
    parser.add_argument("--out", default=None, help="JSON output path")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the table in docs/performance.md")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead of measuring, run each selected workload once for zkrecipes, "
                             "profiling all threads, and print the top N functions")
    parser.add_argument("--suite", default="kazoo",
                        choices=("kazoo", "aio", "curator_locks", "curator_aio_locks"),
                        help="kazoo: zkrecipes against kazoo (default); aio: the asyncio client against "
                             "aiozk and the threaded client (benchmarks/aio_run.py); curator_locks: lock "
                             "cycles against kazoo, Curator and two fsynced writes "
                             "(benchmarks/curator_locks.py); curator_aio_locks: the asyncio Curator "
                             "locks' cycles (benchmarks/curator_aio_locks.py)")
    parser.add_argument("--stand-in", default=None, choices=("kazoo",),
                        help="debug the harness: run kazoo on the zkrecipes side too")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 1 if args.quick else 3
    if args.rounds < 1:
        raise ConfigurationError("--rounds must be at least 1")
    return args


def _selected(only: str) -> list[Spec]:
    if not only:
        return list(SPECS)
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in SPECS_BY_NAME]
    if unknown:
        raise ConfigurationError(f"unknown workloads {unknown}; known: {sorted(SPECS_BY_NAME)}")
    return [spec for spec in SPECS if spec.name in names]


def _shared_children(specs: list[Spec], quick: bool) -> int:
    """How many children the shared node needs (get_children and the watch-memory runs)."""
    counts = [0]
    for spec in specs:
        params = spec.quick if quick else spec.full
        counts += [int(params.get("children", 0)), int(params.get("watches", 0))]
    return max(counts)


def _create_children(hosts: str, path: str, count: int) -> None:
    """Create ``path`` with ``count`` small children (pipelined, in batches), using kazoo."""
    client = ClientFactory("kazoo", "threading", hosts).started()
    try:
        client.ensure_path(path)
        for first in range(0, count, SETUP_BATCH):
            batch = [client.create_async(f"{path}/{child_name(i)}", b"x")
                     for i in range(first, min(count, first + SETUP_BATCH))]
            for result in batch:
                result.get(timeout=WORKER_TIMEOUT_S)
    finally:
        close_client(client)


def _delete_tree(hosts: str, path: str) -> None:
    client = ClientFactory("kazoo", "threading", hosts).started()
    try:
        client.delete(path, recursive=True)
    finally:
        close_client(client)


def run_worker(library: str, spec: Spec, hosts: str, base: str, params: dict[str, Any], quick: bool,
               stand_in: str | None) -> dict[str, Any]:
    """Run one workload in a fresh interpreter; returns the worker's result object."""
    command = [sys.executable, "-m", "benchmarks.worker", "--library", library, "--workload", spec.name,
               "--hosts", hosts, "--base", base, "--params", json.dumps(params)]
    if quick:
        command.append("--quick")
    if stand_in and library == "zkrecipes":
        command += ["--stand-in", stand_in]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S,
                              cwd=publish.REPO, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"worker timed out after {WORKER_TIMEOUT_S:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX):])
            if not result["ok"]:
                result["stderr_tail"] = done.stderr[-1500:]
            return result
    return {"ok": False, "error": f"worker exited {done.returncode} without a result",
            "stderr_tail": done.stderr[-1500:]}


def profile(args: argparse.Namespace, specs: list[Spec], hosts: str) -> None:
    """Print the top ``args.profile`` cProfile lines (by cumulative time) of each workload."""
    root = f"/zkbench-profile-{time.time_ns()}"
    children = _shared_children(specs, args.quick)
    if children:
        _create_children(hosts, f"{root}/children", children)
    try:
        for spec in specs:
            library = "raw" if "raw" in spec.libraries else "zkrecipes"
            params = {"path": f"{root}/children"} if "children" in spec.full or "watches" in spec.full else {}
            command = [sys.executable, "-m", "benchmarks.worker", "--profile", str(args.profile),
                       "--library", library, "--workload", spec.name, "--hosts", hosts,
                       "--base", f"{root}/{spec.name}", "--params", json.dumps(params)]
            if args.quick:
                command.append("--quick")
            if args.stand_in and library == "zkrecipes":
                command += ["--stand-in", args.stand_in]
            done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S * 2,
                                  cwd=publish.REPO, check=False)
            print(f"== {spec.name} ({library}), all threads profiled\n{done.stdout}", flush=True)
            if done.returncode != 0:
                print(done.stderr[-1500:], flush=True)
    finally:
        _delete_tree(hosts, root)


def measure(args: argparse.Namespace, specs: list[Spec], hosts: str) -> tuple[Samples, dict[str, list[str]]]:
    """Run every (round, workload, library) and collect samples and errors."""
    samples: Samples = {}
    errors: dict[str, list[str]] = {}
    root = f"/zkbench-{time.time_ns()}"
    children_path = f"{root}/children"
    children = _shared_children(specs, args.quick)
    if children:
        print(f"setup: {children} children under {children_path}", flush=True)
        _create_children(hosts, children_path, children)
    try:
        for round_index in range(args.rounds):
            for spec in specs:
                params = {"path": children_path} if "children" in spec.full or "watches" in spec.full else {}
                for library in spec.libraries:
                    base = f"{root}/{spec.name}/{library}-{round_index}"
                    started = time.perf_counter()
                    result = run_worker(library, spec, hosts, base, params, args.quick, args.stand_in)
                    took = time.perf_counter() - started
                    if not result["ok"]:
                        errors.setdefault(spec.name, []).append(f"{library}: {result['error']}")
                        print(f"round {round_index + 1} {spec.name:<22} {library:<9} ERROR {result['error']}"
                              f"\n{result.get('stderr_tail', '')}", flush=True)
                        continue
                    shown = []
                    for metric, value in result["measurements"].items():
                        samples.setdefault(f"{spec.name}.{metric}", {}).setdefault(library, []).append(value)
                        shown.append(f"{metric}={value:.4g}")
                    print(f"round {round_index + 1} {spec.name:<22} {library:<9} {' '.join(shown)} "
                          f"({took:.1f} s)", flush=True)
    finally:
        _delete_tree(hosts, root)
    return samples, errors


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.suite == "aio":
        from benchmarks import aio_run

        return aio_run.main(args)
    if args.suite == "curator_locks":
        from benchmarks import curator_locks

        return curator_locks.main(args)
    if args.suite == "curator_aio_locks":
        from benchmarks import curator_aio_locks

        return curator_aio_locks.main(args)
    specs = _selected(args.only)
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    clock = time.perf_counter()
    with benchmark_server(args.hosts) as server:
        print(f"server {server.hosts} ({server.source}) {server.config.get('version', '')}", flush=True)
        if args.profile:
            profile(args, specs, server.hosts)
            return 0
        samples, errors = measure(args, specs, server.hosts)
    elapsed = time.perf_counter() - clock
    result: dict[str, Any] = {
        "schema": SCHEMA_VERSION, "started_at": started_at, "elapsed_s": elapsed, "quick": args.quick,
        "rounds": args.rounds, "stand_in": args.stand_in,
        "workloads": {spec.name: {"handler": spec.handler, "libraries": list(spec.libraries),
                                  "params": spec.quick if args.quick else spec.full} for spec in specs},
        "environment": {
            "python": platform.python_version(), "platform": platform.platform(),
            "cpu_count": os.cpu_count(), "kazoo_version": library_version("kazoo"),
            "zkrecipes_version": library_version("zkrecipes"), "server_source": server.source,
            "server": server.config,
        },
        **summarize(samples, errors),
    }
    print()
    print("\n".join(table_lines(result)))
    print(f"\nelapsed {elapsed:.0f} s ({len(ROWS)} measurements, {args.rounds} rounds)")
    out = args.out or (os.path.join(publish.REPO, "benchmarks", "results", "quick.json") if args.quick
                       else publish.LATEST_JSON)
    publish.write_json(result, out)
    print(f"wrote {out}")
    if args.quick or args.stand_in or args.only:
        print("docs/performance.json and .svg left alone (quick, stand-in or partial run)")
    else:
        publish.write_json(result, publish.DOCS_JSON)
        publish.write_svg(result, publish.DOCS_SVG)
        print(f"wrote {publish.DOCS_JSON} and {publish.DOCS_SVG}")
    if args.write_docs and not (args.quick or args.stand_in or args.only):
        publish.rewrite_docs_section(result)
        print(f"rewrote the generated section of {publish.DOCS_PAGE}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
