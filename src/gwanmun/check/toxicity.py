"""Toxicity and discrimination check: Korean, English and Japanese classifiers plus a lexicon.

- **Korean** (text with Hangul): hashed character 1–4-grams and word 1–2-grams
  of the normalised sentence (``features``) into a logistic regression per label
  (hate, offensive, gender bias, other bias), trained on the BEEP! Korean
  news-comment corpus (kocohub/korean-hate-speech, CC BY-SA 4.0; Moon et al.,
  2020) by ``bench/train/train_toxicity.py``. Each label's operating point (the
  probability maximising F1 out of fold, chosen in training) is stored with the
  weights and mapped onto that label's ``OPERATING_SCORE`` — the default
  policy's ``min_score`` — so that a policy threshold keeps its meaning.
- **English** (text mostly in Latin letters): the word TF-IDF linear model of
  alt-profanity-check 1.9.1 (MIT; trained on Davidson et al.'s tweets and the
  Jigsaw Wikipedia comments), converted by ``bench/train/convert_profanity_check.py``.
  It scores offensive language only (``TOXIC_OFFENSIVE``), its own 0.5 mapped
  onto the operating score.
- **Japanese** (kana or kanji, no Hangul, not mostly Latin): no openly licensed
  labelled Japanese data exists, so a per-label logistic regression over
  multilingual sentence embeddings (``gwanmun.check.embeddings``) is trained on
  the BEEP! comments and on the project's ordinary sentences in all three
  languages (``bench/train/train_toxicity.py --crosslingual``) and applied across
  languages: a Japanese insult lands near the Korean ones in that space.
- **Lexicon** for all three languages (``data/toxicity_lexicon.yaml``): slurs
  and abuse with a category and a score each.

Weights and their attribution: ``data/TOXICITY_MODEL.md``. Inference is numpy
only (the sentence encoder too). ``check`` scores sentence by sentence and reports ``TOXIC_HATE``,
``TOXIC_OFFENSIVE``, ``BIAS_GENDER`` or ``BIAS_OTHER`` over the sentence;
``scores`` gives the score per label for a whole text (the larger of the
classifiers and the lexicon).
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from gwanmun.check.embeddings import EMBED_DIM, embed
from gwanmun.check.embeddings import warm_up as warm_up_embeddings
from gwanmun.packaged import calibrate, load_npz
from gwanmun.types import Finding

LABELS = ("TOXIC_HATE", "TOXIC_OFFENSIVE", "BIAS_GENDER", "BIAS_OTHER")
# A classifier's operating point lands on the default policy's min_score per label.
OPERATING_SCORE = {"TOXIC_HATE": 0.8, "TOXIC_OFFENSIVE": 0.7, "BIAS_GENDER": 0.7, "BIAS_OTHER": 0.7}
DIM = 1 << 18
CHAR_NGRAMS = (1, 2, 3, 4)
WORD_NGRAMS = (1, 2)

# What ``check`` scores one at a time (training splits its ordinary sentences alike).
SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_REPEAT = re.compile(r"(.)\1{2,}")
_HANGUL = re.compile(r"[가-힣ㄱ-ㅎ]")
_KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-z]")
_LETTER = re.compile(r"[^\W\d_]")
# scikit-learn's default token pattern, which the English vocabulary was built with.
_WORD = re.compile(r"\b\w\w+\b")
_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WORD_MARK = np.uint64(1 << 40)  # keeps word hashes apart from character hashes


def normalise(text: str) -> str:
    """NFKC, lower case, runs of one character cut to two (ㅋㅋㅋㅋ → ㅋㅋ), spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _REPEAT.sub(r"\1\1", text)
    return " ".join(text.split())


def features(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """The Korean classifier's view of ``text``: hashed character 1–4-grams (with
    word-boundary spaces) and word 1–2-grams of ``normalise(text)``, as sorted
    unique bucket indices and L2-normalised ``1 + log(count)`` values. Training
    (``bench/train/train_toxicity.py``) calls this same function."""
    folded = normalise(text)
    codes = np.frombuffer(f" {folded} ".encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Polynomial hash of every character n-gram; lengths differ in degree.
    parts: list[npt.NDArray[np.uint64]] = [codes]
    rolling = codes
    for n in range(2, max(CHAR_NGRAMS) + 1):
        if len(rolling) < 2:
            break
        rolling = rolling[:-1] * _PRIME + codes[n - 1 :]
        parts.append(rolling)
    words = folded.split()
    grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    parts.append(
        np.array([zlib.crc32(g.encode("utf-8")) for g in grams], dtype=np.uint64) | _WORD_MARK
    )
    hashed = np.concatenate(parts) * _GOLDEN
    hashed >>= np.uint64(65 - DIM.bit_length())
    index, counts = np.unique(hashed, return_counts=True)
    values = (1.0 + np.log(counts)).astype(np.float32)
    values /= np.float32(np.sqrt(np.dot(values, values)))
    return index.astype(np.int64), values


class _PerLabel:
    """Shared by the per-label logistic regressions: ``weights`` (features x
    labels), ``bias`` and ``thresholds`` — the probabilities mapped onto
    ``OPERATING_SCORE``."""

    __slots__ = ()
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    thresholds: npt.NDArray[np.float32]

    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        raise NotImplementedError

    def scores(self, text: str) -> dict[str, float]:
        """Per label: the probability on the scale of the policy's ``min_score``."""
        return self._scores(self.probabilities(text))

    def _probabilities(self, products: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Per-label probabilities from ``features @ weights``."""
        logits = products + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -60.0, 60.0))), dtype=np.float64)

    def _scores(self, probabilities: npt.NDArray[np.float64]) -> dict[str, float]:
        return {
            label: calibrate(float(p), float(t), OPERATING_SCORE[label])
            for label, p, t in zip(LABELS, probabilities, self.thresholds, strict=True)
        }

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "weights": self.weights.astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "thresholds": self.thresholds.astype(np.float32),
        }
        arrays.update({key: np.array(value) for key, value in meta.items()})
        np.savez_compressed(path, allow_pickle=False, **arrays)

    @staticmethod
    def _arrays(
        data: dict[str, npt.NDArray[np.generic]], rows: int, name: str
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        weights = np.asarray(data["weights"], dtype=np.float32)
        if weights.shape != (rows, len(LABELS)):
            raise ValueError(f"{name}: weights must be {rows} x {len(LABELS)}")
        return (
            weights,
            np.asarray(data["bias"], dtype=np.float32),
            np.asarray(data["thresholds"], dtype=np.float32),
        )


@dataclass(frozen=True, slots=True)
class KoreanModel(_PerLabel):
    """One logistic regression per label over ``features``."""

    weights: npt.NDArray[np.float32]  # (DIM, labels)
    bias: npt.NDArray[np.float32]  # (labels,)
    thresholds: npt.NDArray[np.float32]  # (labels,)

    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        index, values = features(text)
        return self._probabilities(values @ self.weights[index])

    @classmethod
    def from_npz(cls, data: dict[str, npt.NDArray[np.generic]]) -> KoreanModel:
        return cls(*cls._arrays(data, DIM, "toxicity model"))


@dataclass(frozen=True, slots=True)
class EmbeddingModel(_PerLabel):
    """One logistic regression per label over multilingual sentence embeddings
    (``gwanmun.check.embeddings``), trained on the Korean comments and on ordinary
    sentences in Korean, Japanese and English: it scores Japanese, for which no
    openly licensed labelled data exists, by what the text means in the shared
    space rather than by its words."""

    weights: npt.NDArray[np.float32]  # (EMBED_DIM, labels)
    bias: npt.NDArray[np.float32]
    thresholds: npt.NDArray[np.float32]

    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        return self._probabilities(embed([text])[0] @ self.weights)

    @classmethod
    def from_npz(cls, data: dict[str, npt.NDArray[np.generic]]) -> EmbeddingModel:
        return cls(*cls._arrays(data, EMBED_DIM, "cross-lingual toxicity model"))


@dataclass(frozen=True, slots=True)
class EnglishModel:
    """Word TF-IDF (l2) into ``k`` linear SVMs, each with a sigmoid calibration;
    the probability is their mean (scikit-learn's ``CalibratedClassifierCV``)."""

    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float32]  # (V,)
    coef: npt.NDArray[np.float32]  # (k, V)
    intercept: npt.NDArray[np.float32]  # (k,)
    slope: npt.NDArray[np.float32]  # (k,) sigmoid a
    offset: npt.NDArray[np.float32]  # (k,) sigmoid b
    threshold: float

    def probability(self, text: str) -> float | None:
        """Probability that ``text`` is offensive; ``None`` when no word is known."""
        lowered = unicodedata.normalize("NFKC", text).lower()
        counts = Counter(
            i for i in (self.vocabulary.get(w) for w in _WORD.findall(lowered)) if i is not None
        )
        if not counts:
            return None
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tfidf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) * self.idf[index]
        tfidf /= np.sqrt(np.dot(tfidf, tfidf))
        decision = self.coef[:, index] @ tfidf + self.intercept
        z = np.clip(self.slope * decision + self.offset, -60.0, 60.0)
        return float(np.mean(1.0 / (1.0 + np.exp(z))))

    def score(self, text: str) -> float:
        """``TOXIC_OFFENSIVE`` score: the probability with ``threshold`` on the operating score."""
        probability = self.probability(text)
        if probability is None:
            return 0.0
        return calibrate(probability, self.threshold, OPERATING_SCORE["TOXIC_OFFENSIVE"])

    @classmethod
    def from_npz(cls, data: dict[str, npt.NDArray[np.generic]]) -> EnglishModel:
        words = bytes(np.asarray(data["vocabulary"], dtype=np.uint8)).decode("utf-8").split("\n")
        coef = np.asarray(data["coef"], dtype=np.float32)
        if coef.ndim != 2 or coef.shape[1] != len(words):
            raise ValueError("English toxicity model: coef must be (k, vocabulary size)")
        return cls(
            vocabulary={word: i for i, word in enumerate(words)},
            idf=np.asarray(data["idf"], dtype=np.float32),
            coef=coef,
            intercept=np.asarray(data["intercept"], dtype=np.float32),
            slope=np.asarray(data["slope"], dtype=np.float32),
            offset=np.asarray(data["offset"], dtype=np.float32),
            threshold=float(np.asarray(data["threshold"]).reshape(-1)[0]),
        )


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    pattern: re.Pattern[str]
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class Models:
    korean: KoreanModel
    english: EnglishModel
    crosslingual: EmbeddingModel
    lexicon: tuple[LexiconEntry, ...]


_lock = threading.Lock()
_loaded: list[Models] = []


def load_models() -> Models:
    """The packaged models and lexicon, loaded once, thread-safe."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            text = resources.files("gwanmun").joinpath("data/toxicity_lexicon.yaml")
            entries = yaml.safe_load(text.read_text("utf-8"))["entries"]
            lexicon = tuple(
                LexiconEntry(
                    re.compile(e["pattern"], re.IGNORECASE), e["kind"], float(e.get("score", 0.9))
                )
                for e in entries
            )
            _loaded.append(
                Models(
                    korean=KoreanModel.from_npz(load_npz("toxicity_ko.npz")),
                    english=EnglishModel.from_npz(load_npz("toxicity_en.npz")),
                    crosslingual=EmbeddingModel.from_npz(load_npz("toxicity_xl.npz")),
                    lexicon=lexicon,
                )
            )
        return _loaded[0]


def mostly_latin(folded: str) -> bool:
    """At least half of the letters of (lower-cased) ``folded`` are a–z."""
    letters = len(_LETTER.findall(folded))
    return letters > 0 and 2 * len(_LATIN.findall(folded)) >= letters


class ToxicityCheck:
    """``TextCheck``: toxic or discriminatory sentences.

    ``threshold`` is the lowest score reported; the policy's ``min_score`` per
    label decides what is acted on. ``models`` defaults to the packaged ones.
    """

    name = "toxicity"

    def __init__(self, threshold: float = 0.5, models: Models | None = None) -> None:
        self.threshold = threshold
        self._models = models

    def warm_up(self) -> None:
        if self._models is None:
            load_models()
        warm_up_embeddings()  # Japanese is scored in the sentence encoder's space

    def scores(self, text: str) -> dict[str, float]:
        """Score per label for a whole text: the classifier for its script, and the lexicon."""
        models = self._models or load_models()
        out = dict.fromkeys(LABELS, 0.0)
        folded = normalise(text)
        korean = bool(_HANGUL.search(text))
        if korean:
            out.update(models.korean.scores(text))
        if mostly_latin(folded):
            out["TOXIC_OFFENSIVE"] = max(out["TOXIC_OFFENSIVE"], models.english.score(text))
        elif not korean and _KANA_KANJI.search(text):
            out.update(models.crosslingual.scores(text))  # Japanese (and Chinese)
        for entry in models.lexicon:
            if entry.pattern.search(folded):
                out[entry.kind] = max(out[entry.kind], entry.score)
        return out

    def check(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for match in SENTENCE.finditer(text):
            sentence = match.group(0)
            if not sentence.strip():
                continue
            # The span is the sentence without the spaces around it.
            start = match.start() + len(sentence) - len(sentence.lstrip())
            end = match.end() - (len(sentence) - len(sentence.rstrip()))
            for label, score in self.scores(sentence).items():
                if score >= self.threshold:
                    findings.append(Finding(label, start, end, round(score, 3), self.name))
        return findings
