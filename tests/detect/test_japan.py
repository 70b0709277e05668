"""Japanese identifiers: check digits, context gates, values glued to kana."""

from __future__ import annotations

import pytest

from gwanmun.detect.japan import (
    CorporateNumber,
    JapaneseDriverLicense,
    JapaneseHealthInsurance,
    JapanesePassport,
    MyNumber,
    PensionNumber,
    ResidenceCard,
    corporate_number_ok,
    insurer_number_ok,
    my_number_ok,
)
from tests.detect.helpers import found


def test_check_digits_match_the_spec_vectors() -> None:
    assert my_number_ok("621498320257") and not my_number_ok("621498320258")
    for number in ("5835678256246", "7123456789012", "4011001098993"):
        assert corporate_number_ok(number)
    assert insurer_number_ok("33120015") and not insurer_number_ok("33120016")


@pytest.mark.parametrize(
    ("detector", "text", "expected"),
    [
        (MyNumber(), "マイナンバーは621498320257です", "621498320257"),
        (MyNumber(), "個人番号：6214 9832 0257", "6214 9832 0257"),
        (MyNumber(), "６２１４　９８３２　０２５７", "６２１４　９８３２　０２５７"),
        (MyNumber(), "6214ー9832ー0257まで", "6214ー9832ー0257"),
        (MyNumber(), "6214\u200b9832\u200c0257", "6214\u200b9832\u200c0257"),
        (MyNumber(), "내 마이넘버 6214-9832-0257", "6214-9832-0257"),
        (CorporateNumber(), "法人番号 5835678256246", "5835678256246"),
        (JapanesePassport(), "旅券番号TK1234567", "TK1234567"),
        (JapanesePassport(), "passport no. MZ7654321.", "MZ7654321"),
        (JapaneseDriverLicense(), "運転免許証の番号は301234567890です", "301234567890"),
        (JapaneseHealthInsurance(), "保険者番号 33120015", "33120015"),
        (JapaneseHealthInsurance(), "保険証 記号 12-34 番号 567", "記号 12-34 番号 567"),
        (ResidenceCard(), "在留カード番号 AB12345678CD", "AB12345678CD"),
        (PensionNumber(), "基礎年金番号 1234-567890", "1234-567890"),
    ],
)
def test_japanese_identifiers(detector: object, text: str, expected: str) -> None:
    assert [v for _, v in found(text, detector)] == [expected]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("detector", "text"),
    [
        (MyNumber(), "6214 9832 0258"),  # check digit fails, no context
        (MyNumber(), "注文番号 1234 5678 9012"),
        (MyNumber(), "カード 4111-1111-1111-1111"),  # part of a longer number
        # twelve digits that pass the check digit but are a phone or a parcel number
        (MyNumber(), "연락처 +821078876232"),
        (MyNumber(), "CJ대한통운 운송장번호 757491186252 배송 조회"),
        (CorporateNumber(), "5835678256247"),
        (JapanesePassport(), "型番TK12345678"),  # too many digits
        (JapaneseDriverLicense(), "301234567890"),  # no context
        (JapaneseHealthInsurance(), "33120015"),  # no context
        (JapaneseHealthInsurance(), "保険者番号 33120016"),  # check digit fails
        (PensionNumber(), "1234-567890"),
    ],
)
def test_japanese_look_alikes_are_not_reported(detector: object, text: str) -> None:
    assert found(text, detector) == []  # type: ignore[arg-type]
