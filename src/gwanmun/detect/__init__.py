"""Input detectors: one per module, each ``detect(text) -> list[Finding]``.

Every detector is pure (no IO, no environment, no clock) and registers itself
in ``REGISTRY`` by a stable id, exactly as a third-party detector would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol, runtime_checkable

from gwanmun.errors import ConfigError
from gwanmun.text import Normalized, normalize
from gwanmun.types import Finding


@runtime_checkable
class Detector(Protocol):
    """The detector contract.

    ``id`` is stable and unique; ``kinds`` lists the finding kinds it can emit.
    ``detect`` is given the *normalised* text (``gwanmun.text.normalize``: NFKC,
    ASCII digits and hyphens, no zero-width characters, spaced-out digits
    closed up) and returns findings whose offsets index that text;
    ``run_detectors`` maps them back to the original.

    A detector may also set ``trigger``, a regex that every value it reports
    contains (see ``trigger_windows``); it is then given only slices of the
    text around the trigger's matches.
    """

    @property
    def id(self) -> str: ...

    @property
    def kinds(self) -> tuple[str, ...]: ...

    def detect(self, text: str) -> list[Finding]: ...


class DetectorRegistry:
    """Detectors by id. Unknown ids are an error that lists the known ones."""

    def __init__(self) -> None:
        self._by_id: dict[str, Detector] = {}

    def register(self, detector: Detector) -> Detector:
        if detector.id in self._by_id:
            raise ConfigError(f"detector id {detector.id!r} is registered twice")
        self._by_id[detector.id] = detector
        return detector

    def get(self, detector_id: str) -> Detector:
        try:
            return self._by_id[detector_id]
        except KeyError:
            known = ", ".join(sorted(self._by_id)) or "(none)"
            raise ConfigError(f"unknown detector {detector_id!r}; known: {known}") from None

    def select(self, ids: Iterable[str] | None = None) -> list[Detector]:
        if ids is None:
            return [self._by_id[k] for k in sorted(self._by_id)]
        return [self.get(i) for i in ids]

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


REGISTRY = DetectorRegistry()

# How far around a trigger character a detector may need to look: the part of a
# value before its first trigger (a region name before a plate number) plus the
# context words ``near`` reads (at most 40 characters away).
REACH = 96
# Windows closer than this are scanned as one (fewer, longer slices).
BRIDGE = 256

_TRIGGERS: dict[str, re.Pattern[str]] = {}


def trigger_windows(text: str, trigger: str) -> list[tuple[int, int]]:
    """Slices of ``text`` a detector with ``trigger`` must scan: every match of the
    trigger widened by ``REACH`` on both sides, overlapping or near ones merged.

    A detector declares ``trigger`` (a regex) when every value it finds contains
    a match of it — digits for numbers, ``@`` for e-mail. A slice never starts
    or ends within ``REACH`` of a trigger match, so a value, the characters its
    pattern looks at around it and its context words are all inside the slice,
    and the detector finds on the slices exactly what it finds on the whole
    text (tests/test_detect_windows.py checks this on every detector).
    """
    pattern = _TRIGGERS.get(trigger)
    if pattern is None:
        pattern = _TRIGGERS.setdefault(trigger, re.compile(trigger))
    windows: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        lo, hi = max(0, match.start() - REACH), min(len(text), match.end() + REACH)
        if windows and lo <= windows[-1][1] + BRIDGE:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows


def detect_in(
    detector: Detector, text: str, windows: dict[str, list[tuple[int, int]]]
) -> list[Finding]:
    """``detector.detect(text)``, run only on the slices its ``trigger`` needs
    (``windows`` caches them per trigger for the detectors of one text)."""
    trigger: str | None = getattr(detector, "trigger", None)
    if trigger is None:
        return detector.detect(text)
    if trigger not in windows:
        windows[trigger] = trigger_windows(text, trigger)
    slices = windows[trigger]
    if len(slices) == 1 and slices[0] == (0, len(text)):
        return detector.detect(text)
    found: list[Finding] = []
    for lo, hi in slices:
        found.extend(
            replace(f, start=f.start + lo, end=f.end + lo) for f in detector.detect(text[lo:hi])
        )
    return found


def run_detectors(
    text: str | Normalized, detectors: Sequence[Detector], *, message_index: int | None = None
) -> list[Finding]:
    """Normalise once, run every detector, and map findings to original offsets.

    Exceptions from a detector propagate: the caller decides (the input guard
    fails closed and names the detector).
    """
    normalized = text if isinstance(text, Normalized) else normalize(text)
    found: list[Finding] = []
    windows: dict[str, list[tuple[int, int]]] = {}
    for detector in detectors:
        for f in detect_in(detector, normalized.text, windows):
            start, end = normalized.span_to_original(f.start, f.end)
            found.append(replace(f, start=start, end=end, message_index=message_index))
    found.sort(key=lambda f: (f.start, -f.end, f.kind))
    return found
