"""Builds the configured guards from settings (the one place that wires them)."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from gwanmun.check import TextCheck
from gwanmun.check.grounding import GroundingCheck
from gwanmun.detect import Detector
from gwanmun.detect.builtin import configured_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.output import CheckingOutputGuard, OutputOptions
from gwanmun.policy import Policy, load_policy
from gwanmun.settings import Settings
from gwanmun.types import Finding

log = logging.getLogger("gwanmun.guard")

# Check name -> "module:class"; imported only when a policy turns the check on.
CHECKS = {
    "toxicity": "gwanmun.check.toxicity:ToxicityCheck",
    "injection": "gwanmun.check.injection:InjectionCheck",
}


def input_guard_from_settings(settings: Settings) -> DetectorInputGuard:
    return input_guard_for(load_policy(settings.policy_file))


def input_guard_for(policy: Policy, detectors: list[Detector] | None = None) -> DetectorInputGuard:
    if detectors is None:
        detectors = configured_detectors(policy)
        detectors += [CheckDetector(load_check(n)) for n in policy.data.output.input_checks]
    return DetectorInputGuard(detectors, policy)


def output_guard_for(
    policy: Policy, scanner: DetectorInputGuard, *, data_dir: Path | None = None
) -> CheckingOutputGuard:
    rules = policy.data.output
    # The leak re-scan uses the identifier and name detectors, not the input checks.
    leak_scanner = DetectorInputGuard(
        [d for d in scanner.detectors if not isinstance(d, CheckDetector)], policy
    )
    return CheckingOutputGuard(
        policy,
        scanner=leak_scanner if rules.leak_scan else None,
        checks=[load_check(n) for n in rules.checks if n not in ("verbatim", "grounding")],
        grounding=_grounding() if "grounding" in rules.checks else None,
        span_checks=[verbatim_check(data_dir, rules.verbatim_min_chars)]
        if "verbatim" in rules.checks
        else [],
        options=OutputOptions(hold_back=rules.hold_back, hold_back_chars=rules.hold_back_chars),
    )


def _grounding() -> GroundingCheck:
    from gwanmun.check.grounding import GroundingCheck

    return GroundingCheck()


def verbatim_check(data_dir: Path | None, min_chars: int) -> TextCheck:
    """The verbatim check over every corpus in ``data_dir/corpus`` (none: it finds nothing)."""
    from gwanmun.check.verbatim import CorpusIndex, VerbatimCheck

    root = data_dir / "corpus" if data_dir is not None else None
    indexes = (
        [CorpusIndex(meta.parent) for meta in sorted(root.glob("*/meta.json"))]
        if root is not None and root.exists()
        else []
    )
    if not indexes:
        log.info("verbatim check on, but no corpus is indexed yet (gwanmun corpus add)")
    return VerbatimCheck(indexes, min_chars=min_chars)


def load_check(name: str) -> TextCheck:
    module, _, cls = CHECKS[name].partition(":")
    check: TextCheck = getattr(importlib.import_module(module), cls)()
    return check


class CheckDetector:
    """A ``TextCheck`` run on input messages like any detector (fails closed the same way)."""

    def __init__(self, check: TextCheck) -> None:
        self.check = check
        self.id = check.name
        self.kinds: tuple[str, ...] = ()

    def detect(self, text: str) -> list[Finding]:
        return self.check.check(text)

    def warm_up(self) -> None:
        self.check.check("warm up")
