"""Bar charts as server-side SVG: no script, no inline style (the pages' CSP allows
neither), colours from ``app.css`` classes (``series-0`` …), words from the caller.

Bars are horizontal, one row per label with the label above its bar, so a
chart stays readable on a phone: the drawing is narrow (a phone shows it at
about its own size) and long names (``個人番号(マイナンバー)``) need no cutting. Each chart
is an ``<svg role="img">`` named by its heading; the page shows the same numbers
in a table (and as CSV) for screen readers and spreadsheets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# The drawing's own units; the SVG scales to its box (see .chart in app.css).
WIDTH = 340
BAR_START = 2
BAR_END = 290  # room after the longest bar for its number
ROW = 42  # a label line, then its bar
LABEL_Y = 14
BAR_Y = 19
BAR = 16
LABEL_CHARS = 26  # longer labels are cut with "…" (the full one is the bar's tooltip)
SERIES_CLASSES = 6  # .series-0 … .series-5 in app.css


@dataclass(frozen=True, slots=True)
class Row:
    """One bar: its label and its parts, one value per series (stacked in order)."""

    label: str
    values: tuple[float, ...]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: float) -> str:
    return f"{value:,.1f}" if value != int(value) else f"{int(value):,}"


def bar_chart(
    rows: Sequence[Row], series: Sequence[str], *, labelledby: str, described: str
) -> Markup:
    """Stacked horizontal bars, one row per ``Row``; ``series`` names the parts (a
    legend is the caller's: see ``legend``). ``labelledby`` is the id of the chart's
    heading and ``described`` a sentence that says what the chart shows."""
    total = max((sum(r.values) for r in rows), default=0) or 1
    scale = (BAR_END - BAR_START) / total
    height = max(len(rows), 1) * ROW
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(labelledby)}" preserveAspectRatio="xMinYMin meet">',
        f"<desc>{escape(described)}</desc>",
    ]
    for i, row in enumerate(rows):
        y = i * ROW
        parts.append(
            f'<text class="label" x="{BAR_START}" y="{y + LABEL_Y}">'
            f"{escape(_short(row.label))}</text>"
        )
        x = float(BAR_START)
        for j, value in enumerate(row.values):
            if value <= 0:
                continue
            width = value * scale
            name = (
                f"{row.label} · {series[j]}: {_number(value)}"
                if len(series) > 1
                else (f"{row.label}: {_number(value)}")
            )
            parts.append(
                f'<rect class="series-{j % SERIES_CLASSES}" x="{x:.1f}" y="{y + BAR_Y}" '
                f'width="{max(width, 1):.1f}" height="{BAR}"><title>{escape(name)}</title></rect>'
            )
            x += width
        parts.append(
            f'<text class="value" x="{x + 4:.1f}" y="{y + BAR_Y + BAR - 3}">'
            f"{escape(_number(sum(row.values)))}</text>"
        )
    parts.append(
        f'<line class="axis" x1="{BAR_START}" y1="{BAR_Y - 2}" x2="{BAR_START}" '
        f'y2="{height}"/></svg>'
    )
    return Markup("".join(parts))


def legend(series: Sequence[str]) -> Markup:
    """The series' names with their colours, as HTML text (it wraps and zooms)."""
    items = "".join(
        f'<li><span class="swatch series-{i % SERIES_CLASSES}" aria-hidden="true"></span>'
        f"{escape(name)}</li>"
        for i, name in enumerate(series)
    )
    return Markup(f'<ul class="legend">{items}</ul>')
