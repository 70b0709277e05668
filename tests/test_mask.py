"""Reversible masking: consistent placeholders, streamed restoration, no crossing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.guard.mask import Masker, StreamRestorer, merge_spans
from gwanmun.types import Finding


def at(text: str, value: str, kind: str) -> Finding:
    start = text.index(value)
    return Finding(kind, start, start + len(value), 0.9, "test")


def test_same_value_same_placeholder_across_messages() -> None:
    masker = Masker()
    first = "김민수 주무관에게 010-1234-5678로 연락"
    second = "김민수 씨의 번호는 010-1234-5678, 이영희 씨는 02-123-4567"
    a = masker.mask(first, [at(first, "김민수", "PERSON"), at(first, "010-1234-5678", "PHONE")])
    b = masker.mask(
        second,
        [
            at(second, "김민수", "PERSON"),
            at(second, "010-1234-5678", "PHONE"),
            at(second, "이영희", "PERSON"),
            at(second, "02-123-4567", "PHONE"),
        ],
    )
    assert a == "[PERSON_1] 주무관에게 [PHONE_1]로 연락"
    assert b == "[PERSON_1] 씨의 번호는 [PHONE_1], [PERSON_2] 씨는 [PHONE_2]"
    assert masker.values == {
        "[PERSON_1]": "김민수",
        "[PHONE_1]": "010-1234-5678",
        "[PERSON_2]": "이영희",
        "[PHONE_2]": "02-123-4567",
    }


def test_overlapping_findings_are_merged() -> None:
    spans = merge_spans(
        [
            Finding("PHONE", 5, 18, 0.8, "a"),
            Finding("KR_RRN", 0, 14, 0.9, "b"),
            Finding("PERSON", 20, 23, 0.9, "c"),
            Finding("EMAIL", 21, 22, 0.9, "d"),
        ]
    )
    assert [(f.kind, f.start, f.end) for f in spans] == [("KR_RRN", 0, 18), ("PERSON", 20, 23)]


@pytest.mark.parametrize(
    "edited",
    [
        "[PERSON_1]",
        "[person_1]",
        "[ PERSON_1 ]",
        "[PERSON 1]",
        "[PERSON-1]",
        "(PERSON_1)",
        "【PERSON_1】",
        "PERSON_1",
        "Person_1",
    ],
)
def test_restoration_tolerates_small_model_edits(edited: str) -> None:
    restorer = StreamRestorer({"[PERSON_1]": "김민수"})
    assert restorer.restore(f"Dear {edited}, hello") == "Dear 김민수, hello"


@pytest.mark.parametrize("edited", ["[KR_RRN_1]", "[KR-RRN-1]", "[KRRRN_1]", "[kr rrn 1]"])
def test_kinds_with_an_underscore_tolerate_the_same_edits(edited: str) -> None:
    # [KRRRN_1] was matched (and so held while streaming) but not looked up.
    restorer = StreamRestorer({"[KR_RRN_1]": "900101-1234568"})
    assert restorer.restore(f"번호 {edited} 확인") == "번호 900101-1234568 확인"


def test_unknown_and_embedded_placeholders_are_left_alone() -> None:
    restorer = StreamRestorer({"[PERSON_1]": "김민수"})
    text = "[PERSON_2] and SUPERPERSON_1 and [PERSON_12]"
    assert restorer.restore(text) == text


@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=80))
@settings(max_examples=200, deadline=None)
def test_streamed_restoration_equals_whole_restoration(cuts: list[int]) -> None:
    values = {"[PERSON_1]": "김민수", "[PHONE_1]": "010-1234-5678", "[KR_RRN_1]": "900101-1234567"}
    answer = (
        "Dear [PERSON_1], we will call [PHONE_1] (or [phone 1]) about "
        "[KR_RRN_1]. Regards to PERSON_1. [PERS is not a placeholder, nor is [X]."
    )
    restorer = StreamRestorer(values)
    out, i = [], 0
    for n in cuts:
        out.append(restorer.feed(answer[i : i + n]))
        i += n
    out.append(restorer.feed(answer[i:]))
    out.append(restorer.flush())
    assert "".join(out) == StreamRestorer(values).restore(answer)
    assert "".join(out).startswith("Dear 김민수, we will call 010-1234-5678 (or 010-1234-5678)")


def test_hold_back_is_bounded() -> None:
    restorer = StreamRestorer({"[PERSON_1]": "x"})
    # A bracket that never closes is released once it cannot be a placeholder.
    assert restorer.feed("[") == ""
    assert restorer.feed("P") == ""
    assert restorer.feed("izza") == "[Pizza"
    long_text = "word " * 40
    assert restorer.feed(long_text) == long_text


def test_maskers_never_share_values() -> None:
    maskers = [Masker() for _ in range(50)]
    for n, masker in enumerate(maskers):
        text = f"user{n} phone 010-0000-{n:04d}"
        masker.mask(text, [at(text, f"010-0000-{n:04d}", "PHONE")])
    for n, masker in enumerate(maskers):
        restored = masker.restorer().restore("[PHONE_1]")
        assert restored == f"010-0000-{n:04d}"
