"""Run one detector the way the guard does (normalise, detect, map back)."""

from __future__ import annotations

from gwanmun.detect import Detector, run_detectors


def found(text: str, detector: Detector) -> list[tuple[str, str]]:
    """(kind, original substring) for every finding, in text order."""
    return [(f.kind, text[f.start : f.end]) for f in run_detectors(text, [detector])]
