"""Identifiers named in parts, with words between the pieces (issue 18)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.obfuscate import my_number, rrn
from gwanmun.detect.parts import IdentifierParts
from tests.detect.helpers import found

PARTS = IdentifierParts()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "생년월일 900101 이고 뒷자리는 1234568 입니다",
            [("KR_RRN", "900101"), ("KR_RRN", "1234568")],
        ),
        (
            "생년월일은 구공공일공일, 뒷자리는 일이삼사오육팔",
            [("KR_RRN", "구공공일공일"), ("KR_RRN", "일이삼사오육팔")],
        ),
        ("주민번호 앞 900101 뒤 1234 568", [("KR_RRN", "900101"), ("KR_RRN", "1234 568")]),
        (
            "マイナンバーの前半は 1234、後半は 5678 9018 です",
            [("JP_MY_NUMBER", "1234"), ("JP_MY_NUMBER", "5678 9018")],
        ),
        (
            "マイナンバー: 最初 1234、次 5678、最後 9018",
            [("JP_MY_NUMBER", "1234"), ("JP_MY_NUMBER", "5678"), ("JP_MY_NUMBER", "9018")],
        ),
    ],
)
def test_pieces_named_apart_are_each_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, PARTS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("| 900101 | 가나다 | 1234568 |", [("KR_RRN", "900101"), ("KR_RRN", "1234568")]),
        ("900101,,가나다,1234568", [("KR_RRN", "900101"), ("KR_RRN", "1234568")]),
        ("| 900101 |  | 1234568 |", [("KR_RRN", "900101"), ("KR_RRN", "1234568")]),
        (
            "| 900101 | 서울시 | 3.5 | 총무과 | 1234568 |",
            [("KR_RRN", "900101"), ("KR_RRN", "1234568")],
        ),
        (
            "이름\t부서\t비고\n900101\t총무과\t1234568",
            [("KR_RRN", "900101"), ("KR_RRN", "1234568")],
        ),
        (
            "1234,山田,5678,東京,9018",
            [("JP_MY_NUMBER", "1234"), ("JP_MY_NUMBER", "5678"), ("JP_MY_NUMBER", "9018")],
        ),
        # a header naming the columns: found once, not twice
        (
            "생년월일,성명,뒷자리\n900101,가나다,1234568",
            [("KR_RRN", "900101"), ("KR_RRN", "1234568")],
        ),
    ],
)  # fmt: skip
def test_a_value_in_cells_of_one_row_is_found_without_a_naming_word(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text, PARTS) == expected


@pytest.mark.parametrize(
    "text",
    [
        "900101,가나다,1234567",  # the check digit fails
        "900101\n가나다\n1234568",  # lines, not cells of one row
        "금액,1,234,567,원",  # thousands separators
        "| 2024-01-05 | 1234567 | 900 |",
        "| 900101 | 1234568 |",  # neighbours: one grouped number, the RRN detector's
        "2021 | 2022 | 2024 | 2019",  # a row of bare figures
        "1234|5678|9012|3456",
        "1,2,3,4,5,6,7,8,9,0," * 500,  # long: bounded, and no record
    ],
)
def test_table_rows_without_a_value_in_cells_apart_are_left_alone(text: str) -> None:
    assert found(text, PARTS) == []


@pytest.mark.parametrize(
    "text",
    [
        "생년월일 900101, 사번 1234567",  # the check digit fails: two numbers
        "계약일 900101 금액 1234568원",  # valid together, but nothing names a resident number
        "マイナンバー 1234 です。会議は 5678 9019 号室",  # check digit fails
        "생년월일 900101" + "와 관련된 설명이 이어집니다 " * 5 + "1234568",  # too far apart
    ],
)
def test_numbers_near_each_other_are_not_one_identifier(text: str) -> None:
    assert found(text, PARTS) == []


@given(
    rng=st.randoms(use_true_random=False),
    kind=st.sampled_from(("KR_RRN", "JP_MY_NUMBER")),
    between=st.sampled_from((" 이고 뒷자리는 ", ", 後半は ", " and then ", " / 나머지: ")),
    cut=st.integers(min_value=2, max_value=10),
)
def test_any_two_pieces_of_a_named_value_are_both_found(
    rng: random.Random, kind: str, between: str, cut: int
) -> None:
    value = rrn(rng) if kind == "KR_RRN" else my_number(rng)
    name = "주민등록번호 " if kind == "KR_RRN" else "マイナンバー "
    text = name + value[:cut] + between + value[cut:] + " 입니다"
    assert found(text, PARTS) == [(kind, value[:cut]), (kind, value[cut:])]


def test_naming_words_are_found_as_a_find_per_word_finds_them() -> None:
    """One regex finds every occurrence of every naming word, overlapping
    ones included, when no word holds another."""
    from gwanmun.detect.parts import _WHOLES, _naming_words

    words = [word for whole in _WHOLES for word in whole.words]
    assert all(a == b or b not in a for a in words for b in words)
    rng = random.Random(18)
    for _ in range(300):
        text = "".join(
            rng.choice([*words, "my numberesident", "x", " ", "주", "민"]) for _ in range(8)
        )
        expected = sorted(
            (at, at + len(word), word)
            for word in words
            for at in range(len(text))
            if text.startswith(word, at)
        )
        assert _naming_words(text) == expected


def test_the_trigger_pass_finds_the_naming_words_as_the_detector_does() -> None:
    """``run_detectors`` hands the parts detector its naming words from the
    trigger pass (``hints``): every occurrence, as ``_naming_words`` finds
    them, in texts of every script around them; and the findings are those of
    the detector finding them itself (with the dates looked for only where
    the pass found a 년 or a dotted date's separators)."""
    from gwanmun.detect import TriggerIndex
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.detect.parts import _WHOLES, _WORDS, _naming_words
    from gwanmun.text import normalize

    detectors = builtin_detectors(structured_only=True)
    index = TriggerIndex(detectors)
    parts = next(d for d in detectors if d.id == "identifier_parts")
    words = [word for whole in _WHOLES for word in whole.words]
    rng = random.Random(18)
    pieces = [*words, "my numberesident", "주", "민", "x", " ", "900101", "1234568", "가", "é"]
    # dates, for the marks that say where the detector looks for one
    pieces += ["1990년 1월 1일", "구십년 일월 일일생", "1990.1.1", "90.01.01", ".", "-", "1", "년"]
    for _ in range(1000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        normalized = normalize(text)
        _, hints = index.scan(normalized.text)
        ends = hints.get(id(parts), [])
        named = sorted((end - len(_WORDS[n]), end, _WORDS[n]) for end, n in ends if n < len(_WORDS))
        assert named == _naming_words(normalized.text)
        assert parts.detect_normalized(normalized, hints=ends) == (
            parts.detect_normalized(normalized)
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "생년월일은 구십년 일월 일일생이고 뒷자리는 1234568",
            [("KR_RRN", "구십년 일월 일일"), ("KR_RRN", "1234568")],
        ),
        (
            "1990년 1월 1일생, 주민번호 뒷자리 1234568",
            [("KR_RRN", "1990년 1월 1일"), ("KR_RRN", "1234568")],
        ),
        # the normaliser reads the day's 일 as a digit here (1월 11 1234568)
        ("주민번호 1990년 1월 1일 1234568", [("KR_RRN", "1990년 1월 1일"), ("KR_RRN", "1234568")]),
        (
            "생년월일은 천구백구십년 일월 일일이고 뒷자리는 일이삼사오육팔 입니다",
            [("KR_RRN", "천구백구십년 일월 일일"), ("KR_RRN", "일이삼사오육팔")],
        ),
        ("생년월일 1990.1.1 뒷자리 1234568", [("KR_RRN", "1990.1.1"), ("KR_RRN", "1234568")]),
        # joined by the normaliser into one dashed run (1990-1-1-1234568)
        ("주민번호 1990. 1. 1. - 1234568", [("KR_RRN", "1990. 1. 1"), ("KR_RRN", "1234568")]),
        (
            "뒷자리 1234568, 생년월일 구십년 일월 일일",
            [("KR_RRN", "1234568"), ("KR_RRN", "구십년 일월 일일")],
        ),
    ],
)  # fmt: skip
def test_a_birth_date_written_as_a_date_is_a_front_half(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text, PARTS) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024년 3월 1일에 개원, 문의 1234568",  # nothing names a resident number
        "1990년 1월 1일에 개원했습니다. 대표번호 1234568",
        "주민센터는 1990년 1월 1일에 개원, 접수번호 1234567",  # the check digit fails
        "생년월일 2090년 1월 1일 뒷자리 1234568",  # 2090 is no birth year with a 1
        "생년월일 1990년 1월 1일 뒷자리 3234568",  # 1990 with a 3: another century
    ],
)
def test_dates_in_prose_beside_a_number_are_no_front_half(text: str) -> None:
    assert found(text, PARTS) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("900101 | 2024-03-01 | 1234568", [("KR_RRN", "900101"), ("KR_RRN", "1234568")]),
        (
            "이름 | 900101 | 2024-03-01 | 1234568 | 비고",
            [("KR_RRN", "900101"), ("KR_RRN", "1234568")],
        ),
        ("900101,2024-03-01,1234568", [("KR_RRN", "900101"), ("KR_RRN", "1234568")]),
        ("900101\t2024/03/01\t1234568", [("KR_RRN", "900101"), ("KR_RRN", "1234568")]),
        (
            "| ９００１０１ | 2024.03.01 | ①②③④⑤⑥⑧ |",
            [("KR_RRN", "９００１０１"), ("KR_RRN", "①②③④⑤⑥⑧")],
        ),
        (
            "1234 | 10:30 | 5678 | 9018",
            [("JP_MY_NUMBER", "1234"), ("JP_MY_NUMBER", "5678"), ("JP_MY_NUMBER", "9018")],
        ),
    ],
)  # fmt: skip
def test_a_half_beside_a_cell_ending_in_a_digit_is_read_as_typed(
    text: str, expected: list[tuple[str, str]]
) -> None:
    """The normaliser joins digit groups across `` | `` (``900101-2024-03-01-
    1234568``): the row reader cuts the cells where they were typed."""
    assert found(text, PARTS) == expected


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        # 8 digits of a date and 4 more would make a My Number (check digit 1 in 11)
        ("23501839 | 2024/03/01 | 山田 | 6944", "2024/03/01"),
        ("16059633 | 山田 | 10:30 | 3963", "10:30"),
    ],
)
def test_a_date_or_time_cell_is_no_half(text: str, cell: str) -> None:
    assert ("JP_MY_NUMBER", cell) not in found(text, PARTS)


_DATE_PIECES = [
    "1990", "90", "2024", "1", "01", "12", "31", "1234568", ".", "-", "/", " ", "년", "월", "일",
    "가", "a", "구십", "900101-1234568", "1990.1.1", "90.01.01", "2024-03-01",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_DATE_PIECES), max_size=20).map("".join))
def test_the_dotted_hint_skips_no_dotted_date(text: str) -> None:
    """``dates`` scans for dotted dates only where its hint says one may be:
    the same dates as scanning every text."""
    import re
    from unittest import mock

    from gwanmun.detect import dates as dates_module

    gated = dates_module.dates(text)
    with mock.patch.object(dates_module, "_DOTTED_HINT", re.compile("")):  # always scanned
        assert dates_module.dates(text) == gated


@pytest.mark.parametrize(
    "text",
    [
        "생년월일 231207 이고 뒷자리는 3549926 입니다",
        "주민번호 앞자리 201001, 뒤 4720906",
        "생년월일은 2023. 2. 7.생이고 뒷자리는 3726847 입니다",
        "주민등록번호는 이공이이년 삼월 십이일 - 사팔육칠오이오",
    ],
)
def test_a_number_issued_since_october_2020_is_found_in_pieces_without_a_check_digit(
    text: str,
) -> None:
    """Since October 2020 the digits after the gender digit are random: with a
    word that names a resident number, the date and gender digit are enough."""
    assert len(found(text, PARTS)) == 2, found(text, PARTS)


@pytest.mark.parametrize(
    "text",
    [
        "주민센터 민원 231207 처리, 문서번호 3549926",  # 주민 alone names no number
        "주민센터 민원 2023년 11월 8일 처리, 문서번호 3017172",
        "생년월일 200930 이고 뒷자리는 3549926 입니다",  # before October 2020: checked
        "생년월일 231207 이고 뒷자리는 1549926 입니다",  # gender digit of the 1900s
    ],
)
def test_without_a_check_digit_only_a_number_since_2020_named_as_one_is_taken(text: str) -> None:
    assert found(text, PARTS) == []


def test_the_pieces_strings_are_those_of_the_pieces_found_with_their_places() -> None:
    """The digit counts are taken from ``_piece_strings`` (no match objects),
    the places from ``_pieces_near`` only when counts add up: both must be
    the same pieces, at a stretch's edge too (a digit right after it)."""
    from gwanmun.detect.parts import _naming_words, _piece_strings, _pieces_near

    rng = random.Random(18)
    pieces = ["주민번호 ", "900101", "-", " ", ".", "1", "12", "1234568", "가", "A", "\n"]
    pieces.append("x" * 150)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        words = [(lo, hi) for lo, hi, _ in _naming_words(text)]
        spans = _pieces_near(text, words)
        assert _piece_strings(text, words) == [text[lo:hi] for lo, hi in spans]
    # a stretch ending at 가 with a piece right after it (not one of its pieces)
    reach = 60 + 2 * 48 + 3 * 40
    for tail in ("가1", "가12 34", "\n5", "가1-2"):
        text = "주민 900101 " + "x" * (reach - 8) + tail  # 가 at the stretch's end
        words = [(lo, hi) for lo, hi, _ in _naming_words(text)]
        spans = _pieces_near(text, words)
        assert _piece_strings(text, words) == [text[lo:hi] for lo, hi in spans] == ["900101"]
