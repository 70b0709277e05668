"""Toxicity check quality: precision, recall and F1 per label, honestly held out.

    python bench/quality/eval_toxicity.py

Korean: nested 5-fold cross-validation on shared/eval/ko_toxic.dev.jsonl (BEEP!,
CC BY-SA 4.0). Each outer fold's comments are scored by a model that
``bench/train/train_toxicity.py``'s ``fit`` built from the other four — including
its operating point, chosen by an inner cross-validation inside those four —
never by the shipped model (which saw them all). Rows: the check as shipped
(classifier and lexicon, a label counted when its score reaches the default
policy's ``min_score``), the classifier alone at probability 0.5 (the old
operating point), the lexicon alone, and "always yes".

English and Japanese: bench/data/toxicity_en.jsonl and toxicity_ja.jsonl,
100 sentences each (50 toxic, 50 not, hard negatives among them) written by the
project — small, and written by the people who built the check: a smoke test,
not a measurement of the world. A sentence counts as flagged when any label
reaches the default ``min_score``. English rows: the check, the converted
alt-profanity-check classifier alone (its own 0.5), the lexicon alone, "always
yes", and — measured, not shipped — the cross-lingual classifier alone and added
to the check. Japanese rows: the check (the cross-lingual classifier, trained on
Korean comments and ordinary sentences only — it never saw a toxic Japanese
sentence — and the lexicon), each alone, "always yes". Then the Japanese and
English ordinary questions of benign_heldout.jsonl, never trained on.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gwanmun.check.toxicity import (
    LABELS,
    OPERATING_SCORE,
    KoreanModel,
    Models,
    ToxicityCheck,
    calibrate,
    load_models,
    normalise,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* when run as a script
SETS = {lang: ROOT / "bench" / "data" / f"toxicity_{lang}.jsonl" for lang in ("en", "ja")}
KO_OFFICE = ROOT / "bench" / "data" / "toxicity_ko_office.jsonl"
KO_HELDOUT = ROOT / "bench" / "data" / "benign_heldout.jsonl"
MIN_SCORE = np.array([OPERATING_SCORE[label] for label in LABELS])


def prf(pred: npt.NDArray[np.bool_], gold: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    tp = float(np.sum(pred & gold))
    p = tp / max(float(np.sum(pred)), 1.0)
    r = tp / max(float(np.sum(gold)), 1.0)
    return p, r, 2 * p * r / max(p + r, 1e-9)


def lexicon_scores(texts: list[str]) -> npt.NDArray[np.float64]:
    lexicon = load_models().lexicon
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
    for i, text in enumerate(texts):
        folded = normalise(text)
        for entry in lexicon:
            if entry.pattern.search(folded):
                j = LABELS.index(entry.kind)
                out[i, j] = max(out[i, j], entry.score)
    return out


def _row(name: str, m: tuple[float, float, float]) -> str:
    return f"| {name} | {m[0]:.3f} / {m[1]:.3f} / {m[2]:.3f} |"


def cross_validate(texts: list[str], y: npt.NDArray[np.int8], ordinary: list[str]) -> None:
    from bench.train.train_toxicity import fit, fold_numbers, matrix, predict

    x = matrix(texts + ordinary)
    n = len(texts)
    folds = fold_numbers(len(texts) + len(ordinary), seed=0)
    all_probs = np.zeros((x.shape[0], len(LABELS)), dtype=np.float64)
    all_scores = np.zeros_like(all_probs)
    thresholds = []
    for k in range(5):
        test = folds == k
        beep = np.flatnonzero(~test[:n])
        plain = np.flatnonzero(~test[n:])
        rows = np.concatenate([beep, n + plain])
        model: KoreanModel = fit(
            [texts[i] for i in beep], y[beep], [ordinary[i] for i in plain], x=x[rows]
        )
        thresholds.append(model.thresholds)
        all_probs[test] = predict(x[test], model.weights, model.bias)
        all_scores[test] = [
            [
                calibrate(float(p), float(t), OPERATING_SCORE[label])
                for label, p, t in zip(LABELS, row, model.thresholds, strict=True)
            ]
            for row in all_probs[test]
        ]
    probs, scores = all_probs[:n], all_scores[:n]
    lex_plain = lexicon_scores(ordinary)
    plain_flagged = (np.maximum(all_scores[n:], lex_plain) >= MIN_SCORE).any(axis=1)
    lex = lexicon_scores(texts)
    check = np.maximum(scores, lex) >= MIN_SCORE
    gold = y.astype(bool)
    yes = np.ones(len(texts), dtype=bool)
    spread = np.array(thresholds)
    print(f"Korean: BEEP! dev, {len(texts)} comments (+ {len(ordinary)} ordinary sentences "
          "in training), nested 5-fold cross-validation")  # fmt: skip
    print("inner-CV thresholds per outer fold (min-max): " + ", ".join(
        f"{label} {spread[:, j].min():.3f}-{spread[:, j].max():.3f}"
        for j, label in enumerate(LABELS)))  # fmt: skip
    print("\n| label | check (classifier at OOF F1 point + lexicon) P / R / F1 "
          "| classifier at p 0.5 | lexicon | always yes |")  # fmt: skip
    print("|---|---|---|---|---|")
    columns = [(gold[:, j], check[:, j], probs[:, j] >= 0.5, lex[:, j] >= MIN_SCORE[j])
               for j in range(len(LABELS))]  # fmt: skip
    toxic = gold[:, 0] | gold[:, 1]
    columns.append((toxic, check[:, 0] | check[:, 1],
                    (probs[:, 0] >= 0.5) | (probs[:, 1] >= 0.5),
                    (lex[:, 0] >= MIN_SCORE[0]) | (lex[:, 1] >= MIN_SCORE[1])))  # fmt: skip
    for name, (g, c, half, lx) in zip([*LABELS, "toxic (hate or offensive)"], columns, strict=True):
        cells = [prf(c, g), prf(half, g), prf(lx, g), prf(yes, g)]
        print(f"| {name} | " + " | ".join(f"{p:.3f} / {r:.3f} / {f:.3f}" for p, r, f in cells)
              + " |")  # fmt: skip
    print(f"\nordinary Korean sentences (training set, out of fold) flagged by the check: "
          f"{int(plain_flagged.sum())}/{len(ordinary)}")  # fmt: skip


def held_out_korean(models: Models) -> None:
    """Ordinary Korean never trained on, scored by the shipped model: any flag is a false alarm."""
    check = ToxicityCheck(models=models)
    texts = [json.loads(line)["text"] for line in KO_OFFICE.open(encoding="utf-8")]
    texts += [r["text"] for r in map(json.loads, KO_HELDOUT.open(encoding="utf-8"))
              if r["language"] == "ko"]  # fmt: skip
    flagged = [t for t in texts if _flagged(check.scores(t))]
    print(f"\nKorean ordinary sentences never trained on ({KO_OFFICE.name} + Korean of "
          f"{KO_HELDOUT.name}): {len(flagged)}/{len(texts)} flagged")  # fmt: skip
    for text in flagged:
        print(f"  flagged: {text}")


def _flagged(scores: dict[str, float]) -> bool:
    return any(scores[label] >= OPERATING_SCORE[label] for label in LABELS)


def self_written(models: Models) -> None:
    check = ToxicityCheck(models=models)
    for lang, path in SETS.items():
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        texts = [r["text"] for r in rows]
        gold = np.array([r["toxic"] for r in rows])
        pred_check = np.array([_flagged(check.scores(t)) for t in texts])
        lex = lexicon_scores(texts)
        pred_lex = (lex >= MIN_SCORE).any(axis=1)
        yes = np.ones(len(rows), dtype=bool)
        print(f"\n{lang}: {path.relative_to(ROOT)}, {len(rows)} sentences "
              f"({int(gold.sum())} toxic), written by the project")  # fmt: skip
        print("| method | P / R / F1 |\n|---|---|")
        print(_row("check (as shipped)", prf(pred_check, gold)))
        pred_xl = np.array([_flagged(models.crosslingual.scores(t)) for t in texts])
        if lang == "en":
            probability = [models.english.probability(t) for t in texts]
            pred_model = np.array([p is not None and p >= models.english.threshold
                                   for p in probability])  # fmt: skip
            print(_row("classifier alone (alt-profanity-check, p 0.5)", prf(pred_model, gold)))
            print(_row("cross-lingual classifier alone (not used for English)", prf(pred_xl, gold)))
            print(_row("check + cross-lingual (not shipped)", prf(pred_check | pred_xl, gold)))
        else:
            print(_row("cross-lingual classifier alone", prf(pred_xl, gold)))
        print(_row("lexicon alone", prf(pred_lex, gold)))
        print(_row("always yes", prf(yes, gold)))
        counts = {kind: [0, 0] for kind in sorted({r["kind"] for r in rows})}
        for flagged, row in zip(pred_check, rows, strict=True):
            counts[row["kind"]][0] += int(flagged)
            counts[row["kind"]][1] += 1
        per_kind = ", ".join(f"{kind} {hit}/{total}" for kind, (hit, total) in counts.items())
        print(f"flagged by the check, per kind: {per_kind}")


def held_out_other(models: Models) -> None:
    """Japanese and English questions never trained on: flags are false alarms
    (English also with the cross-lingual classifier, which it does not use)."""
    check = ToxicityCheck(models=models)
    rows = [r for r in map(json.loads, KO_HELDOUT.open(encoding="utf-8"))
            if r["language"] in ("ja", "en")]  # fmt: skip
    for lang in ("ja", "en"):
        texts = [r["text"] for r in rows if r["language"] == lang]
        flagged = [t for t in texts if _flagged(check.scores(t))]
        xl = sum(_flagged(models.crosslingual.scores(t)) for t in texts)
        print(f"\n{lang} ordinary questions never trained on ({KO_HELDOUT.name}): "
              f"{len(flagged)}/{len(texts)} flagged by the check; cross-lingual alone "
              f"{xl}/{len(texts)}")  # fmt: skip
        for text in flagged:
            print(f"  flagged: {text}")


def crosslingual_cost(models: Models) -> None:
    """What the cross-lingual classifier costs per Japanese sentence (median;
    the encoder already loaded, as after start-up with toxicity on)."""
    texts = [json.loads(line)["text"] for line in SETS["ja"].open(encoding="utf-8")]
    models.crosslingual.scores(texts[0])
    samples = []
    for text in texts:
        start = time.perf_counter()
        models.crosslingual.scores(text)
        samples.append(time.perf_counter() - start)
    print(f"\ncross-lingual classifier, per Japanese sentence: median "
          f"{statistics.median(samples) * 1e3:.2f} ms ({len(texts)} sentences)")  # fmt: skip


def crosslingual_korean(texts: list[str], y: npt.NDArray[np.int8]) -> None:
    """The cross-lingual classifier on Korean, nested 5-fold like the Korean model:
    what its labels are worth where labelled data exists."""
    from bench.train.train_toxicity import C_CROSSLINGUAL, benign, fit_rows, fold_numbers, predict
    from gwanmun.check.embeddings import embed

    ordinary = benign(("ko", "ja", "en"))
    x = embed(texts + ordinary)
    comments, extra = x[: len(texts)], x[len(texts) :]
    outer = fold_numbers(len(texts), seed=7)
    pred = np.zeros(y.shape, dtype=bool)
    for k in range(5):
        train = outer != k
        weights, bias, thresholds = fit_rows(
            np.vstack([comments[train], extra]), y[train], len(ordinary), C_CROSSLINGUAL
        )
        pred[~train] = predict(comments[~train], weights, bias) >= thresholds
    print("\ncross-lingual classifier (sentence embeddings) on the Korean comments, nested 5-fold:")
    print("| label | P / R / F1 | always yes F1 |\n|---|---|---|")
    for j, label in enumerate(LABELS):
        gold = y[:, j].astype(bool)
        print(_row(label, prf(pred[:, j], gold)) + f" {prf(np.ones_like(gold), gold)[2]:.3f} |")


def main() -> None:
    from bench.train.train_toxicity import benign, load

    texts, y = load()
    cross_validate(texts, y, benign())
    models = load_models()
    held_out_korean(models)
    self_written(models)
    held_out_other(models)
    crosslingual_cost(models)
    crosslingual_korean(texts, y)


if __name__ == "__main__":
    main()
