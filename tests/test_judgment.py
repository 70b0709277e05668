"""One judgment: the input and the output guard apply a rule only through
``Policy.judge``, so an institution term's own action holds in answers too."""

from __future__ import annotations

from gwanmun.guard.factory import input_guard_for, output_guard_for
from gwanmun.policy import parse_policy
from gwanmun.types import Action, ChatMessage, ChatRequest, Finding, Grade

POLICY = parse_policy(
    "version: 1\n"
    "kinds:\n  ORG_TERM: {action: mask, grade: S}\n"
    "org_terms:\n"
    "  - {term: Project Haneul, grade: O, action: warn}\n"
    "  - {term: Blue Crane, grade: S, action: mask}\n"
    "output: {leak_scan: true}\n",
    "inline",
)


def answer(text: str) -> tuple[str, tuple[Finding, ...]]:
    guard = input_guard_for(POLICY)
    request = ChatRequest(
        model="m", messages=(ChatMessage("user", "What is on the schedule?"),), max_tokens=64
    )
    session = output_guard_for(POLICY, guard).open(
        request, guard.inspect(request, backend_grade=Grade.S)
    )
    delivered = session.feed(text) + session.finish()
    return delivered, session.report().findings


def test_a_term_registered_as_warn_is_not_masked_in_answers() -> None:
    # Its kind's rule says mask; the term's own rule says warn, on the way in
    # and on the way out alike.
    delivered, findings = answer("Project Haneul starts in May.")
    assert delivered == "Project Haneul starts in May."
    assert findings == ()


def test_a_term_registered_as_mask_is_masked_in_answers() -> None:
    delivered, findings = answer("Blue Crane starts in May.")
    assert delivered == "[ORG_TERM] starts in May."
    assert [f.kind for f in findings] == ["ORG_TERM"]


def test_judge_applies_the_terms_rule_and_min_score() -> None:
    text = "Project Haneul and Blue Crane"
    term = Finding("ORG_TERM", 0, 14, 0.9, "org_terms")
    assert POLICY.judge(term, text).action is Action.WARN
    assert POLICY.judge(term, text).grade is Grade.O
    assert not POLICY.judge(term, text).acts
    other = Finding("ORG_TERM", 19, 29, 0.9, "org_terms")
    assert POLICY.judge(other, text).acts
    assert not POLICY.judge(Finding("ORG_TERM", 19, 29, 0.1, "org_terms"), text).counts


def test_every_reason_code_has_words_in_each_language() -> None:
    from gwanmun.types import Reason, ReasonCode
    from gwanmun.web.i18n import REASON_NAMES

    assert set(REASON_NAMES) == {code.value for code in ReasonCode}
    assert all(all(names) for names in REASON_NAMES.values())
    for code in ReasonCode:  # and in English for messages and the audit record
        assert str(Reason(code, kinds=("PHONE",), grade=Grade.C, limit=Grade.S))
