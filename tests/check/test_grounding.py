"""Groundedness: answer sentences that restate a source are supported and cite the
right source sentence; made-up numbers, dates and names, and unrelated claims are
not; with no sources every sentence is unsupported. Real analysers and the real
multilingual embedding model (no mocks)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from itertools import pairwise

import pytest

from gwanmun.check.grounding import (
    Citation,
    GroundingCheck,
    GroundingReport,
    findings,
    numbers,
    split_sentences,
)

KO = (
    "서울시 청년수당은 매월 50만 원씩 최대 6개월간 지급된다. "
    "신청 자격은 만 19세에서 34세의 미취업 청년이다. "
    "신청은 청년포털에서 온라인으로만 받는다."
)
JA = (
    "粗大ごみの収集は月に2回です。"
    "申し込みは収集日の1週間前までに電話で行ってください。"
    "手数料はごみ1点につき400円です。"
)
EN = (
    "The council offers free flu vaccinations to residents over 65. "
    "Appointments can be booked by phone or at any public library. "
    "The programme runs from October to December."
)
# Other documents a search could return alongside, one per language.
OTHER = {
    "ko": "주민등록등본은 정부24에서 무료로 발급받을 수 있다. 무인민원발급기에서는 200원이다.",
    "ja": "図書館の本は2週間借りられます。延長は一度だけできます。",
    "en": "Parking permits cost 120 dollars a year. Each permit covers one vehicle.",
}
SOURCE = {"ko": KO, "ja": JA, "en": EN}


def sentence(text: str, index: int) -> tuple[int, int]:
    return split_sentences(text)[index]


@pytest.fixture(scope="module")
def check() -> Iterator[GroundingCheck]:
    check = GroundingCheck()
    check.warm_up()
    yield check


def only(report: GroundingReport) -> tuple[float, bool, Citation | None]:
    assert len(report.sentences) == 1
    s = report.sentences[0]
    return s.score, s.supported, s.citation


# --- sentences and numbers -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  \n ", []),
        (
            "민원은 14일 안에 처리됩니다. 수수료는 없다.그리고 끝이다.",
            ["민원은 14일 안에 처리됩니다.", "수수료는 없다.", "그리고 끝이다."],
        ),
        (
            "申請できます。窓口は9時からです！本当？",
            ["申請できます。", "窓口は9時からです！", "本当？"],
        ),
        ("「不要です。」と書いてある。次です。", ["「不要です。」と書いてある。", "次です。"]),
        (
            "Dr. Kim paid 3.5 dollars, e.g. for copies. Really?! Yes... done",
            ["Dr. Kim paid 3.5 dollars, e.g. for copies.", "Really?!", "Yes...", "done"],
        ),
        ("He said (it is free.) Then left.", ["He said (it is free.)", "Then left."]),
        ("Visit example.com today. Ok", ["Visit example.com today.", "Ok"]),
        (
            "요약:\n1. 신청서를 낸다.\n- 수수료: 5천 원\n\n---\n끝",
            ["요약:", "1. 신청서를 낸다.", "- 수수료: 5천 원", "끝"],
        ),
        ("Intro. 1. First step. 2. Second step.", ["Intro.", "1. First step.", "2. Second step."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == expected
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("수수료 5천 원", {"5000"}),
        ("수수료 5,000원", {"5000"}),
        ("２０２５年３月３１日", {"2025", "3", "31"}),
        ("上限は50万円、予算は1億2千万円", {"500000", "100000000", "20000000"}),
        ("2천만 원과 3.50%", {"20000000", "3.5"}),
        ("six weeks, 7, 8 and twelve months; no one objected", {"6", "7", "8", "12"}),
        ("1. 신청서를 낸다", set()),
        ("no numbers here", set()),
    ],
)
def test_numbers(text: str, expected: set[str]) -> None:
    assert numbers(text) == expected


# --- support ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "answer", "cited"),
    [
        ("ko", "미취업 상태인 19세부터 34세까지의 청년이 신청할 수 있습니다.", 1),
        ("ko", "청년수당은 한 달에 50만 원씩, 최대 6개월 동안 받을 수 있다.", 0),
        ("ja", "粗大ごみの手数料は、1点あたり400円かかります。", 2),
        ("ja", "収集日の1週間前までに電話で申し込む必要があります。", 1),
        ("en", "You can book an appointment by phone or at a public library.", 1),
        ("en", "Residents over 65 can get a flu vaccination for free.", 0),
    ],
)
def test_restatement_is_supported_and_cites_its_sentence(
    check: GroundingCheck, lang: str, answer: str, cited: int
) -> None:
    score, supported, citation = only(check.score(answer, [SOURCE[lang]]))
    assert supported, score
    assert score >= 0.6
    start, end = sentence(SOURCE[lang], cited)
    assert citation == Citation(0, start, end)


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        # made-up amount, date, name
        ("ko", "청년수당은 매월 80만 원씩 지급된다."),
        ("ko", "신청은 2025년 3월 31일까지 청년포털에서 받는다."),
        ("ko", "청년수당 신청은 이민호 주무관에게 직접 해야 한다."),
        ("ja", "粗大ごみの手数料はごみ1点につき1,000円です。"),
        ("ja", "申し込みは12月28日までに電話で行ってください。"),
        ("ja", "粗大ごみの申し込みは鈴木課長が電話で受け付けます。"),
        ("en", "The council offers free flu vaccinations to residents over 50."),
        ("en", "The programme runs from October to 15 March."),
        ("en", "Appointments are booked by Emily Watson at the Riverside library."),
        # unrelated
        ("ko", "겨울에는 눈이 자주 내려 도로가 미끄럽다."),
        ("ja", "桜の花は春に咲きます。"),
        ("en", "Volcanoes form where tectonic plates meet."),
    ],
)
def test_fabricated_or_unrelated_is_unsupported(
    check: GroundingCheck, lang: str, answer: str
) -> None:
    score, supported, citation = only(check.score(answer, [SOURCE[lang], OTHER[lang]]))
    assert not supported, score
    assert citation is None


@pytest.mark.parametrize("lang", ["ko", "ja", "en"])
def test_made_up_number_scores_below_the_true_one(check: GroundingCheck, lang: str) -> None:
    true, made_up = {
        "ko": ("청년수당은 매월 50만 원씩 지급된다.", "청년수당은 매월 70만 원씩 지급된다."),
        "ja": ("手数料はごみ1点につき400円です。", "手数料はごみ1点につき700円です。"),
        "en": ("Flu vaccinations are free over 65.", "Flu vaccinations are free over 70."),
    }[lang]
    good = only(check.score(true, [SOURCE[lang]]))
    bad = only(check.score(made_up, [SOURCE[lang]]))
    assert good[1] and not bad[1]
    assert bad[0] < good[0] * 0.6


@pytest.mark.parametrize(
    ("lang", "affirmed", "negated"),
    [
        ("ko", "신청은 온라인으로 받는다.", "신청은 온라인으로 받지 않는다."),
        ("ja", "申し込みは電話で行ってください。", "申し込みは電話ではできません。"),
        ("en", "Appointments can be booked by phone.", "Appointments cannot be booked by phone."),
    ],
)
def test_negation_lowers_the_score(
    check: GroundingCheck, lang: str, affirmed: str, negated: str
) -> None:
    yes = only(check.score(affirmed, [SOURCE[lang]]))
    no = only(check.score(negated, [SOURCE[lang]]))
    assert yes[1]
    assert no[0] < yes[0] * 0.65


@pytest.mark.parametrize(
    ("lang", "answer", "cited"),
    [
        ("ko", "신청은 청년포털을 통해 온라인으로만 할 수 있다.", 2),
        ("ja", "粗大ごみは月2回収集されます。", 0),
        ("en", "The programme runs between October and December.", 2),
    ],
)
def test_citation_picks_the_right_source(
    check: GroundingCheck, lang: str, answer: str, cited: int
) -> None:
    others = [o for key, o in OTHER.items() if key != lang]
    sources = [OTHER[lang], others[0], SOURCE[lang], others[1]]
    score, supported, citation = only(check.score(answer, sources))
    assert supported, score
    start, end = sentence(SOURCE[lang], cited)
    assert citation == Citation(2, start, end)


def test_the_same_claim_in_two_sources_is_supported_without_a_clear_citation(
    check: GroundingCheck,
) -> None:
    _, supported, citation = only(
        check.score("Appointments can be booked by phone.", [EN, EN.replace("council", "city")])
    )
    assert supported
    assert citation is None


def test_a_number_from_another_source_is_not_support(check: GroundingCheck) -> None:
    """12 is in the other document, not in the one about 청년수당."""
    answer = "청년수당은 매월 50만 원씩 최대 12개월간 지급된다."
    assert only(check.score(answer.replace("12", "6"), [KO, "자동차세는 6월과 12월에 낸다."]))[1]
    assert not only(check.score(answer, [KO, "자동차세는 6월과 12월에 낸다."]))[1]


# --- the report --------------------------------------------------------------------


def test_mixed_answer_offsets_dict_and_findings(check: GroundingCheck) -> None:
    supported = "  예약은 전화나 공공 도서관에서 할 수 있습니다. "
    made_up = "The programme runs from October to 31 March."
    unrelated = "\n桜の花は春に咲きます。"
    answer = supported + made_up + unrelated
    report = check.score(answer, [EN, KO])
    assert [answer[s.start : s.end] for s in report.sentences] == [
        "예약은 전화나 공공 도서관에서 할 수 있습니다.",
        made_up,
        "桜の花は春に咲きます。",
    ]
    # cross-language: a Korean answer supported by the English source
    assert [s.supported for s in report.sentences] == [True, False, False]
    assert report.unsupported == 2
    meta = report.as_dict()
    assert meta["sources"] == 2 and meta["unsupported"] == 2
    first, second, _ = meta["sentences"]
    assert set(first) == {"start", "end", "score", "supported", "citation"}
    start, end = sentence(EN, 1)
    assert first["citation"] == {"source": 0, "start": start, "end": end}
    assert second["citation"] is None and second["supported"] is False
    assert 0.0 <= second["score"] < 0.5
    found = findings(report)
    assert [(f.kind, f.start, f.end, f.detector) for f in found] == [
        ("UNSUPPORTED_CLAIM", s.start, s.end, "grounding") for s in report.sentences[1:]
    ]
    assert found[0].score == pytest.approx(1 - report.sentences[1].score)


@pytest.mark.parametrize("sources", [[], [""], [" \n ", "..."]])
def test_no_sources_means_every_sentence_is_unsupported(
    check: GroundingCheck, sources: list[str]
) -> None:
    answer = "청년수당은 매월 50만 원이다. It is free."
    report = check.score(answer, sources)
    assert [(s.start, s.end) for s in report.sentences] == split_sentences(answer)
    assert all(not s.supported and s.score == 0.0 and s.citation is None for s in report.sentences)
    assert report.as_dict()["unsupported"] == 2
    assert report.as_dict()["sources"] == len(sources)
    assert len(findings(report)) == 2


def test_empty_answer(check: GroundingCheck) -> None:
    report = check.score("   ", [KO])
    assert report.as_dict() == {"sentences": [], "unsupported": 0, "sources": 1}


def test_lexical_only_still_catches_a_made_up_number() -> None:
    check = GroundingCheck(embed=False)
    assert only(check.score("手数料はごみ1点につき400円です。", [JA]))[1]
    assert not only(check.score("手数料はごみ1点につき900円です。", [JA]))[1]
    with pytest.raises(ValueError, match="lexical_weight"):
        GroundingCheck(embed=False, lexical_weight=0.0)


def test_sources_are_cached_in_a_bounded_lru() -> None:
    check = GroundingCheck(cache_size=2)
    for source in (KO, JA, EN, EN):
        check.score("It is free.", [source])
    assert len(check._cache) == 2
    first = check._source(EN)
    assert check._source(EN) is first


def test_concurrent_calls_agree(check: GroundingCheck) -> None:
    cases = [
        ("신청은 온라인으로만 받는다. 수수료는 1만 원이다.", [KO, OTHER["ko"]]),
        ("手数料は400円です。", [JA]),
        ("The programme runs from October to December.", [EN, OTHER["en"]]),
    ] * 4
    expected = [check.score(a, s) for a, s in cases]
    fresh = GroundingCheck()
    results: list[GroundingReport | None] = [None] * len(cases)

    def run(i: int) -> None:
        results[i] = fresh.score(*cases[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.as_dict() if r else None for r in results] == [r.as_dict() for r in expected]
