"""Numbers disguised so a model still recovers them (issue 18): bytes in base64
or hex, digits reversed beside a word asking for it, mixed separators, native
Korean numerals, fillers between digits — found, and ordinary text that looks
like them left alone. The generated forms are in test_decoded.py."""

from __future__ import annotations

import base64
import hashlib
import random
import uuid

import pytest

from gwanmun.detect import REACH, run_detectors
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.detect.decoded import decoders
from gwanmun.detect.disguised import disguises

STRUCTURED = builtin_detectors(structured_only=True)
# The ids of what registers them (``gwanmun.detect.builtin``).
DISGUISES = {d.id for d in disguises(())}
DECODERS = {d.id for d in decoders(())}
RRN = "900101-1234568"
_B64_SENTENCE = base64.b64encode(f"제 주민번호는 {RRN} 입니다".encode()).decode()


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(f.kind, f.detector, text[f.start : f.end]) for f in run_detectors(text, STRUCTURED)]


_HEX_COLONS = "39:30:30:31:30:31:2D:31:32:33:34:35:36:38"
_JSON_ESCAPED = "".join(f"\\u{ord(c):04x}" for c in RRN)
_NATIVE = "아홉 영 영 하나 영 하나 하나 둘 셋 넷 다섯 여섯 여덟"
_FILLER = " 그리고 ".join("900101") + " - " + " 그리고 ".join("1234568")


@pytest.mark.parametrize(
    ("before", "typed", "detector"),
    [
        ("주민번호 ", "OTAwMTAxLTEyMzQ1Njg=", "base64_text"),
        ("주민번호 ", "OTAwMTAxLTEyMzQ1Njg", "base64_text"),
        ("decode this: ", _B64_SENTENCE, "base64_text"),
        ("주민번호 ", "3930303130312d31323334353638", "hex_text"),
        ("주민번호 ", "%39%30%30%31%30%31%2D%31%32%33%34%35%36%38", "hex_text"),
        ("RRN ", _JSON_ESCAPED, "hex_text"),
        ("RRN: ", _HEX_COLONS, "hex_text"),
        ("주민번호 거꾸로: ", "8654321-101009", "reversed_digits"),
        ("RRN read it backwards ", "8654321101009", "reversed_digits"),
        ("주민번호 ", "900101/12.34-568", "mixed_separators"),
        ("주민번호 ", "9001 01-1234.568", "mixed_separators"),
        (
            "주민번호는 ",
            "아홉 영 영 하나 영 하나 하나 둘 셋 넷 다섯 여섯 여덟",
            "numeral_words",
        ),
        ("주민번호 ", "아홉빵빵하나빵하나-하나둘셋넷다섯여섯여덟", "numeral_words"),
        ("주민번호 ", "玖零零壹零壹-壹貳參肆伍陸捌", "numeral_words"),
        ("주민번호 ", "9a0b0c1d0e1f1g2h3i4j5k6l8", "glued_digits"),
        ("주민번호 ", _FILLER, "digits_with_filler"),
    ],
)
def test_a_disguised_resident_number_is_found_over_all_it_was_typed_in(
    before: str, typed: str, detector: str
) -> None:
    text = before + typed + " 입니다"
    lo, hi = len(before), len(before) + len(typed)
    assert any(
        f.kind == "KR_RRN" and f.detector == detector and f.start <= lo and hi <= f.end
        for f in run_detectors(text, STRUCTURED)
    ), _found(text)


def test_base64_of_a_sentence_longer_than_a_slice_is_masked_whole() -> None:
    sentence = "회의 자료를 정리했습니다. " * 12 + f"주민번호 {RRN} 입니다. " + "감사합니다. " * 12
    blob = base64.b64encode(sentence.encode()).decode()
    assert len(blob) > 4 * REACH
    text = "다음을 디코딩해 줘: " + blob
    lo = text.index(blob)
    assert any(
        f.kind == "KR_RRN" and f.start <= lo and lo + len(blob) <= f.end
        for f in run_detectors(text, STRUCTURED)
    ), _found(text)


@pytest.mark.parametrize(
    ("text", "detector"),
    [
        ("주민번호 거꾸로: 8654321-101009 2024년 접수", "reversed_digits"),
        ("주민번호 거꾸로: 8654 321101 009 2024 확인", "reversed_digits"),
    ],
)
def test_a_number_after_the_value_past_a_space_does_not_hide_it(text: str, detector: str) -> None:
    """The run then has more digits than an identifier: its stretches between
    spaces are read."""
    assert any(
        f.kind == "KR_RRN" and f.detector == detector for f in run_detectors(text, STRUCTURED)
    )


def test_reversed_digits_need_a_word_asking_to_reverse_them() -> None:
    assert not any(
        f.detector == "reversed_digits" for f in run_detectors("접수 8654321-101009", STRUCTURED)
    )


_RNG = random.Random(1)


@pytest.mark.parametrize(
    "text",
    [
        'img = "data:image/png;base64,'
        + base64.b64encode(bytes(_RNG.randrange(256) for _ in range(600))).decode()
        + '"',
        "jwt " + base64.b64encode(b'{"sub":"1234567890","iat":1516239022}').decode(),
        'auth = "MTIzNDU2Nzg5MDEy"',
        "log " + base64.b64encode(b"2024-03-01 12:30:45 order 1234567").decode(),
        "sha256 " + hashlib.sha256(b"x").hexdigest(),
        "color: #303132; background: #393939; bytes 0x30 0x31 0x32 0x33",
        "거꾸로 세면 10 9 8 7 6 5 4 3 2 1 발사",
        "반대로 2024년 매출은 1,234,567원",
        "역순 정렬: 2024-12-01, 2024-11-30, 2024-11-29",
        "sort in reverse order: 1234567890, 2345678901",
        "하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열까지 세어 보세요",
        "사과 하나, 배 둘, 감 셋, 귤 넷을 샀다",
        "하나 둘 셋 넷 다섯 여섯 하나 둘 셋 넷 다섯 여섯 체조 시작",
        "공공 영역에서 하나 둘 셋 넷 차례로",
        "기간 2024.03.01-2024.04.30 동안",
        "会議に参加し、陸上競技の参考資料を配布。零下5度、参加者は壱百名",
        "金壱万円也、金弐拾参万円 (2024年3月1日)",
        "version v1.2.3-beta.4 released 2024/05/06 10.5",
        "표 1-2.3 참조, 그림 4-5.6/7",
        "commit a1b2c3d4e5f6a7b8c9d0e1f2",
        f"id {uuid.UUID(int=_RNG.getrandbits(128))}",
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12",
        "1x2x3x4x5x6x7x8x9x0 grid",
        "会議は 4051 69191·927_68 97 です",  # a regrouped card failing its check
        # every byte escaped, a card failing its check: no digit run to misread
        "予算 %63%61%72%64%20%34%37%33%32%20%33%39%34%38%20%31%38%37%34%20%35%38%38%35 円",
    ],
)
def test_ordinary_text_that_looks_disguised_is_left_alone(text: str) -> None:
    assert [f for f in run_detectors(text, STRUCTURED) if f.detector in DISGUISES | DECODERS] == []
