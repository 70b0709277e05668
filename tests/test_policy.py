"""Grading and policy decisions, and the shipped default policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gwanmun.errors import ConfigError
from gwanmun.policy import load_policy, marking_grade, parse_policy
from gwanmun.types import Action, Finding, Grade, Reason, ReasonCode

DEFAULT = load_policy()


def found(kind: str, text: str, value: str, score: float = 0.9) -> tuple[Finding, str]:
    start = text.index(value)
    return Finding(kind, start, start + len(value), score, "test"), text


def test_default_policy_never_sends_unique_identifiers() -> None:
    for kind in ("KR_RRN", "KR_ARN", "KR_PASSPORT", "KR_DRIVER_LICENSE"):
        assert DEFAULT.rule(kind).action in (Action.MASK, Action.BLOCK), kind
    for kind in ("JP_MY_NUMBER", "JP_HEALTH_INSURANCE", "SECRET"):
        assert DEFAULT.rule(kind).action is Action.BLOCK, kind
    assert DEFAULT.rule("SOMETHING_NEW").action is Action.MASK  # unknown kinds: fail safe


@pytest.mark.parametrize(
    ("marking", "grade"),
    [
        ("II급비밀", Grade.C),
        ("III급 비밀", Grade.C),
        ("대외비", Grade.C),
        ("비공개(3)", Grade.C),
        ("비공개(6)", Grade.S),
        ("부분공개(5)", Grade.S),
        ("特定秘密", Grade.C),
        ("極秘", Grade.C),
        ("秘", Grade.C),
        ("部外秘", Grade.S),
        ("取扱注意", Grade.S),
        ("機密性2", Grade.S),
        ("機密性3", Grade.C),
        ("TOP SECRET", Grade.C),
        ("SECRET", Grade.C),
        ("CONFIDENTIAL", Grade.S),
        ("INTERNAL ONLY", Grade.S),
    ],
)
def test_markings_grade_the_request(marking: str, grade: Grade) -> None:
    assert marking_grade(marking) is grade


@pytest.mark.parametrize(
    "marking", ["Ⅱ급비밀", "Ⅰ급 비밀", "２급비밀", "機密性３", "비공개(３)", "ＴＯＰ ＳＥＣＲＥＴ"]
)
def test_markings_are_graded_as_the_detector_read_them(marking: str) -> None:
    """Ⅱ급비밀 (with the Roman numeral, as the rules write it) was graded on the
    raw text, which the C pattern did not match: S instead of C."""
    text = f"{marking} 작전계획"
    decision = DEFAULT.decide([found("MARKING", text, marking)], backend_grade=Grade.S)
    assert decision.grade is Grade.C and decision.action is Action.BLOCK


def test_clean_request_is_open_and_allowed() -> None:
    decision = DEFAULT.decide([], backend_grade=Grade.O)
    assert (decision.action, decision.grade) == (Action.ALLOW, Grade.O)


def test_personal_data_is_masked_and_graded_s() -> None:
    text = "주민번호 900101-1234567, 전화 010-1234-5678"
    decision = DEFAULT.decide(
        [found("KR_RRN", text, "900101-1234567"), found("PHONE", text, "010-1234-5678")],
        backend_grade=Grade.S,
    )
    assert decision.action is Action.MASK and decision.grade is Grade.S
    assert decision.sent_grade is Grade.O  # everything sensitive is masked
    assert [f.kind for f in decision.to_mask()] == ["KR_RRN", "PHONE"]


def test_low_confidence_and_allowed_kinds_are_ignored() -> None:
    text = "법인 110111-0062432 and maybe 12345"
    decision = DEFAULT.decide(
        [found("KR_CRN", text, "110111-0062432"), found("PHONE", text, "12345", score=0.3)]
    )
    assert decision.action is Action.ALLOW and decision.findings == ()


def test_block_wins_over_mask() -> None:
    text = "マイナンバー 6214 9832 0257 田中"
    decision = DEFAULT.decide(
        [found("JP_MY_NUMBER", text, "6214 9832 0257"), found("PERSON", text, "田中")]
    )
    assert decision.action is Action.BLOCK
    assert decision.reasons[0] == Reason(ReasonCode.POLICY_BLOCKS, kinds=("JP_MY_NUMBER",))


def test_marking_above_backend_grade_is_refused_not_masked() -> None:
    text = "대외비 문서 요약"
    decision = DEFAULT.decide([found("MARKING", text, "대외비")], backend_grade=Grade.S)
    assert decision.action is Action.BLOCK and decision.grade is Grade.C
    assert decision.reasons[-1] == Reason(ReasonCode.GRADE_EXCEEDED, grade=Grade.C, limit=Grade.S)
    # A backend cleared for C receives it, with a warning.
    cleared = DEFAULT.decide([found("MARKING", text, "대외비")], backend_grade=Grade.C)
    assert cleared.action is Action.WARN and cleared.sent_grade is Grade.C


def test_warn_findings_are_masked_down_or_refused_per_policy() -> None:
    policy = parse_policy("version: 1\nkinds:\n  EMAIL: {action: warn, grade: S}\n", "inline")
    text = "mail kim@example.go.kr"
    pair = found("EMAIL", text, "kim@example.go.kr")
    masked = policy.decide([pair], backend_grade=Grade.O)
    assert masked.action is Action.MASK and masked.sent_grade is Grade.O
    assert masked.reasons[0].code is ReasonCode.MASKED_DOWN
    refusing = parse_policy(
        "version: 1\non_grade_exceeded: refuse\nkinds:\n  EMAIL: {action: warn, grade: S}\n",
        "inline",
    )
    refused = refusing.decide([pair], backend_grade=Grade.O)
    assert refused.action is Action.BLOCK
    assert refused.reasons[0].code is ReasonCode.GRADE_EXCEEDED
    assert policy.decide([pair], backend_grade=Grade.S).action is Action.WARN


def test_org_terms_carry_their_own_grade_and_action() -> None:
    policy = parse_policy(
        "version: 1\norg_terms:\n"
        "  - {term: Project Haneul, grade: C, action: block}\n"
        "  - {term: 새올, grade: S, action: warn}\n",
        "inline",
    )
    text = "project haneul 일정과 새올 점검"
    blocked = policy.decide([found("ORG_TERM", text, "project haneul")], backend_grade=Grade.C)
    assert blocked.action is Action.BLOCK and blocked.grade is Grade.C
    warned = policy.decide([found("ORG_TERM", text, "새올")], backend_grade=Grade.S)
    assert warned.action is Action.WARN and warned.grade is Grade.S
    # Written in full width or broken by a zero-width space, a term keeps its rule.
    for variant in ("Ｐｒｏｊｅｃｔ Ｈａｎｅｕｌ", "Project Ha\u200bneul"):
        text = f"{variant} 일정"
        decided = policy.decide([found("ORG_TERM", text, variant)], backend_grade=Grade.C)
        assert decided.action is Action.BLOCK and decided.grade is Grade.C


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("kinds: [1, 2]", "kinds"),
        ("version: 2", "version"),
        ("kinds:\n  PHONE: {action: shred}", "kinds.PHONE.action"),
        ("kinds:\n  PHONE: {action: mask, min_score: 2}", "min_score"),
        ("colour: blue", "colour"),
        ("on_grade_exceeded: maybe", "on_grade_exceeded"),
        ("- just a list", "mapping"),
        ("kinds: {PHONE: [unclosed", "not valid YAML"),
    ],
)
def test_invalid_policies_are_refused_with_where(body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_policy(body, "bad.yaml")


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read policy file"):
        load_policy(tmp_path / "nope.yaml")


def test_a_small_policy_extends_the_default_and_weaker_rules_are_listed(tmp_path: Path) -> None:
    from gwanmun.policy import weaker_than

    small = parse_policy(
        "version: 1\nname: small\nkinds:\n  SECRET: {action: mask, grade: S}\n"
        "output: {checks: [], input_checks: []}\n",
        "small.yaml",
    )
    # Everything it does not name is the default's.
    assert small.name == "small" and small.rule("KR_RRN") == DEFAULT.rule("KR_RRN")
    assert small.rule("JP_MY_NUMBER").action is Action.BLOCK and small.data.output.leak_scan
    assert weaker_than(small, DEFAULT) == [
        "SECRET: action block → mask",
        "output.checks: verbatim is off",
        "output.checks: grounding is off",
        "output.input_checks: injection is off",
    ]
    assert weaker_than(DEFAULT, DEFAULT) == []
    alone = parse_policy("version: 1\nextends: none\nkinds: {}\n", "alone.yaml")
    assert alone.data.kinds == {} and "JP_MY_NUMBER: action block → mask" in weaker_than(
        alone, DEFAULT
    )
    (tmp_path / "small.yaml").write_text(
        "version: 1\nkinds:\n  SECRET: {action: mask, grade: S}\n", encoding="utf-8"
    )
    import subprocess
    import sys

    gwanmun = str(Path(sys.executable).with_name("gwanmun"))
    checked = subprocess.run(
        [gwanmun, "policy", "check", str(tmp_path / "small.yaml")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "1 rules are weaker than the default policy" in checked.stdout
    assert "SECRET: action block → mask" in checked.stdout
