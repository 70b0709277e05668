"""Early-release and hold rules of the hold-back for Korean and Japanese answers
(issue 23), each with the property it must keep: whatever the chunking, the
client never sees a prefix of a value that is masked in the end."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.detect.builtin import builtin_detectors
from gwanmun.guard.base import OutputSession
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.output import CheckingOutputGuard
from gwanmun.policy import load_policy
from gwanmun.text import normalize
from gwanmun.types import ChatMessage, ChatRequest, Grade
from tests.test_output_guard import CUTS, chunked, deliver

POLICY = load_policy()
SCANNER = DetectorInputGuard(builtin_detectors(), POLICY)
GUARD = CheckingOutputGuard(POLICY, scanner=SCANNER)

# Korean numerals, digit by digit (공 and 영 are zero).
KO_NUMERALS = "공영일이삼사오육칠팔구"
# Words written only in numerals that are words too (공공 public, 이사 moving,
# 오이 cucumber, 사이 between), as the user wrote them in the question.
NUMERAL_WORDS = ["공공", "이사", "오이", "사이", "구구"]
QUESTION = "공공 도서관 이사 일정과 오이 사이 구구 단 안내문을 써 주세요."


def _session(question: str = QUESTION) -> OutputSession:
    req = ChatRequest(model="m", messages=(ChatMessage("user", question),), max_tokens=64)
    return GUARD.open(req, SCANNER.inspect(req, backend_grade=Grade.S))


def test_a_finished_numeral_word_goes_out_once_the_next_word_is_no_number() -> None:
    """공공 reads as 00: held while a number could go on from it (공공 일…), released
    with the first character of a word no number is made of (공공 도…)."""
    session = _session()
    assert session.feed("공공") == ""
    assert session.feed(" 도") == "공공 "
    session = _session()
    assert session.feed("공공 일") == ""  # 00 1…: a number may be being written


def test_a_made_up_number_in_numerals_after_a_numeral_word_is_masked() -> None:
    text = "공공 도서관 전화는 공일공 구구구구 팔팔팔칠 입니다."
    assert "".join(deliver(_session(), [text])) == "공공 도서관 전화는 [PHONE] 입니다."
    assert "".join(deliver(_session(), list(text))) == "공공 도서관 전화는 [PHONE] 입니다."


def _phone() -> st.SearchStrategy[tuple[str, str]]:
    """A mobile number written out in numerals, and its digits."""
    # A group that starts with zero, or a number of one repeated digit, is no
    # phone number the detector takes.
    group = st.builds(
        str.__add__,
        st.sampled_from(KO_NUMERALS[2:]),
        st.text(KO_NUMERALS, min_size=3, max_size=3),
    )
    return st.builds(
        lambda a, b, sep, zero: (
            f"{zero}일{zero}{sep}{a}{sep}{b}",
            re.sub(r"[^0-9]", "", normalize(f"{zero}일{zero}{sep}{a}{sep}{b}").text),
        ),
        group,
        group,
        st.sampled_from([" ", "-"]),
        st.sampled_from(["공", "영"]),
    )


TEMPLATES = [
    "{word} 도서관 전화는 {value} 입니다. 감사합니다.",
    # The numeral word runs into the number: 공공 공일공 … reads 00 010 ….
    "{word} {value} 로 연락 주세요.",
    "안녕하세요. {word} 일정은 {value} 에 물어보세요.",
    "{value} 는 {word} 담당 번호입니다.",
]


@settings(max_examples=200, deadline=None)
@given(
    word=st.sampled_from(NUMERAL_WORDS),
    value=_phone(),
    template=st.sampled_from(TEMPLATES),
    cuts=CUTS,
)
def test_a_number_in_numerals_after_a_numeral_word_shows_none_of_its_digits(
    word: str, value: tuple[str, str], template: str, cuts: list[int]
) -> None:
    written, digits = value
    text = template.format(word=word, value=written)
    whole = "".join(deliver(_session(), [text]))
    delivered = deliver(_session(), chunked(text, cuts))
    assert "".join(delivered) == whole
    if "[PHONE]" not in whole:
        return  # no phone number to the detector (00 010 …, 1000): nothing to hide
    so_far = ""
    for piece in delivered:
        so_far += piece
        shown = re.sub(r"[^0-9]", "", normalize(so_far).text)
        # Not even the number's first digits after its 010 (nor 010 with them).
        assert digits[:4] not in shown, (text, so_far, delivered)


# Foreign names written in Latin letters inside Korean or Japanese answers: the
# name taggers score Latin words too, so they are held as Hangul words are.
LATIN_GIVEN = ["Penelope", "Javier", "Olivia", "Thomas", "Anna", "Lukas", "Sofia"]
LATIN_FAMILY = ["Cruz", "Bardem", "Novak", "Keller", "Moreau", "Lindqvist"]
KO_LATIN_ANSWERS = [
    "이때만 해도 {name} 세계적인 배우가 될 줄 몰랐다.",
    "담당자는 {name} 씨입니다. 감사합니다.",
    "어제 {name} 감독이 새 영화를 발표했습니다.",
    "행사에는 {name}, 그리고 여러 작가가 참석합니다.",
    "世界チャンピオンシップを獲得した{name}選手です。",
    "担当は{name}さんです。よろしくお願いします。",
]
QUESTIONS = {"ko": "도서관 안내문을 써 주세요.", "ja": "図書館のお知らせを書いてください。"}


@settings(max_examples=200, deadline=None)
@given(
    given_name=st.sampled_from(LATIN_GIVEN),
    family=st.sampled_from(LATIN_FAMILY),
    template=st.sampled_from(KO_LATIN_ANSWERS),
    cuts=CUTS,
)
def test_a_latin_name_in_a_korean_or_japanese_answer_shows_no_part_the_whole_masks(
    given_name: str, family: str, template: str, cuts: list[int]
) -> None:
    name = f"{given_name} {family}"
    text = template.format(name=name)
    question = QUESTIONS["ko" if re.search("[가-힣]", template) else "ja"]
    whole = "".join(deliver(_session(question), [text]))
    delivered = deliver(_session(question), chunked(text, cuts))
    # The stream may mask more than the whole answer (the tagger reads a shorter
    # window), never less.
    assert "".join(delivered).count("[PERSON]") >= whole.count("[PERSON]")
    so_far = ""
    for piece in delivered:
        so_far += piece
        for part in (given_name, family):
            if part not in whole:  # masked in the whole answer: not even its start
                assert part[:2] not in so_far, (text, so_far, delivered)


def test_latin_words_in_a_korean_or_japanese_answer_wait_for_the_words_after_them() -> None:
    session = _session("도서관 안내문을 써 주세요.")
    assert session.feed("이때만 해도 Penelope") == "이때만 해도 "
    assert session.feed(" Cruz") == ""
    japanese = _session("図書館のお知らせを書いてください。")
    shown = japanese.feed("獲得したKenan Sofugluk")
    assert not re.search("[A-Za-z]", shown), shown  # the decided Japanese may go
    # In an English answer a plain word goes out at once, as before.
    english = _session("Write a library notice.")
    assert english.feed("Penelope") == "Penelope"
