"""Counts over audit records, shared by ``gwanmun audit``, GET /v1/audit/stats and
the usage report, and the ISO date that bounds which records are counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

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
