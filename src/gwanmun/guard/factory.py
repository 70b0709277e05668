"""Builds the configured guards from settings (the one place that wires them)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gwanmun.check.builtin  # noqa: F401 - registers the built-in checks
from gwanmun.check import CheckContext, CheckShape, TextCheck, check_spec
from gwanmun.check.grounding import GroundingCheck
from gwanmun.detect import Detector
from gwanmun.detect.builtin import configured_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.output import CheckingOutputGuard, OutputOptions
from gwanmun.policy import Policy, load_policy
from gwanmun.settings import Settings
from gwanmun.types import Finding, Stage

log = logging.getLogger("gwanmun.guard")


def input_guard_from_settings(settings: Settings) -> DetectorInputGuard:
    return input_guard_for(load_policy(settings.policy_file))


def input_guard_for(policy: Policy, detectors: list[Detector] | None = None) -> DetectorInputGuard:
    if detectors is None:
        detectors = configured_detectors(policy)
        context = CheckContext(injection_embedding=policy.data.output.injection_embedding)
        for name in policy.data.output.input_checks:
            spec = check_spec(name, Stage.INPUT)
            detectors.append(CheckDetector(spec.build(context), spec.kinds))
    return DetectorInputGuard(detectors, policy)


def data_guard(scanner: DetectorInputGuard) -> DetectorInputGuard:
    """``scanner`` without its input checks (injection): identifiers, names,
    markings and secrets only — for text that no model will read as instructions
    (the leak re-scan of answers, texts sent for embedding)."""
    return DetectorInputGuard(
        [d for d in scanner.detectors if not isinstance(d, CheckDetector)], scanner.policy
    )


def output_guard_for(
    policy: Policy, scanner: DetectorInputGuard, *, data_dir: Path | None = None
) -> CheckingOutputGuard:
    rules = policy.data.output
    # The leak re-scan uses the identifier and name detectors, not the input checks.
    leak_scanner = data_guard(scanner)
    context = CheckContext(data_dir=data_dir, verbatim_min_chars=rules.verbatim_min_chars)
    # Each check goes where its shape says: per sentence, over spans, or whole answers.
    slots: dict[CheckShape, list[Any]] = {shape: [] for shape in CheckShape}
    for name in rules.checks:
        spec = check_spec(name, Stage.OUTPUT)
        slots[spec.shape].append(spec.build(context))
    answer: list[GroundingCheck] = slots[CheckShape.ANSWER]
    return CheckingOutputGuard(
        policy,
        scanner=leak_scanner if rules.leak_scan else None,
        checks=slots[CheckShape.SENTENCE],
        span_checks=slots[CheckShape.SPAN],
        grounding=answer[0] if answer else None,
        options=OutputOptions(hold_back=rules.hold_back, hold_back_chars=rules.hold_back_chars),
    )


class CheckDetector:
    """A ``TextCheck`` run on input messages like any detector (fails closed the same way)."""

    def __init__(self, check: TextCheck, kinds: tuple[str, ...] = ()) -> None:
        self.check = check
        self.id = check.name
        self.kinds = kinds

    def detect(self, text: str) -> list[Finding]:
        return self.check.check(text)

    def warm_up(self) -> None:
        # A check's own warm-up loads what one English phrase does not reach (the
        # injection check's sentence encoder is consulted on Korean and Japanese only).
        warm = getattr(self.check, "warm_up", None)
        if callable(warm):
            warm()
        self.check.check("warm up")
