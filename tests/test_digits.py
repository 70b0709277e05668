"""Numbers as a person reads them (gwanmun.digits, through gwanmun.text.normalize):
numerals, look-alikes, any separator, digits one by one — and every finding
still maps back to exactly what the user typed."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.obfuscate import FRAMES, GROUPS, RENDERINGS, SEPARATOR_RUNS, generate
from gwanmun.detect import run_detectors
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.digits import NUMERALS, SEPARATORS
from gwanmun.text import normalize

DETECTORS = builtin_detectors(structured_only=True)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("구공공일공일-일이삼사오육팔", "900101-1234568"),
        ("영일공 일이삼사 오육칠팔", "010 1234 5678"),
        ("九〇〇一〇一－一二三四五六八", "900101-1234568"),
        ("零九〇 壱弐参四 五六七八", "090 1234 5678"),
        ("❾⓪⓪❶⓪❶-①②③④⑤⑥⑧", "900101-1234568"),  # dingbat and circled digits
        ("⑼⒐𝟎𝟏𝟎𝟏-1234568", "990101-1234568"),  # parenthesised, with a full stop, bold
        ("9\ufe0f\u20e30\u03010101-1234568", "900101-1234568"),  # keycap, combining acute
        ("9OO1O1-I234568", "900101-I234568"),  # O inside a group; a leading I stays
        ("9001O1-12l4568", "900101-1214568"),
        ("passport O72725056", "passport O72725056"),  # a leading O is a letter
        ("Hello World 2024", "Hello World 2024"),
        ("900101/1234568", "900101-1234568"),
        ("900101 - 1234568", "900101-1234568"),
        ("900101--1234568", "900101-1234568"),
        ("900101\r\n1234568", "900101-1234568"),
        ("900101  1234568", "900101-1234568"),
        ("900101~1234568 900101_1234568", "900101-1234568 900101-1234568"),
        ("900101·1234568 900101|1234568", "900101-1234568 900101-1234568"),
        ("900101:1234568 900101=1234568", "900101-1234568 900101-1234568"),
        ("9.0.0.1.0.1-1.2.3.4.5.6.8", "900101-1234568"),
        ("9-0-0-1-0-1-1-2-3-4-5-6-8", "9001011234568"),
        # regrouped into other group sizes, adding up to an identifier's length
        ("9001-0112-34568", "9001011234568"),
        ("900-101-123-4568", "9001011234568"),
        ("90 0101 1234 568 입니다", "9001011234568 입니다"),
        ("12.3456.789012", "123456789012"),
        ("41 1111 1111 1111 11", "4111111111111111"),
        ("0101-234-5678", "01012345678"),  # a phone regrouped
        ("01 0123 45678", "01012345678"),
        # phones as written, and ten digits that open with no 0 (scores)
        ("031-123-4567 03-1234-5678", "031-123-4567 03-1234-5678"),
        ("90 85 77 68 92", "90 85 77 68 92"),
        # the usual groupings, and numbers whose groups add up by chance
        ("900101-1234568", "900101-1234568"),
        ("4111 1111 1111 1111", "4111 1111 1111 1111"),
        ("1234-5678-9012", "1234-5678-9012"),
        ("192.168.100.200", "192.168.100.200"),
        ("2024.01.15.12.30", "2024.01.15.12.30"),
        ("+82 10 1234 5678", "+82 10 1234 5678"),
        ("010-1234-5678", "010-1234-5678"),
        ("1-2.3-4", "1-2.3-4"),
        # what stays: money, decimals, times, addresses, IPv6, a list
        ("1,234,567원", "1,234,567원"),
        ("3.14 2001:db8::1 fe80:0:1", "3.14 2001:db8::1 fe80:0:1"),
        ("10:30:15", "10-30-15"),  # a time reads as a dashed number: harmless
        ("판교역로 235, 3층", "판교역로 235, 3층"),
        ("2024\n- 2025", "2024\n- 2025"),
        ("1.2.3.4", "1.2.3.4"),
        # said aloud, with units: each group up to five digits
        ("공일공 천이백삼십사 오천육백칠십팔", "01012345678"),
        ("공일공-천이백삼십사-오천육백칠십팔입니다", "010-1234-5678입니다"),
        ("〇九〇 四千七百三十一 五千六百十六", "09047315616"),
        ("구십 공일 공일 - 백이십삼 사천오백육십팔", "900101-1234568"),
        ("백이십삼-사십오-육만칠천팔백구십", "123-45-67890"),
        ("공일백칠십이 이천", "011722000"),  # a one after numerals is no unit's digit
        # one group alone, or a short run, is prose
        ("이천이십사년 삼월 십오일", "이천이십사년 삼월 십오일"),
        ("삼십 분 뒤에 오백 원", "삼십 분 뒤에 오백 원"),
        ("오천 원짜리 천 개", "오천 원짜리 천 개"),
        # words made of numeral syllables are words
        ("이사 준비", "이사 준비"),
        ("오이 사이 구이", "오이 사이 구이"),
        ("一般的に二三日", "一般的に二三日"),
        ("생년월일구공공일공일공이에요", "생년월일9001010이에요"),
    ],
)
def test_numbers_read_as_a_person_reads_them(raw: str, clean: str) -> None:
    assert normalize(raw).text == clean


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(GROUPS)), st.randoms(use_true_random=False), st.data())
def test_an_obfuscated_value_is_found_where_it_was_typed(
    kind: str, rng: random.Random, data: st.DataObject
) -> None:
    written = generate(rng, kind)
    prefix, suffix = data.draw(st.sampled_from(FRAMES[kind]))
    text = prefix + written.typed + suffix
    found = [f for f in run_detectors(text, DETECTORS) if f.kind == kind]
    assert found, (written.how, written.typed, normalize(text).text)
    # The mask lands on what the user typed: the whole value, nothing around it
    # (a combining mark after its last digit aside).
    f = found[0]
    typed_end = len(prefix) + len(written.typed)
    assert f.start == len(prefix), (written.typed, text[f.start : f.end])
    assert len(prefix) + len(written.typed.rstrip("\u20e3\ufe0f\u0301")) <= f.end <= typed_end


_PIECES = ["0", "9", "구", "공", "九", "〇", "O", "l", "a", "가", "は", "①", "❶", "\u20e3"]
_PIECES += ["천", "백", "십", "만", "千", "十", "이", "일"]  # numbers said aloud


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_PIECES, *SEPARATOR_RUNS]),
        max_size=30,
    ).map("".join)
)
def test_every_normalised_character_maps_into_the_original(text: str) -> None:
    n = normalize(text)
    assert len(n.starts) == len(n.text)
    assert all(0 <= s < len(text) for s in n.starts.tolist())
    assert list(n.starts) == sorted(n.starts)
    for i in range(len(n.text)):
        start, end = n.span_to_original(i, i + 1)
        assert 0 <= start < end <= len(text)


def test_renderings_cover_every_class() -> None:
    assert {"hangul", "kanji", "circled", "dingbat", "keycap", "bold", "fullwidth"} <= set(
        RENDERINGS
    )


def _runs_from_pairs(text: str) -> list[tuple[int, int]]:
    """``positional_runs`` as first written: outward from each numeral-and-unit
    pair the pair pattern finds (tried at every numeral: slow on prose)."""
    from gwanmun.digits import _POSITIONAL_HINT, _run_edge

    runs: list[tuple[int, int]] = []
    end = 0
    for hint in _POSITIONAL_HINT.finditer(text):
        if hint.start() < end:
            continue
        lo, hi = _run_edge(text, hint.start(), -1), _run_edge(text, hint.end() - 1, 1)
        end = hi
        runs.append((lo, hi))
    return runs


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_PIECES, "삼", "오", "二", "万", "百", "1", " ", "-", "  ", "、", "년"]),
        max_size=30,
    ).map("".join)
)
def test_positional_runs_found_from_units_are_those_found_from_pairs(text: str) -> None:
    from gwanmun.digits import positional_runs

    assert list(positional_runs(text)) == _runs_from_pairs(text)


_GROUPED_PIECES = [
    "0", "1", "9", "12", "345", "6789", "900101", " ", "-", ".", "  ", "a", "Z", "+", "가", "九",
    "é", "?", "1 2 3 4 5 6", "9.0.0.1.0.1", "4111 11 111111 1111 1", "900-101-123-4568", "\u00b7",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GROUPED_PIECES), max_size=30).map("".join))
def test_the_single_and_regrouped_passes_tried_where_the_scan_says_find_the_same(
    text: str,
) -> None:
    import numpy as np

    from gwanmun.digits import close_regrouped, close_single_digits, group_starts

    offsets = np.arange(len(text), dtype=np.int64)
    found = group_starts(text)
    for close in (close_single_digits, close_regrouped):
        fast_text, fast_offsets = close(text, offsets, found)
        text_all, offsets_all = close(text, offsets)
        assert fast_text == text_all
        assert fast_offsets.tolist() == offsets_all.tolist()


_SEPARATOR_PIECES = [
    "0", "7", "12", "900101", "1234568", *SEPARATORS, "  ", " - ", "--", "\n- ", ":::", ".,",
    "가", "一", "ー", "a", "?", "\u0100", "\u3000", "\U0001f600", "\ud800",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(_SEPARATOR_PIECES), max_size=30).map("".join),
        st.text(max_size=40),
    )
)
def test_separator_runs_found_by_the_utf32_scan_are_the_patterns_matches(text: str) -> None:
    """The UTF-32 scan finds every match of the separator-run pattern, and
    only those (a character whose bytes look like a digit's at another
    alignment — U+0100 after 0x30 — is no digit)."""
    from gwanmun.digits import _SEPARATOR_RUN, separator_runs

    assert [m.span() for m in separator_runs(text)] == [
        m.span() for m in _SEPARATOR_RUN.finditer(text)
    ]


_RUN_PIECES = [
    *"0123456789", *NUMERALS, *"OoIl", *SEPARATORS, "ー", "ｰ", "  ", "      ", "가", "a", "\u3000",
    "\ud800", "\U0001f600", "구공공일공일", "900101", "이 사", "만", "年",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_RUN_PIECES), max_size=40).map("".join))
def test_the_runs_found_in_the_one_byte_view_are_the_numeral_runs(text: str) -> None:
    """The view's scan finds exactly the numeric runs that hold a numeral or a
    look-alike letter (the ones read_numerals reads), whatever the length."""
    from gwanmun.digits import _CONVERTIBLE, _RUN, convertible_runs

    assert [m.span() for m in convertible_runs(text)] == [
        m.span() for m in _RUN.finditer(text) if _CONVERTIBLE.search(text, *m.span())
    ]
