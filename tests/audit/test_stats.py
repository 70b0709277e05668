"""Counting audit records: the one ``since`` parser and the per-group use that
the usage report is built from."""

from __future__ import annotations

from datetime import datetime

import pytest

from gwanmun.audit.stats import since_timestamp, summarise, use_by_group
from gwanmun.errors import InvalidRequest

BODIES = [
    {"group": "민원과", "outcome": "masked", "usage": {"total_tokens": 12},
     "findings": [{"kind": "PHONE"}]},
    {"group": "민원과", "outcome": "blocked", "usage": None,
     "findings": [{"kind": "JP_MY_NUMBER"}, {"kind": "JP_MY_NUMBER"}, {"kind": "PHONE"}]},
    {"outcome": "ok", "usage": {"total_tokens": 3}, "findings": []},
]  # fmt: skip


def test_use_by_group_counts_a_blocked_kind_once_per_request() -> None:
    groups, blocks = use_by_group(BODIES)
    assert groups == {
        "민원과": {"requests": 2, "blocked": 1, "tokens": 12},
        "-": {"requests": 1, "blocked": 0, "tokens": 3},
    }
    assert blocks == {"JP_MY_NUMBER": 1, "PHONE": 1}


def test_summarise_and_use_by_group_agree() -> None:
    summary = summarise(BODIES)
    groups, _ = use_by_group(BODIES)
    assert summary["by_group"] == {g: row["requests"] for g, row in groups.items()}
    assert summary["tokens"] == sum(row["tokens"] for row in groups.values())


def test_since_is_an_iso_date_or_date_time() -> None:
    assert since_timestamp(None) is None
    assert since_timestamp("2026-11-01") == datetime(2026, 11, 1).timestamp()
    assert since_timestamp("2026-11-01T09:30") == datetime(2026, 11, 1, 9, 30).timestamp()
    with pytest.raises(InvalidRequest, match=r"^since='yesterday' is not an ISO date"):
        since_timestamp("yesterday")
    with pytest.raises(InvalidRequest, match=r"^--since '' is not an ISO date"):
        since_timestamp("", name="--since ")
