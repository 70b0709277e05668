"""Train the toxicity classifiers shipped in src/gwanmun/data/toxicity_{ko,xl}.npz.

    python bench/train/train_toxicity.py                 # writes the Korean model
    python bench/train/train_toxicity.py --crosslingual  # writes the cross-lingual (Japanese) one
    python bench/train/train_toxicity.py --check         # nested cross-validation only

Data: shared/eval/ko_toxic.dev.jsonl — BEEP! Korean news comments
(kocohub/korean-hate-speech, labelled train split; CC BY-SA 4.0; Moon et al.,
2020). Features: ``gwanmun.check.toxicity.features`` (the function the gateway
uses, so training and inference cannot drift): hashed character 1–4-grams and
word 1–2-grams, ``1 + log(count)``, L2-normalised. One L2 logistic regression
per label (scikit-learn, liblinear, balanced class weights, ``C`` below);
weights stored as float16.

Operating point (``fit``): 5-fold cross-validation inside the training data
gives out-of-fold probabilities; each label's threshold is the one maximising
F1 on them (F1 because every label is frequent here — 24–32% of comments — and
a missed toxic answer and a wrongly flagged one cost about the same when the
default action is to warn), raised where needed so that at most
``TARGET_FPR`` of the project's ordinary Korean sentences (``benign``, trained
on as non-toxic: BEEP! has no formal office Korean) reach it. The runtime maps
it onto the label's default ``min_score``. The final weights are then trained
on all the data.

Choices measured out of fold before the ordinary sentences were added
(5-fold, best-F1 threshold, F1 per label hate/offensive/gender/other/either):
the previous model (character 1–3-grams,
binary, C 0.5, no class weights) 0.573/0.513/0.668/0.439/0.764; with balanced
weights 0.576/0.516/0.668/0.441/0.766; these features with balanced weights,
C 4: 0.579/0.530/0.666/0.450/0.775 (C 2: 0.570/0.530/0.657/0.452/0.775;
C 8: 0.582/0.529/0.671/0.451/0.774). Small gains; most of the gain is the
operating point.

Cross-lingual model (``--crosslingual``, for Japanese: no openly licensed
labelled Japanese data exists): the same labels, operating points and ``fit``,
over multilingual sentence embeddings (``gwanmun.check.embeddings.embed``, the
function the gateway uses) instead of n-grams, trained on the BEEP! comments
and the project's ordinary sentences in Korean, Japanese and English (the
Japanese and English ones teach it what ordinary text in those languages looks
like in that space). ``C_CROSSLINGUAL`` was chosen by the Korean out-of-fold F1
of "toxic" (C 0.3 / 1 / 3: 0.737 / 0.740 / 0.737), never on Japanese.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanmun.check.toxicity import (
    DIM,
    LABELS,
    SENTENCE,
    EmbeddingModel,
    KoreanModel,
    features,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* when run as a script
from bench.train.sparse_rows import csr_rows  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "ko_toxic.dev.jsonl"
BENIGN = [ROOT / "bench" / "data" / f for f in ("benign_prompts.jsonl", "benign_questions.jsonl")]
OUT = ROOT / "src" / "gwanmun" / "data" / "toxicity_ko.npz"
OUT_CROSSLINGUAL = ROOT / "src" / "gwanmun" / "data" / "toxicity_xl.npz"
C = 4.0
C_CROSSLINGUAL = 1.0
FOLDS = 5
# At most this share of the project's ordinary Korean sentences over any label's threshold.
TARGET_FPR = 0.02


def load() -> tuple[list[str], npt.NDArray[np.int8]]:
    if not DATA.exists():
        sys.exit(f"missing {DATA}: the evaluation data lives in shared/eval beside the repo")
    texts, labels = [], []
    for line in DATA.open(encoding="utf-8"):
        record = json.loads(line)
        texts.append(record["text"])
        labels.append(
            [
                record["hate"] == "hate",
                record["hate"] == "offensive",
                record["bias"] == "gender",
                record["bias"] == "others",
            ]
        )
    return texts, np.array(labels, dtype=np.int8)


def benign(languages: tuple[str, ...] = ("ko",)) -> list[str]:
    """Ordinary sentences written by the project (requests and questions to a
    model, ``bench/data/benign_*.jsonl`` — not ``benign_heldout``), each sentence
    on its own as the check scores them. BEEP! is all news comments; without
    these the model had never seen formal office Korean and flagged it."""
    out: list[str] = []
    for path in BENIGN:
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            if row["language"] in languages:
                out += [m.group(0).strip() for m in SENTENCE.finditer(row["text"])]
    return [text for text in dict.fromkeys(out) if text]


def matrix(texts: list[str]) -> Any:  # scipy.sparse.csr_matrix
    return csr_rows((features(text) for text in texts), DIM)


def fold_numbers(n: int, seed: int) -> npt.NDArray[np.int64]:
    return np.asarray(np.random.default_rng(seed).permutation(n) % FOLDS, dtype=np.int64)


def train(
    x: Any, y: npt.NDArray[np.int8], c: float = C
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    from sklearn.linear_model import LogisticRegression

    weights = np.zeros((x.shape[1], len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    for j in range(len(LABELS)):
        model = LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced", random_state=0, max_iter=500
        )
        model.fit(x, y[:, j])
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    # Score with what is shipped.
    return weights.astype(np.float16).astype(np.float32), bias


def predict(
    x: Any, weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    logits = np.clip(x @ weights.astype(np.float64) + bias, -60, 60)
    return np.asarray(1.0 / (1.0 + np.exp(-logits)))


def best_f1_threshold(probabilities: npt.NDArray[np.float64], gold: npt.NDArray[np.bool_]) -> float:
    """The threshold t maximising F1 of ``probabilities >= t`` (ties: the higher t)."""
    order = np.argsort(-probabilities, kind="stable")
    ranked, hits = probabilities[order], gold[order]
    tp = np.cumsum(hits)
    predicted = np.arange(1, len(ranked) + 1)
    f1 = 2 * tp / (predicted + max(int(gold.sum()), 1))
    # Only cut where the next probability differs (equal scores fall together).
    valid = np.append(ranked[1:] < ranked[:-1], True)
    best = int(np.argmax(np.where(valid, f1, -1.0)))
    return float(ranked[best])


def fpr_threshold(negatives: npt.NDArray[np.float64], target: float = TARGET_FPR) -> float:
    """The lowest threshold keeping at most ``target`` of ``negatives`` at or over it."""
    ranked = np.sort(negatives)[::-1]
    allowed = int(np.floor(target * len(ranked)))
    return float(np.nextafter(ranked[allowed], 1.0)) if allowed < len(ranked) else 0.0


def fit(
    texts: list[str],
    y: npt.NDArray[np.int8],
    ordinary: list[str],
    x: Any = None,
    c: float = C,
) -> KoreanModel:
    """Train on ``texts`` and the ``ordinary`` sentences (no label); each label's
    threshold is the F1-best one on inner out-of-fold probabilities of ``texts``,
    raised when needed so that at most ``TARGET_FPR`` of ``ordinary`` reaches it.
    ``x``: the rows of ``texts + ordinary`` (default: the Korean n-grams)."""
    if x is None:
        x = matrix(texts + ordinary)
    return KoreanModel(*fit_rows(x, y, len(ordinary), c))


def fit_rows(
    x: Any, y: npt.NDArray[np.int8], ordinary: int, c: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``fit`` on feature rows: ``x`` holds the labelled texts, then ``ordinary``
    unlabelled ones. Returns weights, bias and thresholds."""
    labels = np.vstack([y, np.zeros((ordinary, y.shape[1]), dtype=np.int8)])
    inner = fold_numbers(len(labels), seed=1)
    oof = np.zeros(labels.shape, dtype=np.float64)
    for k in range(FOLDS):
        test = inner == k
        weights, bias = train(x[~test], labels[~test], c)
        oof[test] = predict(x[test], weights, bias)
    n = len(y)
    thresholds = np.array(
        [
            max(best_f1_threshold(oof[:n, j], y[:, j].astype(bool)), fpr_threshold(oof[n:, j]))
            for j in range(len(LABELS))
        ],
        dtype=np.float32,
    )
    weights, bias = train(x, labels, c)
    return weights, bias, thresholds


def crosslingual(texts: list[str], y: npt.NDArray[np.int8]) -> EmbeddingModel:
    """The cross-lingual model: ``fit`` over sentence embeddings of the comments
    and of the ordinary sentences in all three languages."""
    from gwanmun.check.embeddings import embed

    ordinary = benign(("ko", "ja", "en"))
    x = embed(texts + ordinary)
    return EmbeddingModel(*fit_rows(x, y, len(ordinary), C_CROSSLINGUAL))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="cross-validate, write nothing")
    parser.add_argument(
        "--crosslingual", action="store_true", help="train the cross-lingual (Japanese) model"
    )
    args = parser.parse_args()
    texts, y = load()
    if args.check:
        from bench.quality.eval_toxicity import cross_validate

        cross_validate(texts, y, benign())
        return
    if args.crosslingual:
        model: KoreanModel | EmbeddingModel = crosslingual(texts, y)
        out, ordinary = OUT_CROSSLINGUAL, len(benign(("ko", "ja", "en")))
        what = "sentence embeddings of BEEP! Korean news comments", "Korean, Japanese and English"
    else:
        ordinary_ko = benign()
        model, out, ordinary = fit(texts, y, ordinary_ko), OUT, len(ordinary_ko)
        what = "BEEP! Korean news comments", "Korean"
    model.save(
        out,
        source=(
            f"{what[0]} (kocohub/korean-hate-speech, CC BY-SA 4.0, Moon et al. 2020) + ordinary "
            f"{what[1]} sentences written by the Gwanmun project; bench/train/train_toxicity.py"
        ),
    )
    thresholds = ", ".join(f"{lb} {t:.3f}" for lb, t in zip(LABELS, model.thresholds, strict=True))
    print(f"out-of-fold thresholds: {thresholds}")
    print(
        f"wrote {out} ({out.stat().st_size // 1024} KiB) from {len(texts)} comments "
        f"and {ordinary} ordinary sentences"
    )


if __name__ == "__main__":
    main()
