"""Small helpers shared by the detectors.  [pure]"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gwanmun.types import Finding

# Digit-run boundaries that still allow a glued Korean particle or Japanese
# okurigana after the value (``900101-1234567이고``, ``…5678です``).
NO_DIGIT_BEFORE = r"(?<![0-9A-Za-z])"
NO_DIGIT_AFTER = r"(?![0-9A-Za-z])"
# An optional separator inside a structured number (after normalisation).
SEP = r"[ .\-]?"


def near(text: str, start: int, end: int, words: Iterable[str], window: int = 24) -> bool:
    """Whether any of ``words`` (case-insensitive) occurs within ``window``
    characters before ``start`` or after ``end``."""
    before = text[max(0, start - window) : start].lower()
    after = text[end : end + window].lower()
    return any(w.lower() in before or w.lower() in after for w in words)


def digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def make(kind: str, start: int, end: int, score: float, detector: str) -> Finding:
    score = round(min(1.0, max(0.0, score)), 3)
    return Finding(kind=kind, start=start, end=end, score=score, detector=detector)
