"""Train the injection check's second opinion by meaning, shipped as
``src/gwanmun/data/injection_embedding_model.npz`` (``check.injection_embedding``).

    python bench/train/train_injection_embedding.py     # a few minutes, numpy only

Data: exactly the examples of ``bench/train/train_injection.py`` (``load_examples``:
CyberSecEval security-violating attacks and system prompts, the project's
written and generated attacks and hard negatives, office requests and
questions, the retrieval passages and queries and Korean news comments as
ordinary text); the same refusal of anything near a held-out text.

Features: the multilingual Universal Sentence Encoder embedding
(``check.embeddings``, 512 dimensions) of each text's first segment — the whole
text, or its first window when it is longer than ``injection.WHOLE``.

Model: one hidden layer of ``HIDDEN`` ReLU units and a logistic output, trained
by Adam on the class-balanced log loss with weight decay (``EPOCHS`` passes,
seeded: the run is deterministic on one machine). A linear model over the same
embeddings (tried first) reached 0.54 / 0.67 of the generated Korean / Japanese
attacks out of fold at the same false-alarm rate; this one 0.72 / 0.80 (0.65 /
0.75 on the fourth round's data, whose added attacks are harder).

Operating point: 5-fold grouped cross-validation (``train_injection.folds``)
gives each text an out-of-fold probability taken, to be safe, as the maximum
over *every* segment the character classifier could hand over (the text, its
windows, sentences and pairs, on every reading); the runtime embeds only one of
them, so it can only flag less. The threshold is the lowest keeping at most
``TARGET_FPR`` of each benign source over it: half the character model's 1%,
because the two flag different texts and the check takes the larger score.

``FLOOR``, the character classifier's probability under which nothing is
embedded, trades recall for time. It was chosen on development data (sets A
and B, the development office requests, NER sentences run together into 1 KB
requests): at 0.1 no attack of A or B was lost against embedding every text,
but 31% (ko) and 38% (ja) of ordinary 1 KB requests reached it, at 8-18 ms an
embedding on this shared host; at 0.2, 7% and 13% do, and one attack of B
(Japanese) is lost; at 0.3, 3% and 5%, and four of A, B and the older held-out
set. 0.2 was shipped in the third round. (Recall on sets C and D at each floor
had been printed as well by then: see docs/benchmarks.md, "third round", on how
C and D were used.) In the fourth round (issue 23's budget: at most +0.3 ms per
1 KB Korean or Japanese request) the floor was chosen again on C and D (by then
development sets), the development office requests and 100 + 100 NER requests
of 1 KB: with the fourth round's character model, 0.2 consults 12% (ko) and
15% (ja) of those requests, +0.77 / +0.88 ms a request; 0.4 consults 3% and
4%, +0.14 / +0.23 ms, and loses one Korean attack of D and one Japanese of C
and of D against 0.2. 0.4 is shipped.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* when run as a script
from bench.train.train_injection import (  # noqa: E402
    FOLDS,
    NEAR_COPY,
    Example,
    choose_threshold,
    folds,
    held_out_overlap,
    load_examples,
)
from gwanmun.check.embeddings import EMBED_DIM, embed  # noqa: E402
from gwanmun.check.injection import MIN_CHARS, _segments, fold  # noqa: E402
from gwanmun.check.injection_embedding import EmbeddingInjectionModel  # noqa: E402
from gwanmun.check.readings import readings  # noqa: E402
from gwanmun.text import normalize  # noqa: E402

MODEL = ROOT / "src" / "gwanmun" / "data" / "injection_embedding_model.npz"
HIDDEN = 256
EPOCHS = 40
WEIGHT_DECAY = 1e-4
LEARNING_RATE = 1e-3
BATCH = 128
SEED = 0
TARGET_FPR = 0.005
FLOOR = 0.4

Params = list[npt.NDArray[np.float32]]


def segments(text: str) -> list[str]:
    """Every segment of ``text`` the check's character classifier scores, on every
    reading, as the check hands them over (stripped); the first is the whole text
    or its first window."""
    normalized = normalize(text).text
    out = []
    for view in (normalized, *readings(normalized)):
        for start, end in _segments(view):
            segment = view[start:end].strip()
            if len(fold(segment)) >= MIN_CHARS:
                out.append(segment)
    return out


def embed_all(texts: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
    unique = sorted(set(texts))
    vectors: dict[str, npt.NDArray[np.float32]] = {}
    for i in range(0, len(unique), 64):
        batch = unique[i : i + 64]
        vectors.update(zip(batch, embed(batch), strict=True))
        if i % 6400 == 0:
            print(f"  embedded {i} of {len(unique)}", file=sys.stderr)
    return vectors


def train(
    x: npt.NDArray[np.float32], y: npt.NDArray[np.float32], weight: npt.NDArray[np.float32]
) -> Params:
    """Adam on the weighted log loss; returns [W1, b1, w2, b2]."""
    rng = np.random.default_rng(SEED)
    params: Params = [
        (rng.standard_normal((EMBED_DIM, HIDDEN)) * np.sqrt(2 / EMBED_DIM)).astype(np.float32),
        np.zeros(HIDDEN, np.float32),
        (rng.standard_normal(HIDDEN) * np.sqrt(1 / HIDDEN)).astype(np.float32),
        np.zeros(1, np.float32),
    ]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    weight = (weight / weight.mean()).astype(np.float32)
    step = 0
    for _ in range(EPOCHS):
        order = rng.permutation(len(x))
        for i in range(0, len(x), BATCH):
            index = order[i : i + BATCH]
            xb, yb, wb = x[index], y[index], weight[index]
            hidden = xb @ params[0] + params[1]
            active = np.maximum(hidden, 0)
            z = active @ params[2] + params[3][0]
            p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
            dz = wb * (p - yb) / len(index)
            dhidden = np.outer(dz, params[2]) * (hidden > 0)
            grads = [
                xb.T @ dhidden + WEIGHT_DECAY * params[0],
                dhidden.sum(0),
                active.T @ dz + WEIGHT_DECAY * params[2],
                np.array([dz.sum()], np.float32),
            ]
            step += 1
            for j, (param, grad) in enumerate(zip(params, grads, strict=True)):
                first[j] = 0.9 * first[j] + 0.1 * grad
                second[j] = 0.999 * second[j] + 0.001 * grad * grad
                corrected = first[j] / (1 - 0.9**step)
                scale = np.sqrt(second[j] / (1 - 0.999**step)) + 1e-8
                param -= (LEARNING_RATE * corrected / scale).astype(np.float32)
    return params


def as_model(params: Params, threshold: float, floor: float = FLOOR) -> EmbeddingInjectionModel:
    return EmbeddingInjectionModel(
        hidden_weights=params[0],
        hidden_bias=params[1],
        output_weights=params[2],
        output_bias=float(params[3][0]),
        threshold=threshold,
        floor=floor,
    )


def fit(
    examples: Sequence[Example], views: Sequence[Sequence[str]], vectors: dict[str, npt.NDArray]
) -> tuple[EmbeddingInjectionModel, npt.NDArray[np.float64]]:
    """The model on all ``examples`` (each with its segments), the threshold from
    out-of-fold probabilities; also returns those probabilities."""
    x = np.stack([vectors[v[0]] for v in views]).astype(np.float32)
    y = np.array([e.label for e in examples], dtype=np.float32)
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean())).astype(np.float32)
    fold_of = np.array(folds(examples))
    oof = np.zeros(len(examples))
    for f in range(FOLDS):
        train_rows = fold_of != f
        model = as_model(train(x[train_rows], y[train_rows], weight[train_rows]), 0.5)
        for i in np.flatnonzero(~train_rows):
            oof[i] = model.probabilities(np.stack([vectors[s] for s in views[i]])).max()
        print(f"  fold {f + 1} of {FOLDS}", file=sys.stderr)
    threshold = choose_threshold(oof, examples, TARGET_FPR)
    params = train(x, y, weight)
    # Ship float16 hidden weights: score with what is shipped.
    params[0] = params[0].astype(np.float16).astype(np.float32)
    return as_model(params, threshold), oof


def main() -> None:
    examples = load_examples()
    worst, near = held_out_overlap(examples)
    print(f"held-out overlap: largest 5-gram Jaccard {worst:.2f}, {near} at or over {NEAR_COPY}")
    if near:
        sys.exit("training texts copy held-out ones: write other phrasings")
    views = [segments(e.text) for e in examples]
    kept = [i for i, v in enumerate(views) if v]  # too short for the classifier: rules only
    examples = [examples[i] for i in kept]
    views = [views[i] for i in kept]
    vectors = embed_all([s for v in views for s in v])
    model, oof = fit(examples, views, vectors)
    model.save(
        MODEL,
        source=(
            "CyberSecEval prompt injection dev half (MIT, Meta) + attacks and benign prompts "
            "written by the Gwanmun project + KLUE-NLI / JSQuAD sentences (CC BY-SA 4.0) + "
            "BEEP! comments (CC BY-SA 4.0), embedded by the Universal Sentence Encoder "
            "multilingual (Apache-2.0); bench/train/train_injection_embedding.py"
        ),
    )
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for example, probability in zip(examples, oof, strict=True):
        key = f"{example.source} {example.language}" if example.label else example.source
        found[key][0] += probability >= model.threshold
        found[key][1] += 1
    print(f"examples: {len(examples)}; threshold {model.threshold:.4f}, floor {model.floor}")
    print("out of fold, over or at the threshold (alone, before the floor):")
    for key in sorted(found):
        hits, n = found[key]
        if n >= 20:
            print(f"  {key:<28}{hits / n:.4f}  ({n})")
    print(f"wrote {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
