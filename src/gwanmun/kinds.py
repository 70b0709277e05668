"""The catalogue of finding kinds: every kind a detector or check can emit,
where it can be found, and by what.

It is built from the registries (``gwanmun.detect.REGISTRY``,
``gwanmun.check.CHECK_REGISTRY``) and the detectors a policy configures, not
written down a second time. ``tests/test_kinds.py`` holds the rest of the
house to it: every kind has a label in ko/ja/en (``web/i18n.py``), a rule in
the default policy and a row in ``docs/policy.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gwanmun.types import Stage

if TYPE_CHECKING:
    from gwanmun.policy import Policy


@dataclass(frozen=True, slots=True)
class KindInfo:
    """One kind: where it is found (``stage``) and which detectors or checks emit it."""

    kind: str
    stage: Stage
    sources: tuple[str, ...]


def _merge(a: Stage, b: Stage) -> Stage:
    return a if a is b else Stage.BOTH


def catalogue(policy: Policy | None = None) -> dict[str, KindInfo]:
    """Every kind the built-in detectors and checks emit, the configured ones
    (``ORG_TERM``, ``INTERNAL_HOST``) and, given a ``Policy``, its plugins' kinds.

    Detectors run on requests and, as the leak re-scan, on answers: stage
    ``both``. Checks declare their own stage.
    """
    import gwanmun.check.builtin  # noqa: F401 - registers the built-in checks
    from gwanmun.check import CHECK_REGISTRY
    from gwanmun.detect.builtin import CONFIGURED, builtin_detectors, plugin_detectors

    entries: list[tuple[str, Stage, str]] = []
    detectors = builtin_detectors()
    if policy is not None:
        detectors += plugin_detectors(policy)
    for detector in detectors:
        entries += [(kind, Stage.BOTH, detector.id) for kind in detector.kinds]
    for configured in CONFIGURED:
        entries += [(kind, Stage.BOTH, configured.id) for kind in configured.kinds]
    for spec in CHECK_REGISTRY.select():
        entries += [(kind, spec.stage, spec.id) for kind in spec.kinds]
    found: dict[str, KindInfo] = {}
    for kind, stage, source in entries:
        seen = found.get(kind)
        if seen is None:
            found[kind] = KindInfo(kind, stage, (source,))
        elif source not in seen.sources:
            found[kind] = KindInfo(kind, _merge(seen.stage, stage), (*seen.sources, source))
    return dict(sorted(found.items()))
