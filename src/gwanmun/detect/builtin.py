"""The detectors Gwanmun ships, and the ones built from a policy.

Importing this module registers every built-in detector in ``REGISTRY``.
"""

from __future__ import annotations

from gwanmun.detect import REGISTRY, Detector
from gwanmun.detect import addresses as addresses
from gwanmun.detect import contact as contact
from gwanmun.detect import credentials as credentials
from gwanmun.detect import japan as japan
from gwanmun.detect import korea as korea
from gwanmun.detect import markings as markings
from gwanmun.detect import names as names
from gwanmun.detect.contact import InternalHostDetector
from gwanmun.detect.terms import OrgTerm, OrgTermDetector
from gwanmun.policy import Policy

# Detectors whose cost is morphology rather than regular expressions.
LINGUISTIC = ("person_names",)


def builtin_detectors(*, structured_only: bool = False) -> list[Detector]:
    """Every registered detector (``structured_only``: without PERSON)."""
    return [d for d in REGISTRY.select() if not (structured_only and d.id in LINGUISTIC)]


def configured_detectors(policy: Policy) -> list[Detector]:
    """Built-ins plus the policy's institution terms and internal hosts."""
    detectors = builtin_detectors()
    data = policy.data
    if data.org_terms:
        detectors.append(
            OrgTermDetector(
                [
                    OrgTerm(
                        term=t.term,
                        grade=t.grade.value,
                        action=t.action.value,
                        case_sensitive=t.case_sensitive,
                        note=t.note,
                    )
                    for t in data.org_terms
                ]
            )
        )
    if data.internal_domains or data.internal_networks:
        detectors.append(InternalHostDetector(data.internal_domains, data.internal_networks))
    return detectors
