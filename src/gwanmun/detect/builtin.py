"""The detectors Gwanmun ships, the ones built from a policy, and the plugins
a policy names.

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
from gwanmun.detect import parts as parts
from gwanmun.detect.contact import InternalHostDetector
from gwanmun.detect.decoded import decoders
from gwanmun.detect.disguised import disguises
from gwanmun.detect.glued import glued
from gwanmun.detect.terms import OrgTerm, OrgTermDetector
from gwanmun.policy import Policy

# Detectors whose cost is morphology rather than regular expressions.
LINGUISTIC = ("person_names",)
# Numbers spelled, escaped, quoted, disguised (base64, reversed…) or glued to
# letters, read again by the structured detectors: registered last, over every
# one registered above.
_STRUCTURED = [d for d in REGISTRY.select() if d.id not in LINGUISTIC]
for _decoder in [*decoders(_STRUCTURED), *disguises(_STRUCTURED), glued(_STRUCTURED)]:
    REGISTRY.register(_decoder)
# What the imports above registered; plugins are loaded into REGISTRY later,
# only for a policy that names them.
BUILTIN = tuple(REGISTRY.ids())
# Detectors a policy builds from its own settings: their kinds, for the catalogue.
CONFIGURED: tuple[type[OrgTermDetector] | type[InternalHostDetector], ...] = (
    OrgTermDetector,
    InternalHostDetector,
)


def builtin_detectors(*, structured_only: bool = False) -> list[Detector]:
    """Every built-in detector (``structured_only``: without PERSON)."""
    return [d for d in REGISTRY.select(BUILTIN) if not (structured_only and d.id in LINGUISTIC)]


def plugin_detectors(policy: Policy) -> list[Detector]:
    """The plugin detectors the policy names (``detectors:``), loaded on first use."""
    return [REGISTRY.get(i) for i in policy.data.detectors if i not in BUILTIN]


def configured_detectors(policy: Policy) -> list[Detector]:
    """Built-ins, the plugins the policy names, and its institution terms and internal hosts."""
    detectors = builtin_detectors() + plugin_detectors(policy)
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
