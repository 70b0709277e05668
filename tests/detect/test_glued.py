"""Numbers with Latin letters glued to them or set between their digits
(issue 18): read as numbers, while hashes, UUIDs, time stamps, floats and
literals in code stay what they are."""

from __future__ import annotations

import pytest

from gwanmun.detect import run_detectors
from gwanmun.detect.builtin import builtin_detectors

STRUCTURED = builtin_detectors(structured_only=True)


@pytest.mark.parametrize(
    ("text", "kind", "typed"),
    [
        ('{"name": "x9001011234568"}', "KR_RRN", "x9001011234568"),
        ("주민번호ab900101-1234568", "KR_RRN", "ab900101-1234568"),
        ("id9001011234568end", "KR_RRN", "id9001011234568end"),
        ("tel01012345678", "PHONE", "tel01012345678"),
        ("call me at x010 1234 5678 today", "PHONE", "x010 1234 5678"),
        ("card4111111111111111x", "CREDIT_CARD", "card4111111111111111x"),
        ("9a0b0c1d0e1f1g2h3i4j5k6l8", "KR_RRN", "9a0b0c1d0e1f1g2h3i4j5k6l8"),
        ("マイナンバー 6214Q9832Z0257", "JP_MY_NUMBER", "6214Q9832Z0257"),
    ],
)
def test_a_number_with_letters_glued_to_it_is_found_over_the_whole_word(
    text: str, kind: str, typed: str
) -> None:
    lo = text.index(typed)
    found = run_detectors(text, STRUCTURED)
    assert any(
        f.kind == kind
        and f.detector == "glued_digits"
        and (f.start, f.end) == (lo, lo + len(typed))
        for f in found
    ), [(f.kind, f.detector, text[f.start : f.end]) for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f9001011234568a0b1c2d3e4f5a6b7c8d9e0f1 merged",  # a hash
        'id="run-a6f294d3-0700-4f6a-abc2-c6ef1178c37f"',  # a UUID
        "created 2008-08-30T01:45:36.123Z by the job",  # a time stamp
        "y = 0.29058977 - 4.15771027j and 1.82126812e-01",  # floats in code
        "mask = 0x100000001B3 ^ 0b10000000",  # literals
        'ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"',
        'print("\\n2026-11-02,35000")',  # an escape, a date
        "ORD20231207123456 주문 건",  # an order number: no identifier in it
        "SM-G991N 모델과 v1.2.3 버전",
    ],
)
def test_code_and_codes_are_not_read_as_glued_numbers(text: str) -> None:
    found = [f for f in run_detectors(text, STRUCTURED) if f.detector == "glued_digits"]
    assert found == [], [(f.kind, text[f.start : f.end]) for f in found]
