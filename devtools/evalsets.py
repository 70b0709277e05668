"""Where the evaluation sets are, how to read them, and how detections are scored.

Shared by the quality bar in tests/ (test_guard_quality.py) and the comparison
with peers in bench/quality/eval_guard.py, so both score the same way.

- ``SET``: the generated structured-identifier set (devtools/structured_set.py).
- ``EVAL``: the public development sets beside the repository (shared/eval).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "data" / "structured_set.jsonl"
EVAL = ROOT.parent / "shared" / "eval"

Span = tuple[str, int, int]  # kind, start, end
Detect = Callable[[str], list[Span]]


def load(path: Path) -> list[dict[str, Any]]:
    """A JSON-lines file as a list of rows."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def gwanmun_detector(*, structured_only: bool = True) -> Detect:
    """The built-in detectors as one ``text -> [(kind, start, end)]`` function."""
    from gwanmun.detect import run_detectors
    from gwanmun.detect.builtin import builtin_detectors

    detectors = builtin_detectors(structured_only=structured_only)

    def detect(text: str) -> list[Span]:
        return [(f.kind, f.start, f.end) for f in run_detectors(text, detectors)]

    return detect


def score_structured(
    rows: Iterable[dict[str, Any]], detect: Detect, kinds: set[str]
) -> dict[str, list[int]]:
    """Per kind: [true positives, false negatives, false positives]. A hit is a
    prediction of the same kind overlapping the labelled span."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        gold = [(s["kind"], s["start"], s["end"]) for s in row["spans"]]
        predicted = [p for p in detect(row["text"]) if p[0] in kinds]
        for kind, start, end in gold:
            hit = any(k == kind and s < end and start < e for k, s, e in predicted)
            counts[kind][0 if hit else 1] += 1
        for kind, start, end in predicted:
            if not any(k == kind and s < end and start < e for k, s, e in gold):
                counts[kind][2] += 1
    return counts


def ratios(tp: int, fn: int, fp: int) -> tuple[float, float]:
    """Recall and precision (1.0 where nothing was there to find or found)."""
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return recall, precision
