"""Checks beyond identifiers — toxicity, prompt injection, verbatim copying,
groundedness — each a ``TextCheck``: text in, ``Finding``s out.

A check is pure given its packaged model or index: no I/O per call, no
network, safe to call from several threads. Findings reuse
``gwanmun.types.Finding`` (``kind`` such as ``TOXIC_HATE`` or
``PROMPT_INJECTION``, ``detector`` naming the check, offsets into the checked
text, ``score`` in [0, 1]), so the audit store, the metrics and the policy
treat them like any other finding: never the text itself.

Every check is declared by a ``CheckSpec`` in ``CHECK_REGISTRY``: its id, the
kinds it emits, where it runs (``Stage``), what it reads (``CheckShape``) and
how to build it. The built-in ones register in ``gwanmun.check.builtin``; a
plugin package declares a spec in the ``gwanmun.checks`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from gwanmun.errors import ConfigError
from gwanmun.registry import Registry
from gwanmun.types import Finding, Stage

# The entry-point group third-party checks are declared in (each names a CheckSpec).
CHECK_ENTRY_POINTS = "gwanmun.checks"


class TextCheck(Protocol):
    name: str

    def check(self, text: str) -> list[Finding]: ...


class CheckShape(StrEnum):
    """What a check reads, which decides where the output guard runs it."""

    SENTENCE = "sentence"  # each finished answer sentence; each request message as a whole
    SPAN = "span"  # the recent answer across sentences (a copy runs across them)
    ANSWER = "answer"  # the complete answer against the request's source documents


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What building a check may use (from settings and the policy file)."""

    data_dir: Path | None = None
    verbatim_min_chars: int = 50
    injection_embedding: bool = False


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check, declared: the one place its kinds and stage are written.

    ``build`` makes the check (a ``TextCheck``; for ``ANSWER`` checks, an
    object with ``score(answer, sources)`` like ``GroundingCheck``). It is
    called only when a policy turns the check on, so a check's models load
    only then.
    """

    id: str
    kinds: tuple[str, ...]
    stage: Stage
    shape: CheckShape
    build: Callable[[CheckContext], Any]
    description: str = ""


def _as_spec(loaded: object, name: str) -> CheckSpec:
    made = loaded() if callable(loaded) and not isinstance(loaded, CheckSpec) else loaded
    if not isinstance(made, CheckSpec):
        raise ConfigError(f"plugin check {name!r} is not a gwanmun.check.CheckSpec")
    return made


CHECK_REGISTRY: Registry[CheckSpec] = Registry(
    "check", CHECK_ENTRY_POINTS, lambda s: s.id, _as_spec
)


def check_spec(check_id: str, stage: Stage) -> CheckSpec:
    """The spec of ``check_id``, which must run at ``stage``; else an error naming those that do."""
    import gwanmun.check.builtin  # noqa: F401 - registers the built-in checks

    spec = CHECK_REGISTRY.get(check_id)
    if not spec.stage.covers(stage):
        fitting = [i for i in CHECK_REGISTRY.known() if CHECK_REGISTRY.get(i).stage.covers(stage)]
        raise ConfigError(
            f"check {check_id!r} does not run on {stage.value}; "
            f"{stage.value} checks: {', '.join(fitting)}"
        )
    return spec
