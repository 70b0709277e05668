"""Toxicity and discrimination check: a small Korean classifier plus a lexicon.

- **Korean**: hashed character 1–3-grams of the normalised sentence into a
  logistic regression per label (hate, offensive, gender bias, other bias),
  trained on the BEEP! Korean news-comment corpus (kocohub/korean-hate-speech,
  CC BY-SA 4.0; Moon et al., 2020) by ``bench/train_toxicity.py``. The weights
  (``data/toxicity_ko.npz``) are a derived work under the same licence; see
  ``data/TOXICITY_MODEL.md``. Inference is numpy only.
- **Japanese and English** (no labelled data here) and a boost for Korean:
  ``data/toxicity_lexicon.yaml``, slurs and abuse with a category each.

``check`` scores sentence by sentence and reports ``TOXIC_HATE``,
``TOXIC_OFFENSIVE``, ``BIAS_GENDER`` or ``BIAS_OTHER`` over the sentence;
``scores`` gives the probabilities for a whole text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from gwanmun.types import Finding

LABELS = ("TOXIC_HATE", "TOXIC_OFFENSIVE", "BIAS_GENDER", "BIAS_OTHER")
DIM = 1 << 18
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_REPEAT = re.compile(r"(.)\1{2,}")
_HANGUL = re.compile(r"[가-힣ㄱ-ㅎ]")

_lock = threading.Lock()
_model: dict[str, Any] = {}


def normalise(text: str) -> str:
    """NFKC, lower case, runs of one character cut to two (ㅋㅋㅋㅋ → ㅋㅋ), spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _REPEAT.sub(r"\1\1", text)
    return " ".join(text.split())


def features(text: str) -> npt.NDArray[np.int64]:
    """Hashed character 1-3-grams (with word-boundary spaces) of ``text``, as indices."""
    padded = f" {normalise(text)} "
    grams = {padded[i : i + n] for n in (1, 2, 3) for i in range(len(padded) - n + 1)}
    grams.discard(" ")
    return np.fromiter(
        (zlib.crc32(g.encode("utf-8")) % DIM for g in grams), dtype=np.int64, count=len(grams)
    )


def _load() -> dict[str, Any]:
    with _lock:
        if not _model:
            data = resources.files("gwanmun").joinpath("data/toxicity_ko.npz")
            with data.open("rb") as fh, np.load(fh) as npz:
                _model["weights"] = npz["weights"].astype(np.float32)  # (DIM, labels)
                _model["bias"] = npz["bias"].astype(np.float32)
            text = resources.files("gwanmun").joinpath("data/toxicity_lexicon.yaml")
            entries = yaml.safe_load(text.read_text("utf-8"))["entries"]
            _model["lexicon"] = [
                (re.compile(e["pattern"], re.IGNORECASE), e["kind"], float(e.get("score", 0.9)))
                for e in entries
            ]
        return _model


class ToxicityCheck:
    """``TextCheck``: toxic or discriminatory sentences."""

    name = "toxicity"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def warm_up(self) -> None:
        _load()

    def scores(self, text: str) -> dict[str, float]:
        """Probability per label for a whole text (classifier for Hangul, lexicon for all)."""
        model = _load()
        out = dict.fromkeys(LABELS, 0.0)
        if _HANGUL.search(text):
            idx = features(text)
            logits = model["weights"][idx].sum(axis=0) + model["bias"]
            probs = 1.0 / (1.0 + np.exp(-logits))
            out.update({label: float(p) for label, p in zip(LABELS, probs, strict=True)})
        folded = normalise(text)
        for pattern, kind, score in model["lexicon"]:
            if pattern.search(folded):
                out[kind] = max(out[kind], score)
        return out

    def check(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for match in _SENTENCE.finditer(text):
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
