"""The checks Gwanmun ships, declared as a third-party plugin would declare its own.

Importing this module registers them in ``CHECK_REGISTRY``. Building one
imports its module (and loads its models) only when a policy turns it on.
"""

from __future__ import annotations

import logging
from typing import Any

from gwanmun.check import CHECK_REGISTRY, CheckContext, CheckShape, CheckSpec
from gwanmun.types import Stage

log = logging.getLogger("gwanmun.check")


def _toxicity(context: CheckContext) -> Any:
    from gwanmun.check.toxicity import ToxicityCheck

    return ToxicityCheck()


def _injection(context: CheckContext) -> Any:
    from gwanmun.check.injection import InjectionCheck

    return InjectionCheck(embedding=context.injection_embedding)


def _grounding(context: CheckContext) -> Any:
    from gwanmun.check.grounding import GroundingCheck

    return GroundingCheck()


def _verbatim(context: CheckContext) -> Any:
    """The verbatim check over every corpus in ``data_dir/corpus`` (none: it finds nothing)."""
    from gwanmun.check.verbatim import CorpusIndex, VerbatimCheck

    root = context.data_dir / "corpus" if context.data_dir is not None else None
    indexes = (
        [CorpusIndex(meta.parent) for meta in sorted(root.glob("*/meta.json"))]
        if root is not None and root.exists()
        else []
    )
    if not indexes:
        log.info("verbatim check on, but no corpus is indexed yet (gwanmun corpus add)")
    return VerbatimCheck(indexes, min_chars=context.verbatim_min_chars)


TOXICITY = CHECK_REGISTRY.register(
    CheckSpec(
        "toxicity",
        ("TOXIC_HATE", "TOXIC_OFFENSIVE", "BIAS_GENDER", "BIAS_OTHER"),
        Stage.BOTH,
        CheckShape.SENTENCE,
        _toxicity,
        "hate, offence and bias, per sentence",
    )
)
INJECTION = CHECK_REGISTRY.register(
    CheckSpec(
        "injection",
        ("PROMPT_INJECTION",),
        Stage.INPUT,
        CheckShape.SENTENCE,
        _injection,
        "attempts to override the model's instructions, also inside documents",
    )
)
VERBATIM = CHECK_REGISTRY.register(
    CheckSpec(
        "verbatim",
        ("VERBATIM",),
        Stage.OUTPUT,
        CheckShape.SPAN,
        _verbatim,
        "copies of the corpora added with `gwanmun corpus add`",
    )
)
GROUNDING = CHECK_REGISTRY.register(
    CheckSpec(
        "grounding",
        ("UNSUPPORTED_CLAIM",),
        Stage.OUTPUT,
        CheckShape.ANSWER,
        _grounding,
        "answer sentences the request's source documents do not support",
    )
)
