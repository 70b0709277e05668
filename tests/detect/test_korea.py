"""Korean identifiers: valid, invalid look-alikes, post-2020, masked, obfuscated, glued."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.detect._common import PatternDetector
from gwanmun.detect.korea import (
    KoreanBankAccount,
    KoreanBusinessNumber,
    KoreanDriverLicense,
    KoreanHealthInsurance,
    KoreanPassport,
    KoreanResidentNumbers,
    KoreanVehiclePlate,
    brn_checksum_ok,
    crn_checksum_ok,
    rrn_checksum_ok,
)
from tests.detect.helpers import found

RESIDENT = KoreanResidentNumbers()


def test_checksums_match_the_spec_vectors() -> None:
    assert rrn_checksum_ok("9710139019902")
    assert brn_checksum_ok("1168200276") and brn_checksum_ok("1348672683")
    assert crn_checksum_ok("1101110062432")
    assert not rrn_checksum_ok("9710139019903")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("주민번호는 900101-1234568이고", [("KR_RRN", "900101-1234568")]),
        ("971013-9019902", [("KR_RRN", "971013-9019902")]),  # 1800s gender digit, spec vector
        ("RRN 900101 1234568.", [("KR_RRN", "900101 1234568")]),
        ("주민등록번호 0301014123457을 확인", [("KR_RRN", "0301014123457")]),
        # issued after Oct 2020: random tail, checksum fails, still caught
        ("주민등록번호 201015-3847261 입니다", [("KR_RRN", "201015-3847261")]),
        ("９００１０１－１２３４５６８", [("KR_RRN", "９００１０１－１２３４５６８")]),
        ("٩٠٠١٠١-١٢٣٤٥٦٨", [("KR_RRN", "٩٠٠١٠١-١٢٣٤٥٦٨")]),  # Arabic-Indic digits
        ("9 0 0 1 0 1 - 1 2 3 4 5 6 8로", [("KR_RRN", "9 0 0 1 0 1 - 1 2 3 4 5 6 8")]),
        ("900101\u200b-1234568", [("KR_RRN", "900101\u200b-1234568")]),
        ("주민번호 900101-\n1234568", [("KR_RRN", "900101-\n1234568")]),  # wrapped line
        ("생년월일 900101-1******", [("KR_RRN", "900101-1******")]),
        ("マイナンバーではなく住民番号 900101-2234567です", [("KR_RRN", "900101-2234567")]),
        ("His RRN is 900101-1234568.", [("KR_RRN", "900101-1234568")]),
        ("외국인등록번호 900101-5234567", [("KR_ARN", "900101-5234567")]),
        ("법인등록번호 110111-0062432", [("KR_CRN", "110111-0062432")]),
        # a person's number named as one, near a corporate word (it also passes the
        # corporate checksum): was KR_CRN, which the default policy allows
        ("법인 대표자 주민등록번호 850515-1100561", [("KR_RRN", "850515-1100561")]),
        ("주민등록번호 850515-1100561 (법인 대표자)", [("KR_RRN", "850515-1100561")]),
        # invalid look-alikes
        ("주문번호 901301-1234567", []),  # month 13
        ("900230-1234567", []),  # 30 February
        ("900101-1234567890", []),  # glued to more digits
        ("12900101-1234568", []),
        ("2024-01-15 회의", []),
        ("가격 1,234,567원", []),
    ],
)
def test_resident_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, RESIDENT) == expected


@pytest.mark.parametrize(
    ("detector", "text", "expected"),
    [
        (KoreanPassport(), "여권번호 M12345678", "M12345678"),
        (KoreanPassport(), "여권 M123A4567입니다", "M123A4567"),
        (KoreanPassport(), "여권번호는 m12345678 입니다", "m12345678"),  # typed in lower case
        (KoreanDriverLicense(), "운전면허 11-12-345678-90", "11-12-345678-90"),
        (KoreanDriverLicense(), "면허번호 서울 12-345678-90", "서울 12-345678-90"),
        (KoreanDriverLicense(), "운전면허번호 111234567890", "111234567890"),
        (KoreanBusinessNumber(), "사업자등록번호 116-82-00276", "116-82-00276"),
        (KoreanBusinessNumber(), "134-86-72683", "134-86-72683"),
        (KoreanHealthInsurance(), "건강보험증 번호 12345678901", "12345678901"),
        (KoreanBankAccount(), "국민은행 계좌 123456-12-123456로 입금", "123456-12-123456"),
        (KoreanBankAccount(), "카카오뱅크 3333-12-1234567", "3333-12-1234567"),
        (KoreanBankAccount(), "국민 123456-01-123456 으로", "123456-01-123456"),  # shorthand
        (KoreanBankAccount(), "우리: 1002-123-456789", "1002-123-456789"),
        (KoreanVehiclePlate(), "차량번호 12가3456", "12가3456"),
        (KoreanVehiclePlate(), "123허 4567 렌터카", "123허 4567"),
        (KoreanVehiclePlate(), "서울 12 가 3456", "서울 12 가 3456"),
    ],
)
def test_other_korean_identifiers(detector: object, text: str, expected: str) -> None:
    results = found(text, detector)  # type: ignore[arg-type]
    assert [v for _, v in results] == [expected]


@pytest.mark.parametrize(
    ("detector", "text"),
    [
        (KoreanPassport(), "모델명 X12345678"),
        (KoreanPassport(), "부품 m12345678 교체"),  # lower case, not named a passport
        (KoreanDriverLicense(), "111234567890"),  # bare 12 digits without context
        (KoreanBusinessNumber(), "116-82-00277"),  # checksum fails
        (KoreanHealthInsurance(), "주문번호 12345678901"),  # no context
        (KoreanBankAccount(), "송장번호 123456-12-123456"),  # no bank context
        (KoreanBankAccount(), "계좌 말고 전화 010-1234-5678"),
        # 국민, 우리, 하나, 기업 are also ordinary words
        (KoreanBankAccount(), "국민신문고 신청번호 2024-0115-123456 처리 결과 안내"),
        (KoreanBankAccount(), "하나의 사업으로 예산코드 2024-01-1234567 편성"),
        (KoreanBankAccount(), "2024-01-15-123456 우리 부서 회의록"),
        (KoreanVehiclePlate(), "12개 3456원"),
    ],
)
def test_korean_look_alikes_are_not_reported(detector: object, text: str) -> None:
    assert found(text, detector) == []  # type: ignore[arg-type]


_ACCOUNT_PIECES = st.sampled_from(
    ["계좌", "은행", "ACCOUNT", "Account", "우리", "110-123-456789", "3333-12-1234567",
     "1234567890", " ", "로 ", "입니다", "x", "-", "0", "송장"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_ACCOUNT_PIECES, max_size=16).map("".join))
def test_bank_accounts_skip_text_without_their_words_and_lose_nothing(text: str) -> None:
    detector = KoreanBankAccount()
    assert detector.detect(text) == PatternDetector.detect(detector, text)
