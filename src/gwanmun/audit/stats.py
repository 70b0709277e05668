"""Counts over audit records, shared by ``gwanmun audit``, GET /v1/audit/stats and
the usage report, and the ISO date that bounds which records are counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from gwanmun.errors import InvalidRequest

Body = Mapping[str, Any]


def since_timestamp(value: str | None, *, name: str = "since=") -> float | None:
    """An ISO date or date-time (``2026-11-01``, ``2026-11-01T09:00``) as a Unix time.

    ``name`` is how the caller spells the parameter in the message: ``since=``
    on the HTTP API, ``--since `` on the command line.
    """
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise InvalidRequest(f"{name}{value!r} is not an ISO date or date-time") from None


def iso_time(timestamp: float) -> str:
    """A record's Unix time as ISO 8601 with the local UTC offset
    (``2026-11-03T09:15:02.125+09:00``): what a spreadsheet and a person read."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="milliseconds")


def until_timestamp(value: str | None, *, name: str = "until=") -> float | None:
    """The end of an ISO date (inclusive: ``2026-11-30`` runs to midnight after it)
    or an ISO date-time, as a Unix time."""
    if value is None:
        return None
    start = since_timestamp(value, name=name)
    assert start is not None
    if "T" in value or " " in value:
        return start
    return (datetime.fromisoformat(value) + timedelta(days=1)).timestamp()


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which audit records an auditor asked for, beyond the store's own
    ``since``/``user``: an end time, an outcome and a kind of finding."""

    until: float | None = None
    outcome: str | None = None
    kind: str | None = None

    def matches(self, body: Body) -> bool:
        if self.until is not None and float(body.get("time", 0)) >= self.until:
            return False
        if self.outcome is not None and body.get("outcome") != self.outcome:
            return False
        if self.kind is None:
            return True
        found = [*body.get("findings", []), *body.get("output_findings", [])]
        return any(f.get("kind") == self.kind for f in found)


def _label(body: Body, name: str) -> str:
    return str(body.get(name) or "-")


def _tokens(body: Body) -> int:
    return int((body.get("usage") or {}).get("total_tokens") or 0)


def is_admin(body: Body) -> bool:
    """An administrative action (``AdminEvent``), not a request."""
    return body.get("kind") == "admin"


def summarise(bodies: Iterable[Body]) -> dict[str, Any]:
    """Requests counted by outcome, grade, model, group and kind of finding; tokens summed."""
    counters: dict[str, Counter[str]] = {
        "outcome": Counter(),
        "grade": Counter(),
        "model": Counter(),
        "group": Counter(),
        "finding_kind": Counter(),
    }
    total = tokens = admin = 0
    for body in bodies:
        if is_admin(body):
            admin += 1
            continue
        total += 1
        for name in ("outcome", "grade", "model", "group"):
            counters[name][_label(body, name)] += 1
        for finding in body.get("findings", []):
            counters["finding_kind"][str(finding.get("kind"))] += 1
        tokens += _tokens(body)
    return {
        "requests": total,
        "admin_actions": admin,
        "tokens": tokens,
        **{f"by_{name}": dict(c.most_common()) for name, c in counters.items()},
    }


def use_by_group(bodies: Iterable[Body]) -> tuple[dict[str, dict[str, int]], Counter[str]]:
    """Per group (department): requests, blocked requests, tokens; and how many
    blocked requests each kind of finding took part in (once per request)."""
    groups: dict[str, dict[str, int]] = {}
    blocks: Counter[str] = Counter()
    for body in bodies:
        if is_admin(body):
            continue
        row = groups.setdefault(_label(body, "group"), {"requests": 0, "blocked": 0, "tokens": 0})
        row["requests"] += 1
        row["tokens"] += _tokens(body)
        if body.get("outcome") == "blocked":
            row["blocked"] += 1
            blocks.update({str(f.get("kind")) for f in body.get("findings", [])})
    return groups, blocks


Period = Literal["day", "week"]


def period_start(timestamp: float, period: Period) -> date:
    """The local day a record falls on, or the Monday that starts its week."""
    day = datetime.fromtimestamp(timestamp).date()
    return day if period == "day" else day - timedelta(days=day.weekday())


def use_over_time(bodies: Iterable[Body], period: Period) -> dict[date, dict[str, dict[str, int]]]:
    """Per day (or week), per group: requests, blocked requests and tokens; every
    period from the first record to the last is present, empty ones included."""
    table: dict[date, dict[str, dict[str, int]]] = {}
    for body in bodies:
        if is_admin(body):
            continue  # administrative actions are no requests
        start = period_start(float(body.get("time", 0)), period)
        row = table.setdefault(start, {}).setdefault(
            _label(body, "group"), {"requests": 0, "blocked": 0, "tokens": 0}
        )
        row["requests"] += 1
        row["tokens"] += _tokens(body)
        row["blocked"] += body.get("outcome") == "blocked"
    if not table:
        return {}
    step = timedelta(days=1 if period == "day" else 7)
    first, last = min(table), max(table)
    filled: dict[date, dict[str, dict[str, int]]] = {}
    while first <= last:
        filled[first] = table.get(first, {})
        first += step
    return filled
