"""Toxicity check quality: precision, recall and F1 per label, honestly held out.

    python bench/eval_toxicity.py

Korean: 5-fold cross-validation on shared/eval/ko_toxic.dev.jsonl (BEEP!, CC
BY-SA 4.0) — each fold's comments are scored by a model trained on the other
four with bench/train_toxicity.py's code, never by the shipped model (which saw
them all). Baselines beside it: the lexicon alone, and "always toxic".
Japanese and English: the lexicon on tests/data/toxicity_ja_en.jsonl, a small
set written by the project (labelled toxic or not), reported as such.
Threshold 0.5.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.* when run as a script


def prf(pred: npt.NDArray[np.bool_], gold: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    tp = float(np.sum(pred & gold))
    p = tp / max(float(np.sum(pred)), 1.0)
    r = tp / max(float(np.sum(gold)), 1.0)
    return p, r, 2 * p * r / max(p + r, 1e-9)


def lexicon_scores(texts: list[str]) -> npt.NDArray[np.float32]:
    from gwanmun.check.toxicity import LABELS, _load, normalise

    lexicon = _load()["lexicon"]
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    for i, text in enumerate(texts):
        folded = normalise(text)
        for pattern, kind, score in lexicon:
            if pattern.search(folded):
                j = LABELS.index(kind)
                out[i, j] = max(out[i, j], score)
    return out


def cross_validate(texts: list[str], y: npt.NDArray[np.int8]) -> None:
    from bench.train_toxicity import matrix, predict, train
    from gwanmun.check.toxicity import LABELS

    x = matrix(texts)
    rng = np.random.default_rng(0)
    folds = rng.permutation(len(texts)) % 5
    probs = np.zeros(y.shape, dtype=np.float32)
    for k in range(5):
        test = folds == k
        weights, bias = train(x[~test], y[~test])
        probs[test] = predict(x[test], weights, bias)
    lex = lexicon_scores(texts)
    gold = y.astype(bool)
    print("Korean (BEEP! dev, 5-fold cross-validation; threshold 0.5)")
    print(f"{'label':<18}{'model P/R/F1':>22}{'lexicon P/R/F1':>22}{'always-yes F1':>16}")
    for j, label in enumerate(LABELS):
        m = prf(probs[:, j] >= 0.5, gold[:, j])
        lx = prf(lex[:, j] >= 0.5, gold[:, j])
        yes = prf(np.ones(len(texts), dtype=bool), gold[:, j])
        print(f"{label:<18}{m[0]:>8.3f}{m[1]:>7.3f}{m[2]:>7.3f}"
              f"{lx[0]:>8.3f}{lx[1]:>7.3f}{lx[2]:>7.3f}{yes[2]:>16.3f}")  # fmt: skip
    toxic = gold[:, 0] | gold[:, 1]
    any_model = (probs[:, 0] >= 0.5) | (probs[:, 1] >= 0.5)
    any_lex = (lex[:, 0] >= 0.5) | (lex[:, 1] >= 0.5)
    m, lx = prf(any_model, toxic), prf(any_lex, toxic)
    print(f"{'toxic (either)':<18}{m[0]:>8.3f}{m[1]:>7.3f}{m[2]:>7.3f}"
          f"{lx[0]:>8.3f}{lx[1]:>7.3f}{lx[2]:>7.3f}"
          f"{prf(np.ones(len(texts), dtype=bool), toxic)[2]:>16.3f}")  # fmt: skip


def self_written() -> None:
    from gwanmun.check.toxicity import ToxicityCheck

    path = ROOT / "tests" / "data" / "toxicity_ja_en.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    check = ToxicityCheck()
    print("\nJapanese and English (lexicon; a small set written by the project)")
    for lang in ("ja", "en"):
        subset = [r for r in rows if r["language"] == lang]
        pred = np.array([bool(check.check(r["text"])) for r in subset])
        gold = np.array([r["toxic"] for r in subset])
        p, r, f = prf(pred, gold)
        print(f"{lang}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} on {len(subset)} sentences")


def main() -> None:
    from bench.train_toxicity import load

    texts, y = load()
    cross_validate(texts, y)
    self_written()


if __name__ == "__main__":
    main()
