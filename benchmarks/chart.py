"""Draw the results as a standalone SVG bar chart (no plotting dependency).

One horizontal bar per measurement compared with kazoo, showing zkrecipes's *advantage*
(how many times better it is, whichever direction "better" is for that measurement) on a
logarithmic axis; 1x is parity. A black tick marks the issue's target where one exists.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH = 920
LABEL_WIDTH = 330
RIGHT_MARGIN = 90
ROW_HEIGHT = 26
TOP = 64
BOTTOM = 46


def _target_advantages(summary: dict[str, Any]) -> dict[str, float]:
    """Targets expressed as an advantage over kazoo, per row key (kazoo comparisons only)."""
    marks: dict[str, float] = {}
    rows = {row["key"]: row for row in summary["rows"]}
    for target in summary["targets"]:
        row = rows.get(target["row"])
        if row is None or "kazoo" not in target["description"]:
            continue
        threshold = float(target["threshold"])
        marks[row["key"]] = threshold if row["better"] == "higher" else 1.0 / threshold
    return marks


def render_svg(summary: dict[str, Any], title: str, subtitle: str) -> str:
    """The chart as SVG text; rows without a ratio are listed as "no data"."""
    rows = [row for row in summary["rows"] if not row["key"].startswith("raw_")]  # ceilings: no ratio
    marks = _target_advantages(summary)
    values = [row["advantage"] for row in rows if row["advantage"]] + list(marks.values()) + [1.0]
    low = 10 ** math.floor(math.log10(min(values) / 1.2))
    high = 10 ** math.ceil(math.log10(max(values) * 1.2))
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    height = TOP + ROW_HEIGHT * len(rows) + BOTTOM

    def x_of(value: float) -> float:
        return LABEL_WIDTH + plot_width * (math.log10(value) - math.log10(low)) / (
            math.log10(high) - math.log10(low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{WIDTH / 2}" y="42" text-anchor="middle" fill="#555">{escape(subtitle)}</text>',
    ]
    decade = low
    while decade <= high * 1.001:
        x = x_of(decade)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - BOTTOM + 4}" '
                     f'stroke="{"#333" if decade == 1 else "#ddd"}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - BOTTOM + 18}" text-anchor="middle">{decade:g}x</text>')
        decade *= 10
    parts.append(f'<text x="{LABEL_WIDTH + plot_width / 2}" y="{height - 8}" text-anchor="middle" '
                 'fill="#555">zkrecipes advantage over kazoo (log scale; &gt; 1x = zkrecipes better)</text>')
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        label = escape(row["label"])
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">{label}</text>')
        value = row["advantage"]
        if not value:
            parts.append(f'<text x="{LABEL_WIDTH + 6}" y="{y + 17}" fill="#a00">no data</text>')
            continue
        x0, x1 = x_of(1.0), x_of(value)
        colour = "#2e7d32" if value >= marks.get(row["key"], 1.0) else "#ef6c00" if value >= 1 else "#c62828"
        parts.append(f'<rect x="{min(x0, x1):.1f}" y="{y + 5}" width="{max(abs(x1 - x0), 1):.1f}" '
                     f'height="{ROW_HEIGHT - 10}" fill="{colour}"/>')
        parts.append(f'<text x="{max(x0, x1) + 4:.1f}" y="{y + 17}">{value:.2f}x</text>')
        if row["key"] in marks:
            xt = x_of(marks[row["key"]])
            parts.append(f'<line x1="{xt:.1f}" y1="{y + 2}" x2="{xt:.1f}" y2="{y + ROW_HEIGHT - 2}" '
                         'stroke="black" stroke-width="2"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
