"""Toxicity check: Korean classifier and the lexicon, sentence spans, ordinary
public-service text left alone."""

from __future__ import annotations

import pytest

from gwanmun.check.toxicity import ToxicityCheck, features

CHECK = ToxicityCheck()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("이런 병신 같은 민원 처리는 처음 본다", "TOXIC_OFFENSIVE"),
        ("씨발 진짜 일 안 하네", "TOXIC_OFFENSIVE"),
        ("한남충들은 다 똑같다", "BIAS_GENDER"),
        ("틀딱들은 투표하지 마라", "TOXIC_HATE"),
        ("お前なんか死ね。", "TOXIC_HATE"),
        ("女は黙って家にいろ。", "BIAS_GENDER"),
        ("You are a fucking idiot.", "TOXIC_OFFENSIVE"),
        ("Immigrants are all criminals.", "BIAS_OTHER"),
    ],
)
def test_toxic_sentences_are_found(text: str, kind: str) -> None:
    kinds = {f.kind for f in CHECK.check(text)}
    assert kind in kinds


@pytest.mark.parametrize(
    "text",
    [
        "민원 처리 결과를 알려 드립니다. 불편을 드려 죄송합니다.",
        "여성 취업 지원 창구를 새로 열었습니다.",
        "ご不便をおかけして申し訳ございません。",
        "The library will open at nine on Monday.",
        "",
    ],
)
def test_ordinary_text_is_not_flagged(text: str) -> None:
    assert CHECK.check(text) == []


def test_findings_cover_the_offending_sentence() -> None:
    text = "안내드립니다. 씨발 왜 이렇게 늦어. 감사합니다."
    (finding,) = [f for f in CHECK.check(text) if f.kind == "TOXIC_OFFENSIVE"]
    assert text[finding.start : finding.end].startswith("씨발")
    assert "감사" not in text[finding.start : finding.end]


def test_repeated_characters_do_not_change_the_features() -> None:
    assert set(features("ㅋㅋㅋㅋㅋㅋ 진짜")) == set(features("ㅋㅋ 진짜"))
    assert CHECK.scores("ㅋㅋㅋㅋ") == CHECK.scores("ㅋㅋ")
