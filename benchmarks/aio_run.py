"""The asyncio suite: ``python -m benchmarks.run --suite aio [--quick] [--rounds N] [--write-docs]``.

zkrecipes' AsyncZkClient (default loop, and uvloop where installed) against aiozk 0.32 and
against zkrecipes' threaded client, on the same server, in the same run: each round runs every
workload for every library (A B C alternating), each in a fresh worker process. Prints medians,
ratios and a verdict per target of issue 11 (reported, never asserted) and writes
``benchmarks/results/aio-latest.json`` (quick: ``aio-quick.json``; or ``--out``); a full run
with ``--write-docs`` rewrites the generated asyncio table in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Any

from benchmarks import publish
from benchmarks.aio_workloads import AIO_SPECS
from benchmarks.clients import library_version
from benchmarks.workloads import Spec
from zkrecipes.exceptions import ConfigurationError

BEGIN_MARK = "<!-- BEGIN GENERATED: benchmarks.run --suite aio --write-docs -->"
END_MARK = "<!-- END GENERATED (aio) -->"
LATEST = os.path.join(publish.REPO, "benchmarks", "results", "aio-latest.json")
QUICK = os.path.join(publish.REPO, "benchmarks", "results", "aio-quick.json")
COLUMNS = (("aiozk", "aiozk"), ("aio", "zkrecipes asyncio"), ("aio_uvloop", "zkrecipes asyncio (uvloop)"),
           ("zkrecipes", "zkrecipes threaded"), ("raw", "raw socket"))

ROWS: tuple[tuple[str, str, str, str], ...] = (  # workload, metric, label, unit
    ("aio_get", "ops_per_s", "awaited sequential get, 100 B (threaded: sync get)", "ops/s"),
    ("aio_get", "cpu_us_per_op", "... client CPU per get", "µs"),
    ("aio_gather_get", "ops_per_s", "gather of 20,000 gets (threaded: pipelined get_async)", "ops/s"),
    ("aio_gather_get", "cpu_us_per_op", "... client CPU per get", "µs"),
    ("aio_lock", "cycles_per_s", "Lock acquire + release, uncontended", "cycles/s"),
)


@dataclass(frozen=True, slots=True)
class AioTarget:
    """``medians[key][library] / medians[key][other] >= threshold`` (issue 11's targets)."""

    key: str
    description: str
    library: str
    other: str
    threshold: float

    def value(self, medians: dict[str, dict[str, float]]) -> float | None:
        values = medians.get(self.key, {})
        if self.library in values and values.get(self.other):
            return values[self.library] / values[self.other]
        return None


TARGETS: tuple[AioTarget, ...] = (
    AioTarget("aio_get.ops_per_s", "awaited get >= 4x aiozk", "aio", "aiozk", 4.0),
    AioTarget("aio_get.ops_per_s", "awaited get >= the threaded sync get", "aio", "zkrecipes", 1.0),
    AioTarget("aio_gather_get.ops_per_s", "gather >= 10x aiozk", "aio", "aiozk", 10.0),
    AioTarget("aio_gather_get.ops_per_s", "gather >= 0.8x the threaded pipelined get", "aio", "zkrecipes",
              0.8),
    AioTarget("aio_lock.cycles_per_s", "lock cycle >= 1.5x aiozk", "aio", "aiozk", 1.5),
)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def summarize(samples: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    medians = {key: {lib: statistics.median(vals) for lib, vals in per.items() if vals}
               for key, per in samples.items()}
    targets = []
    for target in TARGETS:
        value = target.value(medians)
        targets.append({"row": target.key, "description": target.description, "threshold": target.threshold,
                        "value": value, "met": None if value is None else value >= target.threshold})
    return {"samples": samples, "medians": medians, "targets": targets}


def table_lines(result: dict[str, Any]) -> list[str]:
    """The results as a Markdown table, then one line per target."""
    columns = [(lib, title) for lib, title in COLUMNS
               if any(lib in result["medians"].get(f"{w}.{m}", {}) for w, m, _, _ in ROWS)]
    header = ["measurement", "unit", *(title for _, title in columns), "asyncio/aiozk", "asyncio/threaded"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for workload, metric, label, unit in ROWS:
        med = result["medians"].get(f"{workload}.{metric}", {})
        ratios = [med["aio"] / med[other] if "aio" in med and med.get(other) else None
                  for other in ("aiozk", "zkrecipes")]
        cells = [label, unit, *(_number(med.get(lib)) for lib, _ in columns),
                 *(f"{r:.2f}" if r is not None else "-" for r in ratios)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    ceiling = result["medians"].get("aio_get.ops_per_s", {})
    if ceiling.get("aiozk") and ceiling.get("raw"):
        four = _number(4 * ceiling["aiozk"])
        lines.append(f"- for scale: 4x aiozk's awaited get is {four} gets/s; the raw socket's "
                     f"one-GetData-at-a-time loop (the server's ceiling for any sequential client) "
                     f"did {_number(ceiling['raw'])} in this run")
    for target in result["targets"]:
        status = "n/a" if target["met"] is None else "target met" if target["met"] else "**shortfall**"
        got = "-" if target["value"] is None else f"{target['value']:.2f}"
        lines.append(f"- {target['description']}: {got} (needs >= {target['threshold']:g}) - {status}")
    return lines


def rewrite_docs(result: dict[str, Any], page: str = publish.DOCS_PAGE) -> None:
    """Replace the text between the asyncio markers of ``page``."""
    with open(page) as fh:
        text = fh.read()
    begin, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if begin < 0 or end < begin:
        raise ConfigurationError(f"{page} has no asyncio markers ({BEGIN_MARK} ... {END_MARK})")
    env = result["environment"]
    intro = (f"Run of {result['started_at']}: {result['rounds']} rounds (alternating), "
             f"{result['elapsed_s']:.0f} s, Python {env['python']}, aiozk {env['aiozk_version']}, "
             f"zkrecipes {env['zkrecipes_version']}, {env['cpu_count']} cores, ZooKeeper "
             f"{env['server'].get('version', '')} ({env['server_source']}).")
    body = "\n".join([BEGIN_MARK, intro, "", *table_lines(result), END_MARK])
    with open(page, "w") as fh:
        fh.write(text[:begin] + body + text[end + len(END_MARK):])


def main(args: argparse.Namespace) -> int:
    """Run the suite (``args`` from ``benchmarks.run``: quick, rounds, hosts, out, write_docs)."""
    from benchmarks.run import run_worker
    from benchmarks.server import benchmark_server

    specs: list[Spec] = [s for s in AIO_SPECS if not args.only or s.name in args.only.split(",")]
    started_at, clock = time.strftime("%Y-%m-%dT%H:%M:%S%z"), time.perf_counter()
    samples: dict[str, dict[str, list[float]]] = {}
    errors: list[str] = []
    with benchmark_server(args.hosts) as server:
        print(f"server {server.hosts} ({server.source}) {server.config.get('version', '')}", flush=True)
        root = f"/zkbench-aio-{time.time_ns()}"
        for round_index in range(args.rounds):
            for spec in specs:
                for library in spec.libraries:
                    base = f"{root}/{spec.name}/{library}-{round_index}"
                    result = run_worker(library, spec, server.hosts, base, {}, args.quick, None)
                    if not result["ok"]:
                        errors.append(f"{spec.name} {library}: {result['error']}")
                        print(f"round {round_index + 1} {spec.name:<16} {library:<10} ERROR {result['error']}"
                              f"\n{result.get('stderr_tail', '')}", flush=True)
                        continue
                    for metric, value in result["measurements"].items():
                        samples.setdefault(f"{spec.name}.{metric}", {}).setdefault(library, []).append(value)
                        print(f"round {round_index + 1} {spec.name:<16} {library:<10} {metric}={value:.4g}",
                              flush=True)
    result: dict[str, Any] = {
        "suite": "aio", "started_at": started_at, "elapsed_s": time.perf_counter() - clock,
        "quick": args.quick, "rounds": args.rounds, "errors": errors,
        "workloads": {spec.name: {"libraries": list(spec.libraries),
                                  "params": spec.quick if args.quick else spec.full} for spec in specs},
        "environment": {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                        "aiozk_version": library_version("aiozk"),
                        "zkrecipes_version": library_version("zkrecipes"),
                        "server_source": server.source, "server": server.config},
        **summarize(samples),
    }
    print("\n" + "\n".join(table_lines(result)))
    out = args.out or (QUICK if args.quick else LATEST)
    publish.write_json(result, out)
    print(f"wrote {out}\nelapsed {result['elapsed_s']:.0f} s")
    if args.write_docs and not (args.quick or args.only):
        rewrite_docs(result)
        print(f"rewrote the asyncio section of {publish.DOCS_PAGE}")
    return 1 if errors else 0
