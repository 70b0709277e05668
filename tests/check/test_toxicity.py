"""Toxicity check: Korean, English and cross-lingual (Japanese) classifiers and the
lexicon, sentence spans, ordinary public-service text left alone."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from gwanmun.check.toxicity import (
    LABELS,
    OPERATING_SCORE,
    ToxicityCheck,
    features,
    load_models,
    mostly_latin,
    normalise,
)

CHECK = ToxicityCheck()


def acted_on(text: str) -> set[str]:
    """Labels whose score reaches the operating score (the default policy's min_score)."""
    return {label for label, score in CHECK.scores(text).items() if score >= OPERATING_SCORE[label]}


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
    # Findings under the operating score are reported; the default policy drops them.
    assert all(f.score < OPERATING_SCORE[f.kind] for f in CHECK.check(text))


@pytest.mark.parametrize(
    "text",
    [
        "Shut up, you pathetic loser.",
        "What a useless piece of garbage you are.",
        "Screw you and your stupid rules.",
    ],
)
def test_the_english_classifier_flags_abuse_the_lexicon_does_not_list(text: str) -> None:
    probability = load_models().english.probability(text)
    assert probability is not None and probability >= 0.5
    assert "TOXIC_OFFENSIVE" in acted_on(text)


@pytest.mark.parametrize(
    "text",
    [
        "If the job hangs, kill the process and restart the service.",
        "The security review lists the attack surface of the new portal.",
        "That was a damn good report, thank you for the effort.",
        "Staff should report any harassment to the HR office.",
    ],
)
def test_office_english_with_rough_words_is_not_acted_on(text: str) -> None:
    assert acted_on(text) == set()


def test_the_english_classifier_is_for_latin_script_text() -> None:
    assert mostly_latin("shut up, you loser")
    assert not mostly_latin("pdf 파일을 첨부합니다")
    assert not mostly_latin("不要なプロセスをkillして再起動してください")
    # No English word it knows: no score at all, not the intercept's.
    assert load_models().english.probability("민원 처리 결과") is None


# Written for this test, none in the lexicon or in bench/data/toxicity_ja.jsonl.
_JA_ABUSE = [
    "窓口の連中は本当に無能で使えない奴らばかりだ。",
    "あのデブの職員、見てるだけで吐き気がする。",
    "外国人どもはこの町から出ていけ。",
    "てめえの顔なんか二度と見たくねえ、失せろ。",
    "年寄りは邪魔だから早く消えればいい。",
    "お前の家族ごと痛い目にあわせてやるからな。",
]
_JA_ORDINARY = [
    "来週の会議資料を共有フォルダに置きました。",
    "ゴミの分別方法について市民向けの案内を作成してください。",
    "高齢者向けの見守りサービスの申し込みを受け付けています。",
    "この報告書の誤字を直してもらえますか。",
]


def test_the_lexicon_tells_a_slur_from_a_longer_word() -> None:
    # 土人形 (clay doll) is not 土人. (The cross-lingual classifier does flag the
    # museum sentence below for BIAS_OTHER: a known false alarm, listed with the
    # others in docs/benchmarks.md.)
    lexicon = load_models().lexicon
    assert any(e.pattern.search(normalise("土人は帰れ。")) for e in lexicon)
    museum = normalise("郷土資料館で土人形の展示を始めました。")
    assert not any(e.pattern.search(museum) for e in lexicon)


def test_japanese_is_scored_by_the_cross_lingual_classifier() -> None:
    # It never saw a toxic Japanese sentence (trained on Korean comments and on
    # ordinary sentences in three languages): recall is not perfect — four of
    # these six when written (0.80 on bench/quality/eval_toxicity.py's 50) — and none of
    # the ordinary sentences may be acted on.
    models = load_models()
    assert not any(e.pattern.search(normalise(t)) for t in _JA_ABUSE for e in models.lexicon)
    flagged = [t for t in _JA_ABUSE if acted_on(t)]
    assert len(flagged) >= 4, flagged
    assert not any(acted_on(t) for t in _JA_ORDINARY)
    assert models.crosslingual.weights.shape == (512, len(LABELS))


def test_the_korean_operating_point_comes_from_the_model_file() -> None:
    models = load_models()
    text = "이런 민원은 처음 본다"
    probabilities = models.korean.probabilities(text)
    # The shipped thresholds were chosen in training, not left at 0.5.
    assert not np.allclose(models.korean.thresholds, 0.5)
    # Put each label's threshold exactly on this text: every score is the operating score.
    at_text = dataclasses.replace(models.korean, thresholds=probabilities.astype(np.float32))
    scores = at_text.scores(text)
    for label in LABELS:
        assert scores[label] == pytest.approx(OPERATING_SCORE[label], abs=1e-3)
    higher = dataclasses.replace(
        models.korean, thresholds=(probabilities + 0.05).astype(np.float32)
    )
    assert all(higher.scores(text)[label] < OPERATING_SCORE[label] for label in LABELS)


def test_the_models_load_and_score_without_scikit_learn() -> None:
    code = (
        "import sys\n"
        "from gwanmun.check.toxicity import ToxicityCheck\n"
        "check = ToxicityCheck()\n"
        "assert check.check('Shut up, you pathetic loser.')\n"
        "assert check.check('씨발 진짜 일 안 하네')\n"
        "assert check.check('外国人どもはこの町から出ていけ。')\n"
        "bad = {'sklearn', 'joblib', 'scipy'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_findings_cover_the_offending_sentence() -> None:
    text = "안내드립니다. 씨발 왜 이렇게 늦어. 감사합니다."
    (finding,) = [f for f in CHECK.check(text) if f.kind == "TOXIC_OFFENSIVE"]
    assert text[finding.start : finding.end].startswith("씨발")
    assert "감사" not in text[finding.start : finding.end]


def test_repeated_characters_do_not_change_the_features() -> None:
    many, two = features("ㅋㅋㅋㅋㅋㅋ 진짜"), features("ㅋㅋ 진짜")
    assert np.array_equal(many[0], two[0]) and np.array_equal(many[1], two[1])
    assert CHECK.scores("ㅋㅋㅋㅋ") == CHECK.scores("ㅋㅋ")
