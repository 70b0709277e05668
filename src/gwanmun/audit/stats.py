"""Counts over audit records, shared by ``gwanmun audit stats`` and GET /v1/audit/stats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


def summarise(bodies: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Requests counted by outcome, grade, model, group and kind of finding; tokens summed."""
    counters: dict[str, Counter[str]] = {
        "outcome": Counter(),
        "grade": Counter(),
        "model": Counter(),
        "group": Counter(),
        "finding_kind": Counter(),
    }
    total = tokens = 0
    for body in bodies:
        total += 1
        for name in ("outcome", "grade", "model", "group"):
            counters[name][str(body.get(name) or "-")] += 1
        for finding in body.get("findings", []):
            counters["finding_kind"][str(finding.get("kind"))] += 1
        tokens += int((body.get("usage") or {}).get("total_tokens") or 0)
    return {
        "requests": total,
        "tokens": tokens,
        **{f"by_{name}": dict(c.most_common()) for name, c in counters.items()},
    }
