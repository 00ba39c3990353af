"""Smoke test of ``python -m benchmarks.overhead``: every workload and mode runs (tiny counts).

No timing thresholds: the numbers are only checked to be positive and finite.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:  # benchmarks/ is a top-level package of the checkout, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.overhead import MODES, check_cost_ns, report, run  # noqa: E402


def test_every_workload_and_mode_runs(zk_hosts: str) -> None:
    results = run(zk_hosts, rounds=1, counts={"pipelined_get": 200, "sync_get": 20, "core": 500})
    assert set(results) == {"pipelined_get", "sync_get", "core"}
    for modes in results.values():
        assert set(modes) == set(MODES)
        for samples in modes.values():
            ((rate, cpu),) = samples
            assert rate > 0 and math.isfinite(rate) and cpu > 0 and math.isfinite(cpu)
    lines = report(results)
    assert len(lines) == 2 + 3 * len(MODES)
    assert math.isfinite(check_cost_ns(loops=10_000))
