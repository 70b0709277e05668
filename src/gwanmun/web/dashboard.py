"""The usage dashboard's charts and tables, in the page's language, from the
report ``gwanmun.usage`` builds (which does the counting; this only draws)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from gwanmun.web.charts import Row, bar_chart, legend

# The charts over time show the most recent periods; the table and CSV have them all.
CHART_PERIODS = 31


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    svg: Markup
    legend: Markup | None = None


def dashboard(report: dict[str, Any], t: dict[str, str]) -> dict[str, Any]:
    """What usage.html shows: totals, charts and the rows of its tables."""

    def group_name(group: str) -> str:
        return t["no_group"] if group == "-" else group

    def period_name(start: str) -> str:
        return start if report["period"] == "day" else t["week_of"].format(date=start)

    def kind_name(kind: str) -> str:
        return t.get(f"kind_{kind}", kind)

    in_time = sorted({row["group"] for row in report["over_time"]})
    departments = [group_name(g) for g in in_time]
    periods = report["periods"][-CHART_PERIODS:]
    charts: list[Chart] = []
    for metric in ("requests", "blocked", "tokens"):
        rows = []
        for start in periods:
            here = {r["group"]: r[metric] for r in report["over_time"] if r["period"] == start}
            rows.append(Row(period_name(start), tuple(here.get(g, 0) for g in in_time)))
        chart_id = f"chart-{metric}"
        title = t[f"{metric}_over_time"]
        charts.append(
            Chart(
                chart_id,
                title,
                bar_chart(rows, departments, labelledby=chart_id, described=t["desc_over_time"]),
                legend(departments),
            )
        )
    saved = sorted(report["groups"].items(), key=lambda item: -item[1]["hours_saved"])
    singles = (
        (
            "chart-hours",
            t["hours_by_group"],
            [Row(group_name(g), (row["hours_saved"],)) for g, row in saved if row["hours_saved"]],
        ),
        (
            "chart-kinds",
            t["blocks_by_kind"],
            [Row(kind_name(k), (n,)) for k, n in report["blocks_by_kind"].items()],
        ),
        (
            "chart-templates",
            t["top_templates"],
            [Row(x["title"], (x["uses"],)) for x in report["top_templates"]],
        ),
    )
    for chart_id, title, rows in singles:
        svg = bar_chart(rows, [title], labelledby=chart_id, described=title) if rows else None
        charts.append(Chart(chart_id, title, svg or Markup("")))
    return {
        "period": report["period"],
        "totals": {key: report[key] for key in ("requests", "blocked", "tokens", "hours_saved")},
        "charts": charts,
        "groups": [(group_name(g), row) for g, row in report["groups"].items()],
        "over_time": [
            {**row, "period": period_name(row["period"]), "group": group_name(row["group"])}
            for row in report["over_time"]
        ],
        "blocks": [(kind_name(k), n) for k, n in report["blocks_by_kind"].items()],
        "top": report["top_templates"],
    }
