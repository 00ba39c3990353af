"""Write a run's results: JSON files, the SVG chart and the generated part of the docs page."""

from __future__ import annotations

import json
import os
from typing import Any

from benchmarks.chart import render_svg
from benchmarks.report import table_lines
from zkrecipes.exceptions import ConfigurationError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATEST_JSON = os.path.join(REPO, "benchmarks", "results", "latest.json")
DOCS_JSON = os.path.join(REPO, "docs", "performance.json")
DOCS_SVG = os.path.join(REPO, "docs", "performance.svg")
DOCS_PAGE = os.path.join(REPO, "docs", "performance.md")
BEGIN_MARK = "<!-- BEGIN GENERATED: benchmarks.run --write-docs -->"
END_MARK = "<!-- END GENERATED -->"


def write_json(result: dict[str, Any], path: str) -> None:
    """Write ``result`` as indented JSON, creating the directory if needed."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(result, fh, indent=1, sort_keys=False)
        fh.write("\n")


def chart_subtitle(result: dict[str, Any]) -> str:
    env = result["environment"]
    version = env["server"].get("version", "?").split("-")[0]
    return (f"{result['rounds']} rounds, medians; ZooKeeper {version} "
            f"(netty, forceSync), {env['cpu_count']} cores; {result['started_at']}")


def write_svg(result: dict[str, Any], path: str) -> None:
    with open(path, "w") as fh:
        fh.write(render_svg(result, "zkrecipes vs kazoo", chart_subtitle(result)))


def docs_section(result: dict[str, Any]) -> list[str]:
    """The Markdown that goes between the markers of docs/performance.md."""
    env = result["environment"]
    lines = [
        f"Run of {result['started_at']}: {result['rounds']} rounds (A B alternating), "
        f"{result['elapsed_s']:.0f} s in all, Python {env['python']}, kazoo {env['kazoo_version']}, "
        f"zkrecipes {env['zkrecipes_version']}, {env['cpu_count']} cores, ZooKeeper "
        f"{env['server'].get('version', '?').split('-')[0]} ({env['server_source']}).",
        "",
        *table_lines(result, markdown=True),
        "",
    ]
    for target in result["targets"]:
        status = "n/a" if target["met"] is None else "target met" if target["met"] else "**shortfall**"
        value = "-" if target["value"] is None else f"{target['value']:.3g}"
        lines.append(f"- {target['description']}: {value} (needs {target['op']} {target['threshold']:.3g}) "
                     f"- {status}")
    lines += ["", "![zkrecipes advantage over kazoo](performance.svg)"]
    return lines


def rewrite_docs_section(result: dict[str, Any], page: str = DOCS_PAGE) -> None:
    """Replace the text between the markers of ``page`` with :func:`docs_section`.

    Raises :class:`ConfigurationError` if the page lacks the markers (nothing is written).
    """
    with open(page) as fh:
        text = fh.read()
    begin, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if begin < 0 or end < begin:
        raise ConfigurationError(f"{page} lacks the {BEGIN_MARK!r} ... {END_MARK!r} markers")
    new = text[: begin + len(BEGIN_MARK)] + "\n" + "\n".join(docs_section(result)) + "\n" + text[end:]
    with open(page, "w") as fh:
        fh.write(new)
