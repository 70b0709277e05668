"""The usage report: use per department and over time, blocks by kind, top
templates, hours saved.

Counts from the audit log (``audit.stats``) joined with what the workspace
store knows (template uses and ratings, the time staff say answers saved them).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from gwanmun.audit.stats import Period, use_by_group, use_over_time
from gwanmun.audit.store import AuditStore
from gwanmun.prompts.store import WorkspaceStore

CSV_COLUMNS = ("group", "requests", "blocked", "tokens", "answers_rated", "hours_saved")
SERIES_COLUMNS = ("period", "group", "requests", "blocked", "tokens")


def usage_report(
    audit: AuditStore | None,
    workspace: WorkspaceStore,
    *,
    since: float | None = None,
    period: Period = "day",
) -> dict[str, Any]:
    """The report as JSON-ready data; records before ``since`` are left out.

    ``over_time`` has one row per period (day or week, local time) and group, each
    period from the first record to the last (an empty period has no rows but is
    listed in ``periods``). Without an audit store the report still shows the
    workspace's side.
    """
    bodies = [] if audit is None else [record.body for record in audit.records(since=since)]
    counted, blocks = use_by_group(bodies)
    groups: dict[str, dict[str, Any]] = {
        group: {**row, "answers_rated": 0, "hours_saved": 0.0} for group, row in counted.items()
    }
    for group, saved in workspace.time_saved(since=since).items():
        row = groups.setdefault(
            group,
            {"requests": 0, "blocked": 0, "tokens": 0, "answers_rated": 0, "hours_saved": 0.0},
        )
        row["answers_rated"] = int(saved["answers"])
        row["hours_saved"] = saved["hours_saved"]
    over_time = use_over_time(bodies, period)
    return {
        "groups": groups,
        "period": period,
        "periods": [start.isoformat() for start in over_time],
        "over_time": [
            {"period": start.isoformat(), "group": group, **row}
            for start, by_group in over_time.items()
            for group, row in sorted(by_group.items())
        ],
        "blocks_by_kind": dict(blocks.most_common()),
        "top_templates": [
            {"title": t.data.title, "uses": t.uses, "rating": t.rating}
            for t in workspace.top(10)
            if t.uses
        ],
        "requests": sum(g["requests"] for g in groups.values()),
        "blocked": sum(g["blocked"] for g in groups.values()),
        "tokens": sum(g["tokens"] for g in groups.values()),
        "hours_saved": round(sum(g["hours_saved"] for g in groups.values()), 2),
    }


def usage_csv(report: dict[str, Any]) -> str:
    """One row per group, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for group, row in report["groups"].items():
        writer.writerow([group, *(row[column] for column in CSV_COLUMNS[1:])])
    return out.getvalue()


def usage_series_csv(report: dict[str, Any]) -> str:
    """One row per period (the ISO date it starts) and group, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SERIES_COLUMNS)
    for row in report["over_time"]:
        writer.writerow([row[column] for column in SERIES_COLUMNS])
    return out.getvalue()
