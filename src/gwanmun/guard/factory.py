"""Builds the configured guards from settings (the one place that wires them)."""

from __future__ import annotations

from gwanmun.detect import Detector
from gwanmun.detect.builtin import configured_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.policy import Policy, load_policy
from gwanmun.settings import Settings


def input_guard_from_settings(settings: Settings) -> DetectorInputGuard:
    return input_guard_for(load_policy(settings.policy_file))


def input_guard_for(policy: Policy, detectors: list[Detector] | None = None) -> DetectorInputGuard:
    return DetectorInputGuard(
        configured_detectors(policy) if detectors is None else detectors, policy
    )
