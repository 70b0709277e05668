"""A number judged by itself when context is missing or misleading (issue 18):
checksum, date and shape decide; a naming word within a sentence raises the
score, and a nearer word naming something else does not cancel it."""

from __future__ import annotations

import pytest

from gwanmun.detect.japan import MyNumber
from gwanmun.detect.korea import KoreanResidentNumbers
from tests.detect.helpers import found

RESIDENT = KoreanResidentNumbers()
MY_NUMBER = MyNumber()
FILLER = "회의 일정은 다음 주로 미루고 자료는 미리 공유해 주세요. "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9001011234568", [("KR_RRN", "9001011234568")]),  # date and check digit: enough
        ("ref 9001011234568 ok", [("KR_RRN", "9001011234568")]),
        ("9001011234567", []),  # the check digit fails: 13 bare digits are no one's
        ("9013011234568", []),  # month 13
        ("法人番号 9001011234568", []),  # named as something else
        ("order 9001011234568", []),
        (f"주민등록번호는 {FILLER}9001011234567", [("KR_RRN", "9001011234567")]),  # far word
    ],
)
def test_resident_numbers_without_or_with_far_context(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text, RESIDENT) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 電話 near, マイナンバー further: the naming word wins
        ("マイナンバーの確認をお願いします。電話で聞いた番号 6214 9832 0257", True),
        ("電話 6214 9832 0257", True),  # no trunk 0: not a phone number
        ("電話 0214 9832 0250", False),  # could be one, and nothing names a My Number
        ("追跡番号 6214 9832 0257", False),
        ("6214.9832.0257", True),
    ],
)
def test_my_number_context(text: str, expected: bool) -> None:
    assert bool(found(text, MY_NUMBER)) is expected
