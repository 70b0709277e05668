"""The output guard on the stream: leaks masked before delivery whatever the
chunking, the first token not held, the hold-back bounded, sentence checks
that stop a stream with an audited reason, and the same result without
streaming."""

from __future__ import annotations

import base64
import itertools
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.backends import Router
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.errors import OutputBlocked
from gwanmun.gateway import ChatResult, ChatStream, Gateway
from gwanmun.guard.base import OutputSession
from gwanmun.guard.holdback import compact
from gwanmun.guard.input import DetectorInputGuard, blocked_error
from gwanmun.guard.output import CheckingOutputGuard, OutputOptions
from gwanmun.policy import Policy, PolicyFile, load_policy
from gwanmun.text import normalize
from gwanmun.types import Action, ChatMessage, ChatRequest, Finding, Grade, Outcome, Principal
from gwanmun.web.encode import sse_events
from tests.wire import encoded_body, encoded_chunks

USER = Principal(user="kim", group="민원과")
POLICY = load_policy()
SCANNER = DetectorInputGuard(builtin_detectors(structured_only=True), POLICY)
FULL_SCANNER = DetectorInputGuard(builtin_detectors(), POLICY)  # with names
LEAKY_ANSWER = "Call 010-9999-8888 or write to [EMAIL_1]. Thanks."
SAFE_ANSWER = "Call [PHONE] or write to kim@seoul.go.kr. Thanks."


class ForbiddenWordCheck:
    """A sentence check that flags sentences with the word 'forbidden'."""

    name = "fake-toxicity"

    def check(self, text: str) -> list[Finding]:
        at = text.find("forbidden")
        return [] if at < 0 else [Finding("TOXIC_HATE", at, at + 9, 0.95, self.name)]


def policy_with(**kinds: dict[str, Any]) -> Policy:
    data = POLICY.data.model_dump()
    data["kinds"].update(kinds)
    return Policy(PolicyFile.model_validate(data))


def request(text: str, *, stream: bool = False) -> ChatRequest:
    return ChatRequest(
        model="scripted", messages=(ChatMessage("user", text),), max_tokens=64, stream=stream
    )


def open_session(
    answer_to: str,
    *,
    options: OutputOptions | None = None,
    checks: tuple[Any, ...] = (),
    scanner: DetectorInputGuard = SCANNER,
) -> OutputSession:
    policy = policy_with(TOXIC_HATE={"action": "block", "grade": "O"})
    guard = CheckingOutputGuard(policy, scanner=scanner, checks=checks, options=options)
    req = request(answer_to)
    return guard.open(req, scanner.inspect(req, backend_grade=Grade.S))


def deliver(session: OutputSession, chunks: list[str]) -> list[str]:
    out = [session.feed(c) for c in chunks]
    out.append(session.finish())
    return out


# Where an answer is cut into chunks (positions wrap around its length).
CUTS = st.lists(st.integers(min_value=0, max_value=200), max_size=30)


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=60, deadline=None)
@given(CUTS)
def test_a_leak_is_masked_before_delivery_whatever_the_chunking(cuts: list[int]) -> None:
    session = open_session("My e-mail is kim@seoul.go.kr")
    delivered = deliver(session, chunked(LEAKY_ANSWER, cuts))
    assert "".join(delivered) == SAFE_ANSWER
    so_far = ""
    for piece in delivered:
        so_far += piece
        assert "9999" not in so_far and "010-9" not in so_far
    (leak,) = session.report().findings
    assert leak.kind == "PHONE" and leak.detector.startswith("leak:")
    assert LEAKY_ANSWER[leak.start : leak.end] == "010-9999-8888"


# Identifiers reported only with a context word, the word coming after the number.
CONTEXT_AFTER = [
    ("Send it to 110-123-456789, the bank account of the office.", "110-123-456789"),
    ("The code 5678-123456 is your pension number.", "5678-123456"),
]


@settings(max_examples=60, deadline=None)
@given(answer=st.sampled_from(CONTEXT_AFTER), cuts=CUTS)
def test_a_number_is_held_until_the_context_after_it_has_come(
    answer: tuple[str, str], cuts: list[int]
) -> None:
    text, value = answer
    whole = "".join(deliver(open_session("hi"), [text]))
    assert value not in whole  # the check finds it with the context word
    delivered = deliver(open_session("hi"), chunked(text, cuts))
    assert "".join(delivered) == whole
    so_far = ""
    for piece in delivered:
        so_far += piece
        assert value[:8] not in so_far


def test_the_first_word_is_not_held_and_numbers_are() -> None:
    session = open_session("hello")
    assert session.feed("Sure") == "Sure"
    assert session.feed(", call 010") == ", call "
    assert session.feed("-1234") == ""
    assert session.feed("-5678 now.") == "[PHONE] now."


def test_a_value_the_user_supplied_is_not_a_leak() -> None:
    # KR_BRN is only warned about on input, so the user's own number reaches the model.
    session = open_session("우리 사업자번호는 220-81-62517 입니다")
    assert "".join(deliver(session, ["번호 220-81-62517 확인했습니다."])) == (
        "번호 220-81-62517 확인했습니다."
    )


def test_sentence_mode_holds_a_sentence_and_the_hold_is_bounded() -> None:
    session = open_session("hi", options=OutputOptions(hold_back="sentence"))
    assert session.feed("Sure, here it is") == ""
    assert session.feed(". Next") == "Sure, here it is."
    minimal = open_session("hi", options=OutputOptions(hold_back_chars=64))
    assert len(minimal.feed("가" * 100)) == 100 - 12  # text without spaces: a short tail
    digits = open_session("hi", options=OutputOptions(hold_back_chars=64))
    assert len(digits.feed("7" * 100)) == 100 - 64  # never more than the window


def test_a_blocking_sentence_check_stops_the_stream() -> None:
    session = open_session("hi", checks=(ForbiddenWordCheck(),))
    assert session.feed("Fine so far. ") == "Fine so far. "
    with pytest.raises(OutputBlocked, match="TOXIC_HATE"):
        session.feed("This is forbidden talk. More")
    assert session.feed("after the stop") == "" and session.finish() == ""
    report = session.report()
    assert report.stopped and "TOXIC_HATE" in (report.reason or "")


def gateway(answer: str, audit: MemoryAuditSink) -> Gateway:
    policy = policy_with(TOXIC_HATE={"action": "block", "grade": "O"})
    return Gateway(
        router=Router([FakeBackend(name="scripted", model="scripted", answer=answer, chunk=2)]),
        input_guard=SCANNER,
        output_guard=CheckingOutputGuard(policy, scanner=SCANNER, checks=(ForbiddenWordCheck(),)),
        audit=audit,
        blocked_error=blocked_error,
    )


async def test_json_and_stream_give_the_same_guarded_answer() -> None:
    audit = MemoryAuditSink()
    gw = gateway(LEAKY_ANSWER, audit)
    result = await gw.handle(request("My e-mail is kim@seoul.go.kr"), USER)
    assert isinstance(result, ChatResult)
    assert encoded_body(result)["choices"][0]["message"]["content"] == SAFE_ANSWER
    assert [f["kind"] for f in encoded_body(result)["gwanmun"]["output_findings"]] == ["PHONE"]
    stream = await gw.handle(request("My e-mail is kim@seoul.go.kr", stream=True), USER)
    assert isinstance(stream, ChatStream)
    chunks = await encoded_chunks(stream)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == SAFE_ANSWER
    assert chunks[-1]["gwanmun"]["output_findings"][0]["kind"] == "PHONE"
    assert [e.output_findings[0].kind for e in audit.events] == ["PHONE", "PHONE"]
    assert all(e.outcome is Outcome.MASKED for e in audit.events)


async def test_a_stopped_stream_is_an_error_event_and_an_audited_block() -> None:
    audit = MemoryAuditSink()
    gw = gateway("All good here. Then forbidden words follow. And more text.", audit)
    stream = await gw.handle(request("hello", stream=True), USER)
    assert isinstance(stream, ChatStream)
    received = ""
    with pytest.raises(OutputBlocked):
        async for chunk in sse_events(stream):
            received += chunk["choices"][0]["delta"].get("content") or ""
    # Not even the start of the blocked word was shown.
    assert received == "All good here. Then ", received
    (event,) = audit.events
    assert event.outcome is Outcome.BLOCKED and event.error_code == "output_blocked"
    assert event.action is Action.ALLOW  # the input was fine
    assert any("TOXIC_HATE" in r for r in event.reasons)
    assert [f.kind for f in event.output_findings] == ["TOXIC_HATE"]
    with pytest.raises(OutputBlocked):
        await gw.handle(request("hello"), USER)
    assert audit.events[-1].outcome is Outcome.BLOCKED


def test_with_no_checks_nothing_is_held() -> None:
    guard = CheckingOutputGuard(POLICY, scanner=None)
    req = request("hi")
    session = guard.open(req, SCANNER.inspect(req, backend_grade=Grade.S))
    assert session.feed("1") == "1" and session.feed(". Call 010") == ". Call 010"


def test_single_capitals_and_common_first_words_are_not_held() -> None:
    session = open_session("hello")
    assert session.feed("A") == "A"  # "A meeting …", not the start of "Alex"
    assert session.feed(" meeting") == " meeting"
    held = open_session("hello")
    assert held.feed("Dear Jo") == "Dear "  # "Jo" may become "John" + surname


async def test_the_toxicity_check_stops_a_hateful_answer_when_the_policy_enables_it() -> None:
    from gwanmun.guard.factory import output_guard_for

    data = POLICY.data.model_dump()
    data["output"]["checks"] = ["toxicity"]
    policy = Policy(PolicyFile.model_validate(data))
    audit = MemoryAuditSink()
    gw = Gateway(
        router=Router(
            [
                FakeBackend(
                    model="scripted", answer="안내드립니다. 틀딱들은 투표하지 마라. 끝.", chunk=2
                )
            ]
        ),
        input_guard=SCANNER,
        output_guard=output_guard_for(policy, SCANNER),
        audit=audit,
        blocked_error=blocked_error,
    )
    stream = await gw.handle(request("hello", stream=True), USER)
    assert isinstance(stream, ChatStream)
    received = ""
    with pytest.raises(OutputBlocked, match="TOXIC_HATE"):
        async for chunk in sse_events(stream):
            received += chunk["choices"][0]["delta"].get("content") or ""
    assert "틀딱" not in received
    assert audit.events[0].outcome is Outcome.BLOCKED


# Values whose first characters look like a plain word (``kim``, ``sk``, ``M``),
# so minimal mode may show them before the rest turns out to be a value.
STARTS_LIKE_A_WORD = [
    ("Write to kim.minsu@example.go.kr today.", "kim.minsu@example.go.kr"),
    ("担当者のメールアドレスはtaro.yamada@example.comです。", "taro.yamada@example.com"),
    ("Use key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD now.", "sk-proj-abcdefghijklm"),
    ("The AWS key is AKIAIOSFODNN7EXAMPLE ok.", "AKIAIOSFODNN7EXAMPLE"),
    ("여권번호는 M12345678 입니다.", "M12345678"),
    ("IBAN DE89 3704 0044 0532 0130 00 please.", "DE89 3704 0044 0532 0130 00"),
    ("Please contact Mr. John Smith about it.", "John Smith"),
]


@settings(max_examples=120, deadline=None)
@given(answer=st.sampled_from(STARTS_LIKE_A_WORD), cuts=CUTS)
def test_a_value_whose_start_was_shown_has_the_rest_masked(
    answer: tuple[str, str], cuts: list[int]
) -> None:
    """Before the fix, a value whose first characters had been released was
    skipped whole: ``kim`` then ``.minsu@…`` delivered the address raw."""
    text, value = answer
    session = open_session("hi", scanner=FULL_SCANNER)
    delivered = "".join(deliver(session, chunked(text, cuts)))
    half = value[len(value) // 2 :]
    assert half not in delivered, delivered
    if " " not in value:  # one marker for one word, however it came
        assert delivered.count("[") == 1, delivered
    (leak,) = session.report().findings
    assert leak.detector.startswith("leak:") and value in text[leak.start : leak.end]


def test_a_numbered_list_shows_its_first_digit_at_once() -> None:
    """SmolLM2 starts a list with the tokens ``1``, ``.``, `` **``: holding the
    ``1`` until it could not start an identifier doubled time to first token."""
    session = open_session("hello")
    assert session.feed("1") == "1"
    assert session.feed(".") == ""  # 1.2.3.4 may still come
    assert session.feed(" Write") == ". Write"
    later = open_session("hello")
    assert later.feed("Step ") == "Step "
    assert later.feed("1") == ""  # only the answer's first character


# Answers that begin with a value: the first digit may be shown before the rest.
STARTS_WITH_A_VALUE = [
    ("010-1234-5678로 연락하세요.", "010-1234-5678", "PHONE"),
    ("900101-1234568 입니다.", "900101-1234568", "KR_RRN"),
    ("4111 1111 1111 1111 is the card.", "4111 1111 1111 1111", "CREDIT_CARD"),
]


@settings(max_examples=90, deadline=None)
@given(answer=st.sampled_from(STARTS_WITH_A_VALUE), cuts=CUTS)
def test_an_answer_that_starts_with_a_value_shows_at_most_its_first_digit(
    answer: tuple[str, str, str], cuts: list[int]
) -> None:
    text, value, kind = answer
    whole = "".join(deliver(open_session("hi"), [text]))
    assert value[:2] not in whole and whole.startswith(f"[{kind}]"), whole
    session = open_session("hi")
    delivered = deliver(session, chunked(text, cuts))
    assert "".join(delivered) in (whole, value[0] + whole)
    so_far = ""
    for piece in delivered:
        so_far += piece
        assert value[:2] not in so_far, so_far
    (leak,) = session.report().findings
    assert leak.kind == kind and text[leak.start : leak.end] == value


def test_a_long_value_is_masked_within_the_hold_back_bound() -> None:
    """A finding longer than the hold-back window (a key, a blob) was held whole
    and the whole held text re-scanned on every chunk: 40,000 characters took
    17 s and stalled the event loop. Now its mask is opened at the bound."""
    blob = "data:image/png;base64," + base64.b64encode(random.Random(7).randbytes(9000)).decode()
    session = open_session("hi")
    held = 0
    out = []
    for i in range(0, len(blob), 4):
        out.append(session.feed(blob[i : i + 4] + (" done." if i + 4 >= len(blob) else "")))
        held = max(held, len(session._pending))  # type: ignore[attr-defined]
    out.append(session.finish())
    assert held <= 64 + 10
    assert "".join(out) == "data:image/png;base64,[SECRET] done."
    (leak,) = session.report().findings
    assert (leak.kind, leak.start, leak.end) == ("SECRET", 22, len(blob))
    # Prose glued to the value is not taken for more of it (the value is found
    # again ending there; were it not, only key characters would be taken).
    glued = open_session("hi")
    pieces = [glued.feed(blob[i : i + 4]) for i in range(0, len(blob), 4)]
    pieces += [glued.feed("です。次へ。"), glued.finish()]
    assert "".join(pieces) == "data:image/png;base64,[SECRET]です。次へ。"


def test_sentence_mode_does_not_end_a_sentence_at_a_full_stop_not_yet_followed() -> None:
    session = open_session("hi", options=OutputOptions(hold_back="sentence"))
    assert session.feed("Please write to kim.") == ""  # ``kim.`` may go on
    out = session.feed("minsu@example.go.kr for help. Then") + session.finish()
    assert out == "Please write to [EMAIL] for help. Then"


@pytest.mark.parametrize(
    "chunks",
    [
        ["[PERSON_1]님, 전화 [PHONE_1]로 연락드리겠습니다."],
        ["[P", "ERSON_1]님, 전화 [PHONE_1", "]로 연락드리겠습니다."],
        list("[PERSON_1]님, 전화 [PHONE_1]로 연락드리겠습니다."),
    ],
)
def test_placeholders_before_a_korean_particle_are_restored_not_masked(
    chunks: list[str],
) -> None:
    """The name detector read ``PERSON`` in ``[PERSON_1]님`` as a name: the answer
    showed ``[[PERSON]_1]님`` instead of the user's own name."""
    session = open_session(
        "제 이름은 김민수이고 전화는 010-2222-3333 입니다.", scanner=FULL_SCANNER
    )
    assert "".join(deliver(session, chunks)) == "김민수님, 전화 010-2222-3333로 연락드리겠습니다."
    assert session.report().findings == ()


def delta(text: str | None, finish: str | None = None) -> dict[str, Any]:
    content = {} if text is None else {"content": text}
    return {"choices": [{"index": 0, "delta": content, "finish_reason": finish}]}


async def scripted_stream(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    gw = Gateway(
        router=Router([FakeBackend(model="scripted", events=events)]),
        input_guard=SCANNER,
        output_guard=CheckingOutputGuard(POLICY, scanner=SCANNER),
        audit=MemoryAuditSink(),
        blocked_error=blocked_error,
    )
    stream = await gw.handle(request("hello", stream=True), USER)
    assert isinstance(stream, ChatStream)
    return await encoded_chunks(stream)


def text_of(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])


async def test_a_stream_without_a_finish_reason_still_ends_with_the_label() -> None:
    chunks = await scripted_stream([delta("Call 010-"), delta("9999-8888 now")])
    assert text_of(chunks) == "Call [PHONE] now"
    meta = chunks[-1]["gwanmun"]
    assert meta["ai_generated"] is True
    assert [f["kind"] for f in meta["output_findings"]] == ["PHONE"]


async def test_a_surrogate_pair_split_across_events_is_joined() -> None:
    # JSON escapes \ud83d and \ude00 in two events decode to two lone halves.
    chunks = await scripted_stream(
        [delta("Hi \ud83d"), delta("\ude00 there"), delta("\ud83d"), delta(None, "stop")]
    )
    assert text_of(chunks) == "Hi \U0001f600 there\ufffd"
    assert chunks[-1]["gwanmun"]["ai_generated"] is True


def test_a_mask_left_open_takes_only_key_characters() -> None:
    from gwanmun.guard.leaks import _leading_run

    assert _leading_run("Ab3+/=_-.x rest") == len("Ab3+/=_-.x")
    assert _leading_run("AbC123です。次へ") == len("AbC123")
    assert _leading_run(" next") == 0


# A value the model writes out in numerals (issue 18): the first numerals must
# not be shown before the rest makes it a finding.
NUMERAL_ANSWERS = [
    ("담당자 전화는 공일공 구구구구 팔팔팔칠 입니다. 감사합니다.", "01099998887"),
    ("번호는 九〇〇一〇一-一二三四五六八 です。", "9001011234568"),
    ("연락처: 영일공-사사오오-육육칠칠 로 주세요.", "01044556677"),
    # said aloud, with units (천이백삼십사 is 1234)
    ("담당자 전화는 공일공 천이백삼십사 오천육백칠십팔 입니다.", "01012345678"),
    ("電話は 〇九〇 四千七百三十一 五千六百十六 です。", "09047315616"),
]


@settings(max_examples=60, deadline=None)
@given(answer=st.sampled_from(NUMERAL_ANSWERS), cuts=CUTS)
def test_a_value_in_numerals_shows_none_of_its_numerals_whatever_the_chunking(
    answer: tuple[str, str], cuts: list[int]
) -> None:
    text, digits = answer
    whole = "".join(deliver(open_session("hello"), [text]))
    assert "[" in whole and digits[:3] not in normalize(whole).text.replace("-", "")
    delivered = deliver(open_session("hello"), chunked(text, cuts))
    assert "".join(delivered) == whole
    so_far = ""
    for piece in delivered:
        so_far += piece
        shown = re.sub(r"[^0-9]", "", normalize(so_far).text)
        assert digits[:3] not in shown, (so_far, delivered)


def test_the_user_s_own_value_echoed_in_numerals_is_theirs_not_a_leak() -> None:
    session = open_session("제 번호 010-2345-6789 로 연락 주세요")
    answer = "네, 공일공-이삼사오-육칠팔구 로 연락드리겠습니다."
    assert "".join(deliver(session, [answer])) == answer
    assert compact("공일공-이삼사오-육칠팔구") == compact("010 2345 6789")
    assert compact("九〇〇一〇一－一二三四五六八") == compact("900101-1234568")
    assert compact("공일공 이천삼백사십오 육천칠백팔십구") == compact("010-2345-6789")
