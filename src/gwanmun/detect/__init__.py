"""Input detectors: one per module, each ``detect(text) -> list[Finding]``.

Every detector is pure (no IO, no environment, no clock) and registers itself
in ``REGISTRY`` by a stable id, exactly as a third-party detector would.
"""

from __future__ import annotations

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


def run_detectors(
    text: str | Normalized, detectors: Sequence[Detector], *, message_index: int | None = None
) -> list[Finding]:
    """Normalise once, run every detector, and map findings to original offsets.

    Exceptions from a detector propagate: the caller decides (the input guard
    fails closed and names the detector).
    """
    normalized = text if isinstance(text, Normalized) else normalize(text)
    found: list[Finding] = []
    for detector in detectors:
        for f in detector.detect(normalized.text):
            start, end = normalized.span_to_original(f.start, f.end)
            found.append(replace(f, start=start, end=end, message_index=message_index))
    found.sort(key=lambda f: (f.start, -f.end, f.kind))
    return found
