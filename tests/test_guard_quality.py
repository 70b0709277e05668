"""The issue's quality bar on the generated structured set: recall ≥ 0.99 and
precision ≥ 0.98 for every kind, with every obfuscation. The set is regenerated
by devtools/structured_set.py; the committed copy must match the generator."""

from __future__ import annotations

import pytest

from devtools.evalsets import SET, gwanmun_detector, load, ratios, score_structured
from devtools.structured_set import build, render

ROWS = load(SET)
KINDS = sorted({s["kind"] for r in ROWS for s in r["spans"]})
COUNTS = score_structured(ROWS, gwanmun_detector(), set(KINDS))


def test_committed_set_is_what_the_generator_makes() -> None:
    assert SET.read_text(encoding="utf-8") == render(build())


def test_set_covers_every_obfuscation() -> None:
    variants = {r["variant"] for r in ROWS}
    assert {
        "plain",
        "fullwidth",
        "spaced",
        "zerowidth",
        "masked",
        "post2020",
        "lookalike",
    } <= variants
    assert {r["lang"] for r in ROWS} == {"ko", "ja", "en"}
    assert len(KINDS) >= 24


@pytest.mark.parametrize("kind", KINDS)
def test_recall_and_precision_per_kind(kind: str) -> None:
    recall, precision = ratios(*COUNTS[kind])
    assert recall >= 0.99 and precision >= 0.98, (kind, recall, precision, COUNTS[kind])
