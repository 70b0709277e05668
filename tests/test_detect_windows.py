"""Detectors with a ``trigger`` are given only slices of the text around it
(gwanmun.detect.TriggerIndex, one hyperscan pass); they must find exactly what
they find on the whole text, wherever the values sit and however far apart."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from devtools.evalsets import SET, load
from gwanmun.detect import BRIDGE, REACH, Detector, TriggerIndex, detect_in
from gwanmun.detect._common import matches_at_starts, spaced_continuation
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.text import normalize
from gwanmun.types import Finding

TRIGGERED = [d for d in builtin_detectors() if getattr(d, "trigger", None)]
INDEX = TriggerIndex(TRIGGERED)
# Forms the generated set does not spell out: spaced plates, region names, bracketed
# area codes, masked cards, branch numbers — each one a value some detector reports.
EXTRA = [
    "차량 12가 3456 주차", "차량번호 12 가 3456", "서울 12가 3456 차량",
    "전화 (02) 123-4567", "tel +82 10-1234-5678", "電話 +81-3-1234-5678", "연락처 031 123 4567",
    "카드 1234-56**-****-3456", "card 4111 1111 1111 1111", "カード 4111-****-****-1111",
    "면허 서울 12-345678-90", "운전면허 11-12-345678-90", "건강보험증번호 1-2345678901",
    "保険証 記号 1234 番号 56", "신한은행 계좌 110-123-456789", "〒100-0001 東京都",
    "우편번호 06236", "사업자등록번호 220-81-62517", "マイナンバー 1234 5678 9018",
    "주소 경기도 수원시 팔달구 효원로 241", "충청남도 공주시 우성면 한천리 산 12-3번지",
    "서울특별시 강남구 테헤란대로 123 4층", "춘천시 중앙로1가 12 (중앙동)",
    "北海道札幌市中央区北一条西二丁目", "長野県北佐久郡軽井沢町長倉1234-5",
    "大阪府大阪市北区梅田3-1-1 5階",
]  # fmt: skip
SENTENCES = [r["text"] for r in load(SET)] + EXTRA
FILLER = (
    "회의에서는 도로 보수 일정과 예산 집행 계획을 논의하였다. ",
    "会議では道路補修の日程と予算の執行計画について話し合った。",
    "The committee discussed the road repair schedule and the budget. ",
    "담당자 연락처는 별도로 안내한다. ",
)


def _sorted(findings: list[Finding]) -> list[Finding]:
    # Order is not part of the contract (run_detectors sorts): a detector with
    # several rules lists a slice's findings rule by rule.
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind, f.score))


def test_the_extra_forms_are_values() -> None:
    whole = [[d.id for d in TRIGGERED if d.detect(normalize(t).text)] for t in EXTRA]
    assert all(whole), [t for t, ids in zip(EXTRA, whole, strict=True) if not ids]


def test_every_numeric_detector_declares_its_trigger() -> None:
    ids = {d.id for d in TRIGGERED}
    assert {"kr_resident", "jp_my_number", "phone", "credit_card", "email", "ip_address"} <= ids
    assert len(TRIGGERED) >= 20


def _document(rng: random.Random, parts: int) -> str:
    pieces = []
    for _ in range(parts):
        if rng.random() < 0.3:
            pieces.append(rng.choice(SENTENCES))
        else:
            pieces.append(rng.choice(FILLER) * rng.randint(1, 12))
    return " ".join(pieces)


@pytest.mark.parametrize("seed", range(40))
def test_slices_find_what_the_whole_text_finds(seed: int) -> None:
    rng = random.Random(seed)
    text = normalize(_document(rng, rng.randint(2, 30))).text
    windows = INDEX.windows(text)
    for detector in TRIGGERED:
        assert _sorted(detect_in(detector, text, windows)) == _sorted(detector.detect(text)), (
            detector.id
        )
    # Long documents do get cut into slices (the test would prove nothing if
    # every text were scanned whole).
    if len(text) > 4 * (REACH + BRIDGE):
        assert all(w != [(0, len(text))] for w in windows.values())


@settings(max_examples=60, deadline=None)
@given(
    value=st.sampled_from(SENTENCES),
    before=st.integers(0, 400),
    after=st.integers(0, 400),
    glue=st.sampled_from(["", " ", "이고 ", "です。", "\n"]),
)
def test_a_value_anywhere_in_plain_text_is_found_alike(
    value: str, before: int, after: int, glue: str
) -> None:
    text = normalize("가" * before + glue + value + glue + "は" * after).text
    windows = INDEX.windows(text)
    for detector in TRIGGERED:
        assert _sorted(detect_in(detector, text, windows)) == _sorted(detector.detect(text)), (
            detector.id
        )


def test_text_without_a_trigger_is_not_scanned() -> None:
    text = "숫자가 하나도 없는 평범한 문장입니다. 2024년에 시작했다. " * 20

    class Counting:
        id = "counting"
        kinds = ("X",)
        trigger = r"[0-9]{6}"
        calls = 0

        def detect(self, text: str) -> list:  # type: ignore[type-arg]
            Counting.calls += 1
            return []

    detector: Detector = Counting()
    index = TriggerIndex([detector])
    windows = index.windows(text)
    assert windows == {} and index.matches(text) == 0
    assert detect_in(detector, text, windows) == [] and Counting.calls == 0
    assert index.matches(text + " 접수번호 123456, 654321") == 2


def test_offsets_are_characters_not_bytes() -> None:
    index = TriggerIndex([d for d in TRIGGERED if d.id == "email"])
    text = "가나다라마바사" * 40 + " kim@example.go.kr " + "아자차카" * 40
    (window,) = index.windows(text)["email"]
    at = text.index("@")
    assert window[0] <= at - REACH and window[1] >= at + REACH
    assert window[1] - window[0] < 3 * REACH


@pytest.mark.parametrize("glue", ["1", "A", "-1", " 1", "12 ", "가"])
def test_values_glued_to_digits_and_letters_are_found_alike(glue: str) -> None:
    # Triggers carry the edges the patterns' lookarounds allow: a value glued to
    # a digit or a letter is not one (whole text), and must not become one in a
    # slice either.
    for value in SENTENCES:
        text = normalize(glue + value + glue).text
        windows = INDEX.windows(text)
        for detector in TRIGGERED:
            assert _sorted(detect_in(detector, text, windows)) == _sorted(detector.detect(text)), (
                detector.id,
                text,
            )


SKIPPING = [d for d in builtin_detectors() if getattr(d, "starts", None) is not None]


def test_the_numeric_detectors_skip_to_digits() -> None:
    ids = {d.id for d in SKIPPING}
    assert {"kr_resident", "kr_bank_account", "credit_card", "jp_my_number", "phone"} <= ids
    assert "ip_address" in ids


_NUMERIC_PIECES = st.sampled_from(
    ["0", "1", "9", "19", "900101", "1234567", "4111", "٣", "-", ".", " ", "a", "Z", "x",
     "*", "가", "は", "〒", "\n", "+", "(", ")", "+82", "(0)", "010", "0312345678", ":", "::1",
     "f", "fe80", "192.168", ".1"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_NUMERIC_PIECES, max_size=30).map("".join))
def test_skipping_detectors_match_as_finditer_does(text: str) -> None:
    # matches_at_starts tries a pattern only where its ``starts`` says a match
    # can begin; for these detectors that must equal searching at every
    # position, less the parts of longer space-grouped numbers.
    for detector in SKIPPING:
        pattern, starts = getattr(detector, "pattern"), getattr(detector, "starts")  # noqa: B009
        expected = _free_standing(pattern, text)
        assert [m.span() for m in matches_at_starts(pattern, text, starts)] == expected, detector.id


def _free_standing(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """finditer's spans, except that a match inside a longer space-grouped number
    is dropped and the search goes on from the next position."""
    spans, at = [], 0
    while (m := pattern.search(text, at)) is not None:
        if spaced_continuation(text, m.start(), m.end()):
            at = m.start() + 1
            continue
        spans.append(m.span())
        at = max(m.end(), m.start() + 1)
    return spans


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("주민등록번호 900101-1234568 2024년 발급", ["900101-1234568"]),
        ("홍길동 900101-1234568 010-1234-5678", ["900101-1234568", "010-1234-5678"]),
        ("카드 4111 1111 1111 1111 12/27", ["4111 1111 1111 1111"]),
        ("マイナンバー 1234 5678 9018 2枚目", ["1234 5678 9018"]),
        ("전화 010-1234-5678 010-9999-8888", ["010-1234-5678", "010-9999-8888"]),
        ("1 900101-1234568", ["900101-1234568"]),
        # the first or last twelve digits of a spaced card are no My Number
        ("カード 4111 1111 1111 1111", ["4111 1111 1111 1111"]),
        # nor are the inner groups of an IBAN a card (DE23 is a group: it has digits)
        ("IBAN DE23 5664 0525 3768 6054 37.", ["DE23 5664 0525 3768 6054 37"]),
        ("카드 4111 1111 1111 1111 VISA", ["4111 1111 1111 1111"]),
    ],
)
def test_a_number_after_a_space_is_another_number(text: str, values: list[str]) -> None:
    """``(?![-. ][0-9])`` took any number after a space for the rest of the value:
    an RRN followed by a year, a card by its expiry date, a phone by another
    phone were all missed."""
    found = [
        text[f.start : f.end]
        for d in builtin_detectors(structured_only=True)
        for f in d.detect(text)
    ]
    assert sorted(found) == sorted(values)


@pytest.mark.parametrize("repeat", [1, 2000])  # below and above the vectorised size
def test_byte_offsets_become_character_offsets(repeat: int) -> None:
    from gwanmun.detect import _VECTOR_BYTES, _char_offsets

    text = "a가\U0001f600\ud800é " * repeat  # 1-, 2-, 3- and 4-byte characters, a lone surrogate
    data = text.encode("utf-8", "surrogatepass")
    assert (len(data) >= _VECTOR_BYTES) == (repeat > 1)
    ends, byte = [(0, 0)], 0
    for i, char in enumerate(text, start=1):
        byte += len(char.encode("utf-8", "surrogatepass"))
        ends.append((byte, i))
    assert _char_offsets(data, ends) == [(i, i) for _, i in ends]


@settings(max_examples=300, deadline=None)
@example(groups=[6, 2, 2], digits=12345678901, glue=" ")  # the trigger's corner cases
@example(groups=[4, 2, 2, 2], digits=12345678901, glue=" ")
@example(groups=[2, 2, 3, 3], digits=12345678901, glue=" ")
@example(groups=[3, 7], digits=12345678901, glue=" ")
@example(groups=[4, 4, 4, 1], digits=4111111111111111, glue=" ")
@given(
    groups=st.lists(st.integers(1, 8), min_size=1, max_size=5),
    digits=st.integers(0, 10**30),
    glue=st.sampled_from([" ", "-", "", "이고 ", "."]),
)
def test_numbers_of_any_grouping_are_found_alike(groups: list[int], digits: int, glue: str) -> None:
    # Bank accounts, cards and the other dashed numbers: however the digits are
    # grouped, a trigger opens a window wherever a detector reports a value.
    pool = str(digits).zfill(40)
    value, at = [], 0
    for size in groups:
        value.append(pool[at : at + size])
        at += size
    for sep in ("-", " "):
        text = normalize("계좌 " + sep.join(value) + glue + "카드 번호 문의").text
        windows = INDEX.windows(text)
        for detector in TRIGGERED:
            assert _sorted(detect_in(detector, text, windows)) == _sorted(detector.detect(text)), (
                detector.id,
                text,
            )


@pytest.mark.parametrize("count", [3, 60])  # mapped one by one, and all at once
def test_findings_point_into_the_original_text(count: int) -> None:
    from gwanmun.detect import run_detectors

    # Full-width digits, zero-width spaces and an NFKC expansion (㎏) move every
    # normalised offset away from the original one.
    values = [f"０１０-\u200b{1000 + i}-５６７８" for i in range(count)]
    text = "".join(f"㎏ 연락처 {v} 입니다. " for v in values)
    phones = [f for f in run_detectors(text, TRIGGERED) if f.kind == "PHONE"]
    assert [text[f.start : f.end] for f in phones] == values


def test_the_space_continuation_check_reads_within_each_detector_s_context() -> None:
    # spaced_continuation reads a space and up to nine characters beyond a match;
    # a slice reaches ``context`` beyond it, so that must be at least as far.
    from gwanmun.detect._common import _GROUP_MAX, PatternDetector

    checked = [
        d
        for d in builtin_detectors(structured_only=True)
        if getattr(d, "starts", None) is not None
        or (isinstance(d, PatternDetector) and d.digit_bounded)
    ]
    assert {"kr_resident", "credit_card", "jp_my_number", "kr_driver_license"} <= {
        d.id for d in checked
    }
    for detector in checked:
        assert getattr(detector, "context", 0) >= _GROUP_MAX + 2, detector.id
