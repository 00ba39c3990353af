"""Smoke test of the benchmark command: ``--quick`` against the session's real server.

Checks that every workload runs for both libraries and that the JSON, the table, the chart
and the docs section have the promised shape. No timing thresholds: numbers are only
checked to be positive and finite.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # benchmarks/ is a top-level package of the checkout, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.chart import render_svg  # noqa: E402
from benchmarks.publish import BEGIN_MARK, END_MARK, rewrite_docs_section  # noqa: E402
from benchmarks.rawsocket import encode_connect, encode_get_data  # noqa: E402
from benchmarks.report import ROWS, TARGETS  # noqa: E402
from benchmarks.workloads import SPECS  # noqa: E402
from zkrecipes.exceptions import ConfigurationError  # noqa: E402

RUN_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def quick_result(zk_hosts: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    env = {key: value for key, value in os.environ.items() if key != "ZK_HOSTS"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--hosts", zk_hosts, "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "elapsed" in done.stdout
    result: dict[str, Any] = json.loads(out.read_text())
    result["_stdout"] = done.stdout
    return result


@pytest.mark.timeout(RUN_TIMEOUT_S + 60)
def test_quick_run_measures_every_row_for_both_libraries(quick_result: dict[str, Any]) -> None:
    assert quick_result["schema"] == 1
    assert quick_result["quick"] is True and quick_result["rounds"] == 1
    assert set(quick_result["workloads"]) == {spec.name for spec in SPECS}
    rows = {row["key"]: row for row in quick_result["rows"]}
    assert set(rows) == {row.key for row in ROWS}
    for key, row in rows.items():
        assert row["errors"] == [], key
        expected_libraries = {"raw"} if key.startswith("raw_") else {"zkrecipes", "kazoo"}
        assert set(row["samples"]) == expected_libraries, key
        # RSS moves in whole pages: a quick run's few small watches may not grow it at all.
        page_granular = key == "watch_rss.rss_bytes_per_watch"
        for library, values in row["samples"].items():
            assert len(values) == 1, (key, library)
            assert math.isfinite(values[0]), (key, library, values)
            assert values[0] >= 0 if page_granular else values[0] > 0, (key, library, values)
        if page_granular and row["median"]["zkrecipes"] == 0:
            continue
        if expected_libraries == {"zkrecipes", "kazoo"}:
            assert row["ratio"] == pytest.approx(row["median"]["zkrecipes"] / row["median"]["kazoo"])
            assert row["advantage"] > 0


@pytest.mark.timeout(RUN_TIMEOUT_S + 60)
def test_quick_run_reports_every_target(quick_result: dict[str, Any]) -> None:
    targets = quick_result["targets"]
    assert [target["description"] for target in targets] == [target.description for target in TARGETS]
    for target in targets:
        assert isinstance(target["met"], bool), target
        assert target["met"] == (target["value"] >= target["threshold"] if target["op"] == ">="
                                 else target["value"] <= target["threshold"])
        assert target["description"] in quick_result["_stdout"]
    assert "target met" in quick_result["_stdout"] or "shortfall" in quick_result["_stdout"]


@pytest.mark.timeout(RUN_TIMEOUT_S + 60)
def test_chart_and_docs_section_from_quick_result(quick_result: dict[str, Any], tmp_path: Path) -> None:
    svg = render_svg(quick_result, "title", "subtitle")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    labels = {element.text for element in root.iter() if element.tag.endswith("text")}
    assert {row["label"] for row in quick_result["rows"] if row["ratio"] is not None} <= labels

    page = tmp_path / "performance.md"
    page.write_text(f"# Intro\n\n{BEGIN_MARK}\nold table\n{END_MARK}\n\nAfter.\n")
    rewrite_docs_section(quick_result, str(page))
    text = page.read_text()
    assert "old table" not in text
    assert text.startswith("# Intro") and text.endswith("After.\n")
    assert "| sync get, 100 B |" in text
    page.write_text("no markers here\n")
    with pytest.raises(ConfigurationError):
        rewrite_docs_section(quick_result, str(page))


def test_raw_encoding_matches_kazoo_serialization() -> None:
    from kazoo.protocol.serialization import Connect, GetData

    body = bytes(GetData("/a/b", None).serialize())
    framed = encode_get_data(7, "/a/b")
    assert framed[:4] == (len(framed) - 4).to_bytes(4, "big")
    assert framed[4:12] == (7).to_bytes(4, "big") + (4).to_bytes(4, "big")  # xid, GetData opcode
    assert framed[12:] == body
    connect = bytes(Connect(0, 0, 10_000, 0, b"\0" * 16, False).serialize())
    assert encode_connect(10_000)[4:] == connect


@pytest.mark.timeout(RUN_TIMEOUT_S + 60)
def test_quick_asyncio_suite_measures_every_library(zk_hosts: str, tmp_path: Path) -> None:
    """``--suite aio --quick``: every asyncio workload for aiozk, zkrecipes asyncio (and uvloop
    where installed) and the threaded client; every target reported; the docs section renders."""
    from benchmarks.aio_run import BEGIN_MARK as AIO_BEGIN
    from benchmarks.aio_run import END_MARK as AIO_END
    from benchmarks.aio_run import ROWS as AIO_ROWS
    from benchmarks.aio_run import TARGETS as AIO_TARGETS
    from benchmarks.aio_run import rewrite_docs
    from benchmarks.aio_workloads import AIO_SPECS

    out = tmp_path / "aio-quick.json"
    env = {key: value for key, value in os.environ.items() if key != "ZK_HOSTS"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--suite", "aio", "--quick", "--hosts", zk_hosts,
         "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.read_text())
    assert result["suite"] == "aio" and result["errors"] == []
    assert set(result["workloads"]) == {spec.name for spec in AIO_SPECS}
    for workload, metric, _, _ in AIO_ROWS:
        spec = next(spec for spec in AIO_SPECS if spec.name == workload)
        per_library = result["samples"][f"{workload}.{metric}"]
        assert set(per_library) == set(spec.libraries) >= {"aiozk", "aio", "zkrecipes"}, (workload, metric)
        for values in per_library.values():
            assert len(values) == 1 and math.isfinite(values[0]) and values[0] > 0
    assert [t["description"] for t in result["targets"]] == [t.description for t in AIO_TARGETS]
    assert all(isinstance(t["met"], bool) for t in result["targets"])
    page = tmp_path / "performance.md"
    page.write_text(f"# Intro\n\n{AIO_BEGIN}\nold\n{AIO_END}\n\nAfter.\n")
    rewrite_docs(result, str(page))
    text = page.read_text()
    assert "old" not in text and "| awaited sequential get" in text and text.endswith("After.\n")
