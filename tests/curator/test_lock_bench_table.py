"""The lock-cycle benchmark's table: paired ratios, comparisons by ratio, missing rows left out."""

from __future__ import annotations

from benchmarks.curator_locks import table_lines


def test_the_table_compares_paired_ratios_and_skips_what_was_not_measured() -> None:
    medians = {
        "uncontended": {"ceiling": 200.0, "zk_mutex": 180.0, "kazoo_lock": 50.0},
        "vs_ceiling": {"zk_mutex": 0.9, "kazoo_lock": 0.3},
        "contended": {"zk_mutex": 100.0, "kazoo_lock": 50.0},
    }
    lines = table_lines(medians)
    assert lines[0].startswith("| recipe |") and len(lines) == 2 + 3
    ceiling, mutex, kazoo = lines[2:]
    assert "| 200 | 1.00 | - |" in ceiling
    assert "| 180 | 0.90 | 100 |" in mutex
    assert "3.00x kazoo Lock (2.00x contended)" in mutex  # 0.9 / 0.3, 100 / 50
    assert "Curator" not in mutex  # not measured: no comparison
    assert "| 50 | 0.30 | 50 |" in kazoo
