"""Server-drawn charts and the counts behind them (no browser needed)."""

from __future__ import annotations

import re
from datetime import date, datetime

from gwanmun.audit.stats import iso_time, use_over_time
from gwanmun.web.charts import Row, bar_chart


def test_bars_are_proportional_and_need_no_style_or_script() -> None:
    svg = str(
        bar_chart(
            [Row("2026-12-01", (4, 2)), Row("個人番号(マイナンバー)", (3, 0))],
            ["민원과", "<script>"],
            labelledby="c1",
            described="what it shows",
        )
    )
    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', svg)]
    assert len(widths) == 3  # a zero value draws nothing
    assert abs(widths[0] / widths[2] - 4 / 3) < 0.01
    assert "style=" not in svg and "<script>" not in svg  # the CSP allows neither
    assert 'role="img"' in svg and 'aria-labelledby="c1"' in svg
    assert "個人番号(マイナンバー)" in svg
    assert "&lt;script&gt;: 2" in svg  # series names escaped, in each bar's tooltip


def _at(day: str, **body: object) -> dict[str, object]:
    return {"time": datetime.fromisoformat(day + "T12:00").timestamp(), **body}


def test_use_over_time_by_day_and_week_with_empty_periods() -> None:
    bodies = [
        _at("2026-11-30", group="민원과", outcome="allowed", usage={"total_tokens": 10}),
        _at("2026-12-02", group="민원과", outcome="blocked"),
        _at("2026-12-02", group=None, outcome="masked", usage={"total_tokens": 5}),
    ]
    days = use_over_time(bodies, "day")
    assert list(days) == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    assert days[date(2026, 12, 1)] == {}
    assert days[date(2026, 12, 2)]["민원과"] == {"requests": 1, "blocked": 1, "tokens": 0}
    assert days[date(2026, 12, 2)]["-"]["tokens"] == 5
    weeks = use_over_time(bodies, "week")
    assert list(weeks) == [date(2026, 11, 30)]  # a Monday
    assert weeks[date(2026, 11, 30)]["민원과"]["requests"] == 2


def test_audit_times_are_iso_8601_with_an_offset() -> None:
    text = iso_time(datetime.fromisoformat("2026-12-02T09:15:02.125").timestamp())
    assert re.fullmatch(r"2026-12-02T09:15:02\.125[+-]\d\d:\d\d", text)
