"""Normalisation: detectors see clean text, findings point into the original."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.text import _DIGIT_DASH, _SPACED_DIGITS, normalize, number_passes


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("９００１０１－１２３４５６７", "900101-1234567"),  # full-width digits and hyphen
        ("٩٠٠١٠١-١٢٣٤٥٦٧", "900101-1234567"),  # Arabic-Indic digits (NFKC keeps them)
        ("९००१०१-१२३४५६७", "900101-1234567"),  # Devanagari digits
        ("900101\u200b-\u200d1234567", "900101-1234567"),  # zero-width characters
        ("900101\u202e-1234567\u202c", "900101-1234567"),  # bidi controls
        ("900101\u00ad-1234567", "900101-1234567"),  # soft hyphen
        ("9 0 0 1 0 1 - 1 2 3 4 5 6 7이고", "900101-1234567이고"),  # spaced-out digits
        ("010–1234—5678", "010-1234-5678"),  # en and em dashes
        ("090ー1234ー5678", "090-1234-5678"),  # katakana long mark between digits
        ("ラーメン", "ラーメン"),  # ... but not inside words
        ("㊙ 文書", "㊙ 文書"),  # the circled marking is kept (秘 alone is no marking)
        ("東京\u3000都", "東京 都"),  # ideographic space
        ("010 1234 5678", "010 1234 5678"),  # grouped digits stay grouped
        ("page 1 2 3", "page 1 2 3"),  # too few to be a spaced-out number
        # decomposed (NFD) Hangul and kana, as macOS file names give them: composed
        (unicodedata.normalize("NFD", "[대외비] 문서"), "[대외비] 문서"),
        (unicodedata.normalize("NFD", "パスワードは"), "パスワードは"),
        (unicodedata.normalize("NFD", "café 1"), "café 1"),
        # other invisible characters: variation selectors, Mongolian ones, reserved
        # default-ignorables, the braille blank, control characters
        ("900101-123\ufe0f4568", "900101-1234568"),
        ("900101-123\U000e01004568", "900101-1234568"),
        ("900101-123\u180b4568", "900101-1234568"),
        ("900101-123\u20654568", "900101-1234568"),
        ("900101-123\u28004568", "900101-1234568"),
        ("900101-123\x00\x1f\x7f\x9f4568", "900101-1234568"),
        ("a\u2028b", "a\nb"),
        ("900101ㅡ1234568", "900101-1234568"),  # ㅡ, typed for a dash on a Korean keyboard
        ("900101\t1234568", "900101 1234568"),  # two spreadsheet columns
        ("a\tb 1\t", "a\tb 1\t"),  # other tabs stay
        ("으ㅡ음", unicodedata.normalize("NFKC", "으ㅡ음")),  # ... but only between digits
        # a number wrapped at its hyphen (a PDF line, a narrow table cell)
        ("900101-\n1234568", "900101-1234568"),
        ("900101 \r\n -1234568", "900101-1234568"),
        ("2024\n- 2025\n- 끝", "2024\n- 2025\n- 끝"),  # a list, not a wrapped number
        ("항목-\n1. 다음", "항목-\n1. 다음"),  # no digit before the hyphen
        # a day after a month keeps its 일 as the unit, whatever digits follow
        ("3월 1일 1234568", "3월 1일 1234568"),
        ("2024년 12월 31일 010-1234-5678", "2024년 12월 31일 010-1234-5678"),
        ("9001-0일-1234568", "9001011234568"),  # no month: 일 is a numeral there
    ],
)
def test_normalised_view(raw: str, clean: str) -> None:
    assert normalize(raw).text == clean


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("주민번호는 ９００１０１－１２３４５６７입니다", "900101-1234567"),
        ("번호 9 0 0 1 0 1 - 1 2 3 4 5 6 7 끝", "900101-1234567"),
        ("a\u200bb 900101\u200b-1234567 c", "900101-1234567"),
        ("㊙ memo", "㊙"),
        (unicodedata.normalize("NFD", "문서 [대외비] 끝"), "대외비"),  # whole syllables
        (unicodedata.normalize("NFD", "é 900101-1234568"), "900101-1234568"),
        ("주민번호 ９００１０１－ \r\n１２３４５６８ 끝", "900101-1234568"),
    ],
)
def test_spans_map_back_to_the_original(raw: str, needle: str) -> None:
    n = normalize(raw)
    start = n.text.index(needle)
    o_start, o_end = n.span_to_original(start, start + len(needle))
    original = raw[o_start:o_end]
    # The original slice normalises back to exactly the needle: nothing cut, nothing extra.
    assert normalize(original).text == needle
    assert raw[o_start] != " " and raw[o_end - 1] != " "


def test_empty_and_out_of_range() -> None:
    n = normalize("")
    assert n.text == "" and n.span_to_original(0, 0) == (0, 0)
    with pytest.raises(ValueError, match="outside"):
        normalize("abc").span_to_original(1, 9)


def test_fast_path_characters_really_need_no_normalisation() -> None:
    import re
    import unicodedata

    from gwanmun.text import _DASHES, _INVISIBLE, STABLE_CLASS

    stable = re.compile(f"[{STABLE_CLASS}]")
    for code in range(0x3_0000):
        char = chr(code)
        if stable.match(char):
            assert unicodedata.normalize("NFKC", char) == char, hex(code)
            assert unicodedata.category(char) != "Cf" and char not in _INVISIBLE, hex(code)
            assert char not in _DASHES, hex(code)
            assert unicodedata.category(char) != "Nd" or char.isascii(), hex(code)


def test_fast_and_slow_paths_agree_on_mixed_text() -> None:
    text = "담당 김민수 ０１０－１２３４－５６７８, 田中\u200bさん 090ー1234ー5678 ㈜관문 ①번"
    n = normalize(text)
    assert n.text == "담당 김민수 010-1234-5678, 田中さん 090-1234-5678 (주)관문 1번"
    assert len(n.starts) == len(n.text) == len(n.ends)
    for i, ch in enumerate(n.text):
        source = text[n.starts[i] : n.ends[i]]
        assert ch in normalize(source).text or source in ("ー",), (i, ch, source)


# The two digit patterns as first written (lookbehind first); the shipped ones
# open with a character class so the engine can skip ahead. Same matches.
_DIGIT_DASH_PLAIN = re.compile("(?<=[0-9])[\u30fc\uff70\u4e00](?=[0-9])")
_SPACED_DIGITS_PLAIN = re.compile(r"(?<![0-9])[0-9](?:[ ][0-9-]){5,}(?![0-9])")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["0", "1", " ", "-", "ー", "一", "ｰ", "a", "가", "12", " 3", "٣"]),
        max_size=30,
    ).map("".join)
)
def test_digit_patterns_skip_ahead_and_find_the_same(text: str) -> None:
    assert _DIGIT_DASH.sub("-", text) == _DIGIT_DASH_PLAIN.sub("-", text)
    expected = [m.span() for m in _SPACED_DIGITS_PLAIN.finditer(text)]
    assert [m.span() for m in _SPACED_DIGITS.finditer(text)] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["0", "1", " ", "-", "a", "가", "  "]), max_size=30).map("".join))
def test_spaced_digit_runs_always_hold_the_hint(text: str) -> None:
    from gwanmun.text import _SPACED_HINT

    for match in _SPACED_DIGITS.finditer(text):
        assert _SPACED_HINT.search(match.group())


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["0", "1", " ", "-", "a", "가", "  ", "1 2 3 4 5 6", "9 ", " 0", "٣"]),
        max_size=40,
    ).map("".join)
)
def test_spaced_runs_are_found_as_the_whole_text_scan_finds_them(text: str) -> None:
    from gwanmun.text import spaced_runs

    assert spaced_runs(text) == [m.span() for m in _SPACED_DIGITS.finditer(text)]


def test_a_very_long_spaced_stretch_is_scanned_whole() -> None:
    from gwanmun.text import spaced_runs

    text = "x " + "1 " * 2000 + "y 9 0 0 1 0 1 z"
    assert spaced_runs(text) == [m.span() for m in _SPACED_DIGITS.finditer(text)]
    assert len(spaced_runs(text)) == 2


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["대외비", "パスワード", "café", "가", "ᄏ", "9", "-", " ", "ガ", "é", "\u0301"]
        ),
        max_size=20,
    ).map("".join)
)
def test_decomposed_text_reads_as_composed_and_maps_back_whole(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text)
    n = normalize(decomposed)
    assert n.text == normalize(unicodedata.normalize("NFC", decomposed)).text
    for needle in ("대외비", "パスワード"):  # found whole: the original slice is that word
        at = n.text.find(needle)
        if at >= 0:
            start, end = n.span_to_original(at, at + len(needle))
            found = unicodedata.normalize("NFC", decomposed[start:end])
            # nothing cut; at most the marks on its last letter come along
            assert found.startswith(needle)
            assert all(unicodedata.combining(c) for c in found[len(needle) :])


PIECES = (
    "900101", "1234568", "4111", "010", "12", "3", "0", "-", " ", "  ", ".", "/", ",", ":",
    "\n", "\t", " - ", "ー", "一", "구", "공", "일", "이", "九", "〇", "O", "l", "o", "I", "원",
    "층", "회의는 ", "会議", "fe80", "::", "abc ", "가나다 ", "1,234,567", "\n- ", "·", "~", "|",
)  # fmt: skip


# Digits, numerals or groups joined one way: the runs the passes act on.
JOINED = st.builds(
    lambda groups, joint: joint.join(groups),
    st.lists(st.sampled_from(("1", "0", "9", "12", "345", "6789", "구", "九", "O")), max_size=14),
    st.sampled_from((" ", "-", ".", "/", " - ", "  ", ",", "\n", "ー", "\t", " -- ", ":")),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), JOINED), max_size=30))
def test_the_number_passes_skipped_by_the_scan_would_have_changed_nothing(
    pieces: list[str],
) -> None:
    """The one hyperscan scan that rules passes out (the speed path) never
    rules out one that would have changed the text."""
    text = "".join(pieces)
    offsets = np.arange(len(text), dtype=np.int64)
    gated_text, gated_offsets = number_passes(text, offsets)
    every_text, every_offsets = number_passes(text, offsets, every=True)
    assert gated_text == every_text
    assert gated_offsets.tolist() == every_offsets.tolist()
