"""Classification markings and addresses: markings only as markings, addresses only
with an administrative unit and a number."""

from __future__ import annotations

import pytest

from gwanmun.detect.addresses import Addresses
from gwanmun.detect.markings import Markings
from gwanmun.policy import marking_grade
from gwanmun.types import Grade
from tests.detect.helpers import found

MARKINGS = Markings()
ADDRESSES = Addresses()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ⅱ급비밀 문서입니다", ["Ⅱ급비밀"]),
        ("III급 비밀", ["III급 비밀"]),
        ("군사 2급비밀", ["군사 2급비밀"]),
        ("[대외비] 회의 결과", ["대외비"]),
        ("비공개(6) 개인정보", ["비공개(6)"]),
        ("부분공개 ( 5 )", ["부분공개 ( 5 )"]),
        ("特定秘密の指定", ["特定秘密"]),
        ("極秘 資料", ["極秘"]),
        ("【秘】会議資料", ["秘"]),
        ("本資料は㊙です", ["㊙"]),
        ("秘\n会議資料", ["秘"]),
        ("取扱注意", ["取扱注意"]),
        ("部外秘・関係者限り", ["部外秘", "関係者限り"]),
        ("機密性３情報", ["機密性３"]),
        ("TOP SECRET//NOFORN", ["TOP SECRET"]),
        ("CONFIDENTIAL - do not forward", ["CONFIDENTIAL"]),
        ("Classification: Secret", ["Secret"]),
        ("CLASSIFIED: restricted", ["restricted"]),
        ("Claſſification: Secret", ["Secret"]),  # the regex folds ſ to s; lower() does not
        ("INTERNAL ONLY", ["INTERNAL ONLY"]),
        # spelled out letter by letter (issue 18)
        ("[대 외 비] 회의 결과", ["대 외 비"]),
        ("【部 外 秘】会議資料", ["部 外 秘"]),
        ("대.외.비 문서", ["대.외.비"]),
        ("대·외·비", ["대·외·비"]),
        ("極 秘 資料", ["極 秘"]),
        ("特-定-秘-密の件", ["特-定-秘-密"]),
        ("2 급 비 밀", ["2 급 비 밀"]),
        ("군  사  기  밀 유출", ["군  사  기  밀"]),
        ("S-E-C-R-E-T file", ["S-E-C-R-E-T"]),
        ("C.O.N.F.I.D.E.N.T.I.A.L", ["C.O.N.F.I.D.E.N.T.I.A.L"]),
        ("取/扱/注/意", ["取/扱/注/意"]),
    ],
)
def test_markings(text: str, expected: list[str]) -> None:
    values = [v for _, v in found(text, MARKINGS)]
    for value in expected:
        assert value in values


@pytest.mark.parametrize(
    "text",
    [
        "비서실 秘書課の山田です",
        "神秘的な話と便秘の薬",
        "特定秘密保護法について説明する",
        "대외비용을 줄였다",
        "기밀성 1 등급, 機密性1",
        "the secret to good soup",
        "This is confidential between us",
        "공개 자료",
        # spaced, but a longer word: the letters run on after the marking's
        "대외 비용을 줄였다",
        "대 외 비 용을 줄였다",
        "部外 秘書課",
        "極 めて秘密に",
        "the S E C R E T S of soup",
    ],
)
def test_words_that_are_not_markings(text: str) -> None:
    assert found(text, MARKINGS) == []


@pytest.mark.parametrize(
    ("spelled", "grade"),
    [
        ("대 외 비", Grade.C),
        ("대.외.비", Grade.C),
        ("極 秘", Grade.C),
        ("T O P S E C R E T", Grade.C),
        ("部 外 秘", Grade.S),
        ("C-O-N-F-I-D-E-N-T-I-A-L", Grade.S),
    ],
)
def test_a_spelled_out_marking_is_graded_as_the_word(spelled: str, grade: Grade) -> None:
    assert marking_grade(spelled) is grade


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("주소: 서울특별시 종로구 세종대로 209", "서울특별시 종로구 세종대로 209"),
        ("경기도 성남시 분당구 판교역로 235, 3층으로", "경기도 성남시 분당구 판교역로 235, 3층"),
        ("강원특별자치도 춘천시 중앙로 1", "강원특별자치도 춘천시 중앙로 1"),
        ("서울 강남구 역삼동 123-45 거주", "서울 강남구 역삼동 123-45"),
        # 종로1가 is a neighbourhood: the lot number follows it, not road 종로 1
        ("서울특별시 종로구 종로1가 54 소재", "서울특별시 종로구 종로1가 54"),
        ("춘천시 중앙로1가 12 (중앙동)", "춘천시 중앙로1가 12 (중앙동)"),
        ("서울시 중구 을지로 100에서", "서울시 중구 을지로 100"),
        ("東京都千代田区霞が関1-2-3", "東京都千代田区霞が関1-2-3"),
        ("大阪府大阪市北区中之島一丁目3番20号です", "大阪府大阪市北区中之島一丁目3番20号"),
    ],
)
def test_addresses(text: str, expected: str) -> None:
    assert [v for _, v in found(text, ADDRESSES)] == [expected]


@pytest.mark.parametrize("text", ["서울에 갑니다", "東京に行く", "종로구청 민원실", "2024-01-15"])
def test_place_names_are_not_addresses(text: str) -> None:
    assert found(text, ADDRESSES) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("대외 비 문서입니다", "대외 비"),
        ("대-외비 자료", "대-외비"),
        ("[대외 비] 회의 결과", "대외 비"),
        ("대 외비 협상 자료", "대 외비"),
        ("部外 秘 資料", "部外 秘"),
        ("社外・秘 の件", "社外・秘"),
    ],
)
def test_a_marking_with_gaps_in_some_places_only_is_a_marking(text: str, value: str) -> None:
    """An evasion: a gap here, none there. Unlike prose, nothing of the script
    runs on after the marking's last letter."""
    assert value in [v for _, v in found(text, MARKINGS)]


def test_the_hanja_form_of_daeoebi_is_graded_c() -> None:
    from gwanmun.policy import marking_grade
    from gwanmun.types import Grade

    assert [v for _, v in found("[對外秘] 회의 자료", MARKINGS)] == ["對外秘"]
    assert marking_grade("對外秘") is Grade.C


@pytest.mark.parametrize(
    ("text", "value", "grade"),
    [
        ("[극비] 회의 결과", "극비", Grade.C),
        ("극비\n회의 자료", "극비", Grade.C),
        ("【 비밀 】 보고서", "비밀", Grade.C),
        ("[confidential] q3 budget", "confidential", Grade.S),
        ("(Top-Secret) plan", "Top-Secret", Grade.C),
        ("top secret\nthe plan for next year", "top secret", Grade.C),
        ("<restricted> staff list", "restricted", Grade.S),
        ("q3 budget\n  Strictly Confidential  \n", "Strictly Confidential", Grade.S),
        ("this report is for internal use only", "internal use only", Grade.S),
    ],
)
def test_a_marking_in_lower_case_or_set_off_is_a_marking(
    text: str, value: str, grade: Grade
) -> None:
    """Markings as people type them: English in any case, and 극비 / 비밀 set off in
    brackets or on a line of their own (issue 18)."""
    assert value in [v for _, v in found(text, MARKINGS)]
    assert marking_grade(value) is grade


@pytest.mark.parametrize(
    "text",
    [
        "극비리에 진행된 회담",
        "극비 수사 끝에 검거했다",
        "비밀번호를 바꿨다",
        "비밀 유지 계약을 맺었다",
        "this is top secret, she laughed",
        "secret: abc123",  # a key in a configuration file
        "secret:\n  name: db-password",
        "confidential: true",
        "a restricted area",
        "[secretary] meeting notes",
    ],
)
def test_marking_words_in_prose_or_keys_are_not_markings(text: str) -> None:
    assert found(text, MARKINGS) == []


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("SЕCRЕT 문서", Grade.C),  # Cyrillic Е
        ("СONFIDENTIAL report", Grade.S),  # Cyrillic С
        ("C0NFIDENTIAL report", Grade.S),
        ("5ECRE7 plan", Grade.C),
        ("ΤΟΡ SECRET plan", Grade.C),  # Greek capitals
        ("ㄷㅐㅇㅗㅣㅂㅣ 문서", Grade.C),  # jamo, ㅚ typed as ㅗ + ㅣ
        ("ㄷㅐㅇㅚㅂㅣ 문서", Grade.C),
        ("[대외ㅂㅣ] 회의", Grade.C),  # some syllables in jamo
        ("ㄱㅜㄴㅅㅏㄱㅣㅁㅣㄹ 유출", Grade.C),  # the final ㄹ typed as an initial
        ("3급ㅂㅣㅁㅣㄹ 문서", Grade.C),
        ("삼급비밀 문서", Grade.C),
        ("對外祕 자료", Grade.C),  # 祕, the older form of 秘
        ("部外祕 資料", Grade.S),
        ("【祕】会議資料", Grade.C),
        ("Top Secret//NOFORN", Grade.C),  # a banner, any case
        ("secret//rel to usa", Grade.C),
    ],
)
def test_a_disguised_marking_is_the_marking_it_stands_for(text: str, grade: Grade) -> None:
    """Look-alike letters, Hangul typed in separate jamo, 祕 for 秘, a banner in
    lower case (issue 18): found, and graded as the plain word."""
    values = [v for _, v in found(text, MARKINGS)]
    assert values, text
    assert max((marking_grade(v) for v in values), key=lambda g: "OSC".index(g.value)) is grade


@pytest.mark.parametrize(
    "text",
    [
        "ㅋㅋㅋ 대박이다",
        "2급 비밀번호를 바꿔",
        "SECRETARY of state",
        "http://host/secret//x",
        "the Secret Service",
        "5 ECRET",
    ],
)
def test_look_alikes_and_jamo_in_ordinary_text_are_not_markings(text: str) -> None:
    assert found(text, MARKINGS) == []
