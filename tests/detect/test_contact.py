"""Phones, e-mail, cards, IBAN, postal codes, IP addresses, internal hosts."""

from __future__ import annotations

import pytest

from gwanmun.detect.contact import (
    CreditCard,
    Email,
    Iban,
    InternalHostDetector,
    IpAddress,
    Phone,
    PostalCode,
)
from tests.detect.helpers import found


@pytest.mark.parametrize(
    ("detector", "text", "expected"),
    [
        (Phone(), "연락처 010-1234-5678로 주세요", "010-1234-5678"),
        (Phone(), "대표 02-123-4567", "02-123-4567"),
        (Phone(), "０１０－１２３４－５６７８", "０１０－１２３４－５６７８"),
        (Phone(), "0 1 0 1 2 3 4 5 6 7 8", "0 1 0 1 2 3 4 5 6 7 8"),
        (Phone(), "電話 090-1234-5678まで", "090-1234-5678"),
        (Phone(), "03-1234-5678です", "03-1234-5678"),
        (Phone(), "call +82 10-1234-5678 now", "+82 10-1234-5678"),
        (Phone(), "+81 90-1234-5678", "+81 90-1234-5678"),
        (Phone(), "office +1 415-555-2671", "+1 415-555-2671"),
        (Phone(), "전화 010.1234.5678", "010.1234.5678"),  # dots, common in Korea
        (Phone(), "電話 090(1234)5678", "090(1234)5678"),  # 市外局番(市内局番)
        (Phone(), "전화 010ㅡ1234ㅡ5678", "010ㅡ1234ㅡ5678"),  # ㅡ typed for a dash
        (Email(), "메일 kim.minsu@seoul.go.kr로", "kim.minsu@seoul.go.kr"),
        (
            Email(),
            "tanaka+notes@city.yokosuka.kanagawa.jp まで",
            "tanaka+notes@city.yokosuka.kanagawa.jp",
        ),
        # spelled out with "at" and "dot" words (issue 18)
        (Email(), "메일 hong (at) example (dot) com 로", "hong (at) example (dot) com"),
        (Email(), "Hong.Gil [at] city [dot] go [dot] kr", "Hong.Gil [at] city [dot] go [dot] kr"),
        (Email(), "hong 골뱅이 naver 점 com 으로", "hong 골뱅이 naver 점 com"),
        (Email(), "hong앳daum닷net", "hong앳daum닷net"),
        (
            Email(),
            "taro アットマーク example ドット jp まで",
            "taro アットマーク example ドット jp",
        ),
        (Email(), "kim@seoul (dot) go (dot) kr 로", "kim@seoul (dot) go (dot) kr"),
        (Email(), "write to user at example dot com", "user at example dot com"),
        (Email(), "hong (AT) example.co.kr", "hong (AT) example.co.kr"),
        (CreditCard(), "카드 4111-1111-1111-1111", "4111-1111-1111-1111"),
        (CreditCard(), "AMEX 3782 822463 10005", "3782 822463 10005"),
        (CreditCard(), "4111111111111111で決済", "4111111111111111"),
        (CreditCard(), "1234-56**-****-7890", "1234-56**-****-7890"),
        (Iban(), "IBAN DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        (Iban(), "GB82WEST12345698765432", "GB82WEST12345698765432"),
        (PostalCode(), "〒100-0013 東京都", "100-0013"),
        (PostalCode(), "郵便番号 100-0013", "100-0013"),
        (PostalCode(), "우편번호 03154 서울", "03154"),
        (IpAddress(), "server 10.20.1.5에 접속", "10.20.1.5"),
        (IpAddress(), "fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a"),
    ],
)
def test_contact_data(detector: object, text: str, expected: str) -> None:
    assert [v for _, v in found(text, detector)] == [expected]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("detector", "text"),
    [
        (Phone(), "회의 2024-01-15"),
        (Phone(), "900101-1234568"),
        (Phone(), "가격 1,234,000원"),
        (Phone(), "order 12345678901"),  # no trunk 0, no +
        (Phone(), "버전 0.12.1234"),
        (Phone(), "예: 010-0000-0000"),  # obvious placeholders (spec)
        (Phone(), "010-1111-1111"),
        (Phone(), "2024.01.15 회의"),
        (CreditCard(), "4111-1111-1111-1112"),  # Luhn fails
        (CreditCard(), "0000 0000 0000 0000"),
        (Iban(), "DE89 3704 0044 0532 0130 01"),
        (PostalCode(), "100-0013"),  # no 〒 or context
        (PostalCode(), "총 12345명"),
        (IpAddress(), "version 1.2.3.4"),
        (IpAddress(), "999.1.1.1"),
        (IpAddress(), "at 12:30:45"),
        (Email(), "we met at google.com"),  # a place, not an address
        (Email(), "look at this dot product"),
        (Email(), "우리 팀 앳 홈 닷 컴"),
        (Email(), "3 점 5 com"),
    ],
)
def test_contact_look_alikes(detector: object, text: str) -> None:
    assert found(text, detector) == []  # type: ignore[arg-type]


def test_internal_hosts_from_configuration() -> None:
    detector = InternalHostDetector(["intra.city.go.kr", "lg.jp"], ["10.20.0.0/16"])
    text = "see https://minwon.intra.city.go.kr/x, db 10.20.3.4, www.example.com, 10.21.0.1"
    assert found(text, detector) == [
        ("INTERNAL_HOST", "minwon.intra.city.go.kr"),
        ("INTERNAL_HOST", "10.20.3.4"),
    ]
    assert found("nothing", InternalHostDetector([], [])) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("hong @ example . com 로 보내 주세요", "hong @ example . com"),
        ("write to kim.minsu @example.co.kr today", "kim.minsu @example.co.kr"),
        ("hong 앳 example 쩜 com 으로", "hong 앳 example 쩜 com"),
    ],
)
def test_an_address_with_spaces_around_its_signs_or_a_slang_dot_is_found(
    text: str, value: str
) -> None:
    assert ("EMAIL", value) in found(text, Email())


@pytest.mark.parametrize(
    "text", ["5 @ 3,000원 . 합계", "meet @ 3 . then lunch", "a @ b", "version 2 . 0 @ home"]
)
def test_spaced_signs_without_an_address_are_left_alone(text: str) -> None:
    assert found(text, Email()) == []
