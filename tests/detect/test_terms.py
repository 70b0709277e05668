"""Institution terms: whole words for Latin script, anywhere for Korean and Japanese,
fast with thousands of terms."""

from __future__ import annotations

from gwanmun.detect.terms import OrgTerm, OrgTermDetector
from tests.detect.helpers import found


def test_terms_match_whole_latin_words_and_any_cjk_position() -> None:
    detector = OrgTermDetector(
        [OrgTerm("Project Haneul"), OrgTerm("새올"), OrgTerm("SecretSys", case_sensitive=True)]
    )
    text = "project haneul 일정, 새올행정시스템, Project Haneulsoft, secretsys, SecretSys"
    assert found(text, detector) == [
        ("ORG_TERM", "project haneul"),
        ("ORG_TERM", "새올"),
        ("ORG_TERM", "SecretSys"),
    ]
    assert detector.term_for("PROJECT HANEUL") == OrgTerm("Project Haneul")


def test_longest_overlapping_term_wins_and_empty_list_finds_nothing() -> None:
    detector = OrgTermDetector([OrgTerm("Haneul"), OrgTerm("Haneul Cloud")])
    assert found("Haneul Cloud 이전", detector) == [("ORG_TERM", "Haneul Cloud")]
    assert found("anything", OrgTermDetector([])) == []


def test_five_thousand_terms_over_a_long_text() -> None:
    terms = [OrgTerm(f"codename-{i:05d}") for i in range(5000)] + [OrgTerm("관문사업")]
    detector = OrgTermDetector(terms)
    filler = "일반 행정 문서의 평범한 문장입니다. " * 3000  # about 100 KB of UTF-8
    text = filler + "codename-04321 and 관문사업, codename-99999" + filler
    assert [v for _, v in found(text, detector)] == ["codename-04321", "관문사업"]


def test_offsets_are_characters_in_long_mixed_text_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    detector = OrgTermDetector([OrgTerm("한빛"), OrgTerm("Haneul"), OrgTerm("관문😀")])
    filler = "가나다 abc 日本語 😀 é " * 4000  # 1- to 4-byte characters, past 16 KB
    text = filler + "한빛 시스템, Haneul 서버와 관문😀 " + filler

    def spans(_: int) -> list[str]:
        return [text[f.start : f.end] for f in detector.detect(text)]

    # hyperscan's scratch space is per thread: sixteen scans on four threads agree.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(spans, range(16)))
    assert all(r == ["한빛", "Haneul", "관문😀"] for r in results), results[0]
