"""Builds the configured guards from settings (the one place that wires them)."""

from __future__ import annotations

import importlib

from gwanmun.check import TextCheck
from gwanmun.detect import Detector
from gwanmun.detect.builtin import configured_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.output import CheckingOutputGuard, OutputOptions
from gwanmun.policy import Policy, load_policy
from gwanmun.settings import Settings
from gwanmun.types import Finding

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


def output_guard_for(policy: Policy, scanner: DetectorInputGuard) -> CheckingOutputGuard:
    rules = policy.data.output
    # The leak re-scan uses the identifier and name detectors, not the input checks.
    leak_scanner = DetectorInputGuard(
        [d for d in scanner.detectors if not isinstance(d, CheckDetector)], policy
    )
    return CheckingOutputGuard(
        policy,
        scanner=leak_scanner if rules.leak_scan else None,
        checks=[load_check(name) for name in rules.checks],
        options=OutputOptions(hold_back=rules.hold_back, hold_back_chars=rules.hold_back_chars),
    )


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
