"""Overhead of the instrumentation hook: ``python -m benchmarks.overhead [--quick] [--rounds N]``.

One process, one server (started here unless ``ZK_HOSTS``/``--hosts``), and the
same workloads under four modes, interleaved round after round so that drift
hits all alike: ``none`` (no observer: the hook's call sites are one
``is not None`` check each), ``none-again`` (the same, to show the noise of the
machine), ``observer`` (a do-nothing observer overriding every method: the cost
of the hook itself) and ``prometheus`` (:class:`PrometheusObserver` on a fresh
registry). Workloads: pipelined ``get_async`` (threading handler) and
sequential ``get``. Prints medians, ratios to ``none`` and the A/A noise; also
the cost of one ``is not None`` attribute check (the hook when nobody listens).
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from collections.abc import Callable
from typing import Any

from benchmarks._core_loop import core_requests_per_s
from benchmarks.server import benchmark_server
from zkrecipes import ZkClient
from zkrecipes.observe import Observer

VALUE = b"x" * 100


class _NullObserver(Observer):
    """Overrides every method with a no-op: the hook's own cost."""

    def on_request_start(self, start: Any) -> object:
        return None

    def on_request(self, event: Any, token: object) -> None:
        return None

    def on_state(self, event: Any) -> None:
        return None

    def on_connection(self, event: Any) -> None:
        return None

    def on_watch(self, event: Any) -> None:
        return None

    def on_callback(self, event: Any) -> None:
        return None

    def on_recipe(self, event: Any) -> None:
        return None


def _observers(mode: str) -> list[Any]:
    if mode == "observer":
        return [_NullObserver()]
    if mode == "prometheus":
        from prometheus_client import CollectorRegistry

        from zkrecipes.observe.prometheus import PrometheusObserver

        return [PrometheusObserver(CollectorRegistry())]
    return []


Sample = tuple[float, float]
"""(operations per wall-clock second, process CPU microseconds per operation)."""


def _measure(count: int, body: Callable[[], None]) -> Sample:
    wall, cpu = time.perf_counter(), time.process_time()
    body()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count / wall, cpu / count * 1e6


def pipelined_get(client: ZkClient, path: str, count: int) -> Sample:
    for result in [client.get_async(path) for _ in range(500)]:
        result.get(timeout=60)

    def body() -> None:
        for result in [client.get_async(path) for _ in range(count)]:
            result.get(timeout=60)

    return _measure(count, body)


def sync_get(client: ZkClient, path: str, count: int) -> Sample:
    for _ in range(200):
        client.get(path)

    def body() -> None:
        for _ in range(count):
            client.get(path)

    return _measure(count, body)


WORKLOADS: dict[str, Callable[[ZkClient, str, int], Sample]] = {
    "pipelined_get": pipelined_get, "sync_get": sync_get}
MODES = ("none", "none-again", "observer", "prometheus")


def check_cost_ns(loops: int = 2_000_000) -> float:
    """Nanoseconds of one ``obj.observer is not None`` check (the no-listener hook)."""

    class Holder:
        observer = None

    holder = Holder()
    check = "if h.observer is not None: pass"
    spent = min(timeit.repeat(check, globals={"h": holder}, number=loops, repeat=5))
    empty = min(timeit.repeat("pass", number=loops, repeat=5))
    return (spent - empty) / loops * 1e9


Results = dict[str, dict[str, list[Sample]]]


def run(hosts: str, rounds: int, counts: dict[str, int]) -> Results:
    results: Results = {w: {m: [] for m in MODES} for w in (*WORKLOADS, "core")}
    setup = ZkClient(hosts)
    setup.start()
    setup.ensure_path("/overhead")
    setup.set("/overhead", VALUE)
    setup.stop()
    setup.close()
    for round_no in range(rounds):
        order = MODES if round_no % 2 == 0 else tuple(reversed(MODES))
        for mode in order:
            client = ZkClient(hosts, observers=_observers(mode))
            client.start()
            try:
                for name, workload in WORKLOADS.items():
                    results[name][mode].append(workload(client, "/overhead", counts[name]))
            finally:
                client.stop()
                client.close()
            rate = core_requests_per_s(_observers(mode), counts["core"])
            results["core"][mode].append((rate, 1e6 / rate))
    return results


def report(results: Results) -> list[str]:
    """Per workload and mode: ops/s on the wall clock (median), CPU µs per op of the whole
    process (median, and best: the least disturbed round), each with its ratio to ``none``
    (above 1: faster) and the spread of the rounds."""
    lines = ["| workload | mode | ops/s median | vs none | spread | CPU µs/op median | vs none | spread "
             "| CPU µs/op best | vs none |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, modes in results.items():
        base_rate = statistics.median(r for r, _ in modes["none"])
        base_cpu = statistics.median(c for _, c in modes["none"])
        base_best = min(c for _, c in modes["none"])
        for mode, samples in modes.items():
            rates = [r for r, _ in samples]
            cpus = [c for _, c in samples]
            rate, cpu, best = statistics.median(rates), statistics.median(cpus), min(cpus)
            lines.append(f"| {name} | {mode} | {rate:,.0f} | {rate / base_rate:.2f} | {_spread(rates):.0%} "
                         f"| {cpu:.1f} | {base_cpu / cpu:.2f} | {_spread(cpus):.0%} "
                         f"| {best:.1f} | {base_best / best:.2f} |")
    return lines


def _spread(values: list[float]) -> float:
    """(max - min) / median: how noisy the machine was."""
    median = statistics.median(values)
    return (max(values) - min(values)) / median if median else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, 1 round (a smoke run)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5; quick 1)")
    parser.add_argument("--hosts", default=None, help="use this server (or ZK_HOSTS)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 5)
    counts = {"pipelined_get": 500 if args.quick else 20_000, "sync_get": 100 if args.quick else 3_000,
              "core": 2_000 if args.quick else 50_000}
    with benchmark_server(args.hosts) as server:
        results = run(server.hosts, rounds, counts)
    print(f"rounds: {rounds}, counts: {counts}")
    for line in report(results):
        print(line)
    print(f"one 'is not None' attribute check: {check_cost_ns():.1f} ns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
