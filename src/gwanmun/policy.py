"""The policy file, ``judge(finding) -> Judgment`` and ``decide(findings) -> Decision``.  [pure]

``Policy.judge`` is the only place a rule is applied to a finding: ``decide``
uses it for requests, the output guard's parts for answers.

A policy maps each finding kind to an action and a data grade (N2SF C/S/O,
shared/spec/rules.md), sets the confidence below which a finding is ignored,
and says what happens when a request's grade is above what the chosen
backend may receive. ``data/default_policy.yaml`` is the shipped default;
``gwanmun policy check FILE`` validates a file and explains it.

Deciding, per request:

1. findings under their kind's ``min_score`` are dropped; ``allow`` kinds too;
2. the request's grade is the highest grade among what is left (markings are
   graded by the marking itself: ``비공개(6)`` is S, ``Ⅱ급비밀`` is C);
3. any ``block`` finding blocks the request;
4. ``mask`` findings are replaced by placeholders before the model sees them;
5. what would still reach the backend (``warn`` findings, markings) is
   compared with the backend's ``max_grade``; above it, ``on_grade_exceeded``
   decides: ``refuse``, or ``mask`` the offending maskable findings and
   refuse only if that is not enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gwanmun.errors import ConfigError
from gwanmun.text import SPELLING_GAPS, normalize
from gwanmun.types import Action, Finding, Grade, Reason, ReasonCode, Stage

# How answers are held back while they stream (docs/policy.md, "Output").
HoldBack = Literal["minimal", "sentence"]


class KindRule(BaseModel):
    """What to do with one kind of finding."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Action = Field(description="block, mask, warn or allow.")
    grade: Grade = Field(Grade.S, description="Data grade the finding gives a request: C, S or O.")
    min_score: float = Field(
        0.5, ge=0.0, le=1.0, description="Findings with a lower confidence are ignored."
    )
    maskable: bool = Field(
        True,
        description="Whether masking the value lowers the grade of what is sent. False for "
        "markings: hiding the word 대외비 does not declassify the text around it.",
    )
    note: str = Field("", description="Why: shown by `gwanmun policy check`.")


class OrgTermRule(BaseModel):
    """A term the institution registers: project code names, system names, staff names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1, max_length=200, description="The literal text to find.")
    grade: Grade = Field(Grade.S, description="Grade the term gives a request.")
    action: Action = Field(Action.MASK, description="block, mask, warn or allow.")
    case_sensitive: bool = Field(False, description="Match case exactly (Latin letters only).")
    note: str = Field("", description="Why the term is registered.")


class OutputRules(BaseModel):
    """How answers are checked on their way back (docs/policy.md, "Output")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hold_back: HoldBack = Field(
        "minimal",
        description="minimal: hold only what a finding could still grow from (a number, a "
        "name, a word being written), so the first token is not delayed (an answer's "
        "first digit is shown at once; a value it begins is masked from the second "
        "character on); sentence: hold each sentence until it is checked.",
    )
    hold_back_chars: int = Field(
        64, ge=8, le=4096, description="Most characters ever held back before checking."
    )
    leak_scan: bool = Field(
        True,
        description="Run the input detectors on answers; personal data the user did not "
        "supply is masked before it is delivered (kinds whose action is block or mask).",
    )
    checks: list[str] = Field(
        default_factory=list,
        description="Checks on answers: toxicity (per sentence: TOXIC_HATE, ...), verbatim "
        "(copies of the corpora added with `gwanmun corpus add`: VERBATIM), grounding "
        "(answers to requests with source documents: each sentence's support, "
        "UNSUPPORTED_CLAIM). Their kinds take the action in `kinds`: block stops the answer, "
        "mask hides the span, warn reports it.",
    )
    verbatim_min_chars: int = Field(
        50, ge=20, le=10_000, description="Shortest copied span (characters) that counts."
    )
    input_checks: list[str] = Field(
        default_factory=list,
        description="Checks run on every message of a request, like the detectors "
        "(injection: PROMPT_INJECTION, toxicity: TOXIC_*), with the action in `kinds`.",
    )
    injection_embedding: bool = Field(
        False,
        description="The injection check's second opinion by meaning for Korean and "
        "Japanese (the multilingual sentence encoder, about 110 MB, loaded at start-up): "
        "more paraphrased attacks found, a few more office requests flagged, and 3-22 ms "
        "on the requests it is consulted on (docs/benchmarks.md, third round).",
    )

    @field_validator("checks")
    @classmethod
    def _output_checks(cls, ids: list[str]) -> list[str]:
        return _known_checks(ids, Stage.OUTPUT)

    @field_validator("input_checks")
    @classmethod
    def _input_checks(cls, ids: list[str]) -> list[str]:
        return _known_checks(ids, Stage.INPUT)


def _known_checks(ids: list[str], stage: Stage) -> list[str]:
    """Check ids that are registered (or installed as plugins) and run at ``stage``."""
    from gwanmun.check import check_spec  # the check registry, not loaded with the policy model

    for check_id in ids:
        try:
            check_spec(check_id, stage)
        except ConfigError as exc:
            raise ValueError(exc.message) from None
    return ids


class PolicyFile(BaseModel):
    """The YAML policy file, validated. Every field is documented in docs/policy.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(1, description="Policy format version.")
    extends: Literal["default", "none"] = Field(
        "default",
        description="default: the file changes the shipped default policy (its kinds, output "
        "settings and other fields replace the default's one by one; everything it does not "
        "name stays as in the default). none: the file is the whole policy.",
    )
    name: str = Field("custom", description="A name shown in audit events and `policy check`.")
    default: KindRule = Field(
        KindRule(action=Action.MASK, grade=Grade.S),
        description="Rule for kinds the file does not list (fail safe: mask, grade S).",
    )
    kinds: dict[str, KindRule] = Field(
        default_factory=dict, description="Rule per finding kind (KR_RRN, PHONE, MARKING ...)."
    )
    on_grade_exceeded: Literal["refuse", "mask"] = Field(
        "mask",
        description="When what would be sent is above the backend's max_grade: refuse the "
        "request, or mask the offending findings and refuse only if that is not enough.",
    )
    org_terms: list[OrgTermRule] = Field(
        default_factory=list, description="Institution terms, each with its own grade/action."
    )
    internal_domains: list[str] = Field(
        default_factory=list,
        description="Host-name suffixes of the internal network (found as INTERNAL_HOST).",
    )
    internal_networks: list[str] = Field(
        default_factory=list, description="CIDR networks found as INTERNAL_HOST in text."
    )
    output: OutputRules = Field(
        default_factory=OutputRules, description="How answers are checked while streaming."
    )
    detectors: list[str] = Field(
        default_factory=list,
        description="Detectors from installed plugins (entry-point group gwanmun.detectors) "
        "to run besides the built-in ones, by id.",
    )


@dataclass(frozen=True, slots=True)
class Judgment:
    """What the policy makes of one finding: the one place a rule is applied.

    ``counts`` is false for a finding under its kind's ``min_score`` or whose
    action is ``allow``: it is as if it had not been found.
    """

    action: Action
    grade: Grade
    counts: bool
    maskable: bool = True

    @property
    def acts(self) -> bool:
        """It counts and changes what is delivered: masked or blocked."""
        return self.counts and self.action.rank >= Action.MASK.rank

    @property
    def blocks(self) -> bool:
        return self.counts and self.action is Action.BLOCK


@dataclass(frozen=True, slots=True)
class Decided:
    """One finding with the action policy gave it."""

    finding: Finding
    action: Action
    grade: Grade


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    grade: Grade
    sent_grade: Grade
    decided: tuple[Decided, ...]
    reasons: tuple[Reason, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(d.finding for d in self.decided)

    def to_mask(self) -> list[Finding]:
        return [d.finding for d in self.decided if d.action is Action.MASK]


_MARKING_C = re.compile(
    r"(?:[I1-3]|II|III|일|이|삼)\s*급\s*비밀|^\s*비밀\s*$|극비|군사|대외비|對外秘|特定秘密|極秘|厳秘|時限秘|機密性\s*3|TOP\s*SECRET|"
    r"^\s*SECRET|^\s*秘\s*$|㊙|비공개\s*\(\s*[1-4]\s*\)|부분공개\s*\(\s*[1-4]\s*\)",
    re.IGNORECASE,
)


_SPELLING_GAP = re.compile(f"[{SPELLING_GAPS}]+")


def marking_grade(value: str) -> Grade:
    """The grade a classification marking puts on a text.

    Secrets, 대외비 (對外秘) and disclosure items 1–4 (national security, defence,
    diplomacy, investigation) are C; items 5–8 (personal data included),
    部外秘, 取扱注意, 機密性2, CONFIDENTIAL and the like are S.
    """
    from gwanmun.detect.markings import plain_marking  # the detectors import this module

    # 대 외 비, S-E-C-R-E-T: the word; СЕКRЕТ, ㄷㅐㅇㅗㅣㅂㅣ, 部外祕: the word it stands for
    compact = plain_marking(_SPELLING_GAP.sub("", value))
    if _MARKING_C.search(compact) or compact in ("秘", "SECRET"):
        return Grade.C
    return Grade.S


class Policy:
    """A validated policy, ready to decide."""

    def __init__(self, data: PolicyFile, source: str = "(built in)") -> None:
        self.data = data
        self.source = source
        self._terms = {
            (_plain(t.term) if t.case_sensitive else _plain(t.term).casefold()): t
            for t in data.org_terms
        }

    @property
    def name(self) -> str:
        return self.data.name

    def rule(self, kind: str) -> KindRule:
        """The rule the file gives ``kind`` (its ``default`` for unlisted kinds).

        To apply it to a finding, use ``judge``: institution terms carry their own.
        """
        return self.data.kinds.get(kind, self.data.default)

    def judge(self, finding: Finding, text: str) -> Judgment:
        """The action and grade for ``finding`` in ``text`` (the text its offsets
        index), and whether it counts at all. Input and output guards alike ask
        this and nothing else."""
        rule = self.rule(finding.kind)
        action, grade = rule.action, rule.grade
        if finding.kind in ("MARKING", "ORG_TERM"):
            # Detectors match the normalised text: Ⅱ급비밀, ２급비밀 and 한\u200b울 are
            # graded and looked up as II급비밀, 2급비밀 and 한울.
            value = _plain(text[finding.start : finding.end])
            if finding.kind == "MARKING":
                grade = marking_grade(value)
            else:
                term = self._terms.get(value) or self._terms.get(value.casefold())
                if term is not None:
                    action, grade = term.action, term.grade
        counts = finding.score >= rule.min_score and action is not Action.ALLOW
        return Judgment(action, grade, counts, rule.maskable)

    def decide(
        self, findings: Iterable[tuple[Finding, str]], *, backend_grade: Grade = Grade.C
    ) -> Decision:
        """Decide on ``(finding, text_it_indexes)`` pairs for one request."""
        decided: list[Decided] = []
        maskable: dict[int, bool] = {}
        for finding, text in findings:
            judgment = self.judge(finding, text)
            if not judgment.counts:
                continue
            maskable[len(decided)] = judgment.maskable
            decided.append(Decided(finding, judgment.action, judgment.grade))
        grade = max((d.grade for d in decided), key=lambda g: g.rank, default=Grade.O)
        reasons: list[Reason] = []
        blocking = [d for d in decided if d.action is Action.BLOCK]
        if blocking:
            kinds = tuple(sorted({d.finding.kind for d in blocking}))
            reasons.append(Reason(ReasonCode.POLICY_BLOCKS, kinds=kinds))
            return Decision(Action.BLOCK, grade, grade, tuple(decided), tuple(reasons))

        def sent(items: Sequence[Decided]) -> Grade:
            return max(
                (d.grade for d in items if d.action is not Action.MASK),
                key=lambda g: g.rank,
                default=Grade.O,
            )

        sent_grade = sent(decided)
        if sent_grade > backend_grade and self.data.on_grade_exceeded == "mask":
            decided = [
                Decided(d.finding, Action.MASK, d.grade)
                if d.action is Action.WARN and d.grade > backend_grade and maskable[i]
                else d
                for i, d in enumerate(decided)
            ]
            sent_grade = sent(decided)
            if any(d.action is Action.MASK for d in decided):
                reasons.append(Reason(ReasonCode.MASKED_DOWN, limit=backend_grade))
        if sent_grade > backend_grade:
            reasons.append(Reason(ReasonCode.GRADE_EXCEEDED, grade=sent_grade, limit=backend_grade))
            return Decision(Action.BLOCK, grade, sent_grade, tuple(decided), tuple(reasons))
        action = max((d.action for d in decided), key=lambda a: a.rank, default=Action.ALLOW)
        return Decision(action, grade, sent_grade, tuple(decided), tuple(reasons))


def _plain(value: str) -> str:
    return normalize(value).text


def default_policy_text() -> str:
    return resources.files("gwanmun").joinpath("data/default_policy.yaml").read_text("utf-8")


# Mappings merged one key deep when a policy extends the default: a kind's rule,
# or one output setting, replaces the default's; lists and scalars replace whole.
_MERGED = ("kinds", "output")


def extend_default(raw: dict[str, object], default: dict[str, object]) -> dict[str, object]:
    """``raw`` laid over the default policy's mapping (``extends: default``)."""
    merged = {**default, **raw, "name": raw.get("name", "custom")}
    for key in _MERGED:
        mine, base = raw.get(key), default.get(key)
        if isinstance(mine, dict) and isinstance(base, dict):
            merged[key] = {**base, **mine}
    return merged


def parse_policy(text: str, source: str) -> Policy:
    """A policy from YAML; unless it says ``extends: none``, laid over the default."""
    raw = _mapping(text, source)
    if raw.get("extends", "default") == "default" and source != _DEFAULT_SOURCE:
        raw = extend_default(raw, _mapping(default_policy_text(), _DEFAULT_SOURCE))
    try:
        data = PolicyFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None
    return Policy(data, source)


_DEFAULT_SOURCE = "default policy"


def _mapping(text: str, source: str) -> dict[str, object]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a policy is a YAML mapping (see docs/policy.md)")
    return raw


def weaker_than(policy: Policy, base: Policy) -> list[str]:
    """Every rule of ``policy`` that protects less than ``base``'s (normally the
    shipped default), in words: ``gwanmun policy check`` lists them."""
    found: list[str] = []
    for kind, rule in sorted(base.data.kinds.items()):
        found += _weaker_rule(kind, policy.rule(kind), rule)
    found += _weaker_rule("default (unlisted kinds)", policy.data.default, base.data.default)
    mine, theirs = policy.data.output, base.data.output
    if theirs.leak_scan and not mine.leak_scan:
        found.append("output.leak_scan: true → false (answers are not scanned for leaks)")
    for name, now, before in (
        ("output.checks", mine.checks, theirs.checks),
        ("output.input_checks", mine.input_checks, theirs.input_checks),
    ):
        found += [f"{name}: {check} is off" for check in before if check not in now]
    if theirs.injection_embedding and not mine.injection_embedding:
        found.append("output.injection_embedding: true → false")
    if mine.verbatim_min_chars > theirs.verbatim_min_chars:
        found.append(
            f"output.verbatim_min_chars: {theirs.verbatim_min_chars} → {mine.verbatim_min_chars}"
        )
    if theirs.hold_back == "sentence" and mine.hold_back == "minimal":
        found.append("output.hold_back: sentence → minimal")
    if base.data.on_grade_exceeded == "refuse" and policy.data.on_grade_exceeded == "mask":
        found.append("on_grade_exceeded: refuse → mask")
    return found


def _weaker_rule(name: str, rule: KindRule, base: KindRule) -> list[str]:
    found = []
    if rule.action.rank < base.action.rank:
        found.append(f"{name}: action {base.action.value} → {rule.action.value}")
    if rule.grade.rank < base.grade.rank:
        found.append(f"{name}: grade {base.grade.value} → {rule.grade.value}")
    if rule.min_score > base.min_score:
        found.append(f"{name}: min_score {base.min_score:g} → {rule.min_score:g}")
    if rule.maskable and not base.maskable:
        found.append(f"{name}: maskable false → true (masking would lower its grade)")
    return found


def load_policy(path: Path | None = None) -> Policy:
    """The policy at ``path`` (laid over the default unless it says ``extends:
    none``), or the shipped default."""
    if path is None:
        return parse_policy(default_policy_text(), _DEFAULT_SOURCE)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read policy file {path}: {exc.strerror}") from None
    return parse_policy(text, str(path))


def check_kinds(policy: Policy, known: Iterable[str]) -> list[str]:
    """Kinds the policy names that neither ``known`` nor the catalogue of kinds
    (``gwanmun.kinds``) lists: likely typos."""
    from gwanmun.kinds import catalogue  # built from the detector and check registries

    valid = set(known) | set(catalogue(policy))
    return sorted(k for k in policy.data.kinds if k not in valid)
