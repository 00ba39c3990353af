"""Turn per-round samples into medians, ratios, target verdicts, a text table and JSON.

A *row* is one measurement of one workload (a workload may yield several, e.g. p50 and p99).
Its ratio is always ``zkrecipes / kazoo`` of the medians; ``better`` says which direction is
good, and :func:`advantage` turns a ratio into "how many times better zkrecipes is".
Targets are reported ("target met" / "shortfall"), never asserted.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1
Samples = dict[str, dict[str, list[float]]]  # "workload.metric" -> library -> one value per round


@dataclass(frozen=True, slots=True)
class Row:
    """One reported measurement: ``metric`` of ``workload``."""

    workload: str
    metric: str
    label: str
    unit: str
    better: str  # "higher" or "lower"

    @property
    def key(self) -> str:
        return f"{self.workload}.{self.metric}"


ROWS: tuple[Row, ...] = (
    Row("sync_get", "ops_per_s", "sync get, 100 B", "ops/s", "higher"),
    Row("sync_get_gevent", "ops_per_s", "sync get, 100 B (gevent)", "ops/s", "higher"),
    Row("raw_sync_get", "ops_per_s", "raw socket sync ceiling, one GetData at a time", "ops/s", "higher"),
    Row("sync_set", "ops_per_s", "sync set, 100 B (fsync)", "ops/s", "higher"),
    Row("create_delete", "pairs_per_s", "create + delete", "pairs/s", "higher"),
    Row("pipelined_get", "ops_per_s", "pipelined get_async x50k", "ops/s", "higher"),
    Row("pipelined_get_gevent", "ops_per_s", "pipelined get_async x50k (gevent)", "ops/s", "higher"),
    Row("raw_pipelined_get", "ops_per_s", "raw socket ceiling, pipelined GetData", "ops/s", "higher"),
    Row("get_children", "ms_per_call", "get_children, 10k children", "ms", "lower"),
    Row("lock_uncontended", "cycles_per_s", "lock acquire+release, uncontended", "cycles/s", "higher"),
    Row("lock_contended", "cycles_per_s", "lock acquire+release, 4-way contended", "cycles/s", "higher"),
    Row("watch_latency", "p50_ms", "watch trigger -> callback, p50", "ms", "lower"),
    Row("watch_latency", "p99_ms", "watch trigger -> callback, p99", "ms", "lower"),
    Row("connect_close", "ms_per_cycle", "connect + close", "ms", "lower"),
    Row("watch_memory", "bytes_per_watch", "bytes per DataWatch (tracemalloc)", "B", "lower"),
    Row("watch_rss", "rss_bytes_per_watch", "RSS growth per DataWatch", "B", "lower"),
    Row("watch_rss", "peak_rss_mib", "peak RSS with 10k DataWatch", "MiB", "lower"),
)
ROWS_BY_KEY = {row.key: row for row in ROWS}

Medians = dict[str, dict[str, float]]  # row key -> library -> median


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from the issue: ``value(medians) <op> threshold``, reported against ``row``."""

    row: str
    description: str
    value: Callable[[Medians], float | None]
    op: str  # ">=" or "<="
    threshold: float

    def verdict(self, medians: Medians) -> tuple[float | None, bool | None]:
        value = self.value(medians)
        if value is None:
            return None, None
        return value, value >= self.threshold if self.op == ">=" else value <= self.threshold


def _ratio(key: str, library: str = "zkrecipes", other: str = "kazoo") -> Callable[[Medians], float | None]:
    def compute(medians: Medians) -> float | None:
        values = medians.get(key, {})
        if library in values and values.get(other):
            return values[library] / values[other]
        return None

    return compute


def _across(key: str, other_key: str, library: str = "zkrecipes", other: str = "zkrecipes") -> Callable[
    [Medians], float | None
]:
    def compute(medians: Medians) -> float | None:
        mine, theirs = medians.get(key, {}).get(library), medians.get(other_key, {}).get(other)
        return mine / theirs if mine is not None and theirs else None

    return compute


TARGETS: tuple[Target, ...] = (
    Target("sync_get.ops_per_s", "sync get >= 3x kazoo", _ratio("sync_get.ops_per_s"), ">=", 3.0),
    Target("sync_get.ops_per_s", "sync get >= 85% of the sync ceiling",
           _across("sync_get.ops_per_s", "raw_sync_get.ops_per_s", other="raw"), ">=", 0.85),
    Target("pipelined_get.ops_per_s", "pipelined get >= 10x kazoo", _ratio("pipelined_get.ops_per_s"),
           ">=", 10.0),
    Target("pipelined_get.ops_per_s", "pipelined get >= 40% of raw ceiling",
           _across("pipelined_get.ops_per_s", "raw_pipelined_get.ops_per_s", other="raw"), ">=", 0.4),
    Target("get_children.ms_per_call", "get_children(10k) <= 0.4x kazoo's time",
           _ratio("get_children.ms_per_call"), "<=", 0.4),
    Target("lock_uncontended.cycles_per_s", "uncontended lock >= 2x kazoo",
           _ratio("lock_uncontended.cycles_per_s"), ">=", 2.0),
    Target("lock_contended.cycles_per_s", "contended lock >= 2x kazoo",
           _ratio("lock_contended.cycles_per_s"), ">=", 2.0),
    Target("watch_memory.bytes_per_watch", "bytes per watch <= 1/3 of kazoo",
           _ratio("watch_memory.bytes_per_watch"), "<=", 1 / 3),
    Target("sync_get_gevent.ops_per_s", "gevent sync get within 20% of threading",
           _across("sync_get_gevent.ops_per_s", "sync_get.ops_per_s"), ">=", 0.8),
    Target("pipelined_get_gevent.ops_per_s", "gevent pipelined get within 20% of threading",
           _across("pipelined_get_gevent.ops_per_s", "pipelined_get.ops_per_s"), ">=", 0.8),
)


def medians_of(samples: Samples) -> Medians:
    """The median of each library's samples, per row key (libraries without samples omitted)."""
    return {
        key: {library: statistics.median(values) for library, values in per_library.items() if values}
        for key, per_library in samples.items()
    }


def advantage(row: Row, ratio: float) -> float:
    """How many times better zkrecipes is than kazoo on ``row`` (> 1: zkrecipes better)."""
    if ratio <= 0:
        return 0.0
    return ratio if row.better == "higher" else 1.0 / ratio


def summarize(samples: Samples, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The JSON-ready summary: one entry per row with samples, medians and ratio, plus targets."""
    medians = medians_of(samples)
    rows: list[dict[str, Any]] = []
    for row in ROWS:
        if row.key not in samples and row.workload not in errors:
            continue
        row_medians = medians.get(row.key, {})
        ratio = _ratio(row.key)(medians)
        rows.append({
            "key": row.key, "workload": row.workload, "metric": row.metric, "label": row.label,
            "unit": row.unit, "better": row.better,
            "samples": samples.get(row.key, {}), "median": row_medians,
            "ratio": ratio, "advantage": advantage(row, ratio) if ratio is not None else None,
            "errors": errors.get(row.workload, []),
        })
    targets = []
    for target in TARGETS:
        value, met = target.verdict(medians)
        targets.append({"row": target.row, "description": target.description, "op": target.op,
                        "threshold": target.threshold, "value": value, "met": met})
    return {"rows": rows, "targets": targets}


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def _verdicts(summary: dict[str, Any], key: str) -> list[str]:
    texts = []
    for target in summary["targets"]:
        if target["row"] != key:
            continue
        status = "n/a" if target["met"] is None else "target met" if target["met"] else "shortfall"
        texts.append(f"{target['description']} (got {_number(target['value'])}): {status}")
    return texts


def table_lines(summary: dict[str, Any], markdown: bool = False) -> list[str]:
    """The results table, as aligned text or as a Markdown table."""
    header = ["measurement", "unit", "kazoo", "zkrecipes", "zkrecipes/kazoo", "target"]
    body = []
    for row in summary["rows"]:
        median = row["median"]
        zk = _number(median.get("zkrecipes"))
        if "raw" in median:
            zk = f"{_number(median['raw'])} (raw socket)"
        verdicts = _verdicts(summary, row["key"]) or ["-"]
        if row["errors"] and not median:
            verdicts = [f"error: {row['errors'][0][:60]}"]
        ratio = _number(row["ratio"]) if row["ratio"] is not None else "-"
        if row["ratio"] is not None:
            ratio += f" ({'higher' if row['better'] == 'higher' else 'lower'} is better)"
        body.append([row["label"], row["unit"], _number(median.get("kazoo")), zk, ratio,
                     "; ".join(verdicts)])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return lines
    widths = [max(len(cells[i]) for cells in [header, *body]) for i in range(len(header) - 1)]
    lines = []
    for cells in [header, *body]:
        padded = [cell.ljust(width) for cell, width in zip(cells[:-1], widths, strict=True)]
        lines.append("  ".join([*padded, cells[-1]]))
    return lines
