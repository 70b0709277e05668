"""Retrieval for Korean and Japanese: lexical (BM25 over morphemes) vs dense vs fused.

    python bench/quality/eval_retrieval.py [--embedders use,e5] [--distractors 20000]

Method. The development sets in ``shared/eval`` (see its README): Japanese JSQuAD
(1,145 Wikipedia paragraphs, 4,442 questions; a passage is indexed as its title
and text) and Korean KLUE-NLI (1,000 premises, 1,000 entailed hypotheses; the
premises of contradicted and neutral hypotheses stay in as near misses). For
each set: recall@1/@5/@10 (a gold passage among the first k) and MRR@10, for
``lexical`` (gwanmun.kb.analysis terms + gwanmun.kb.index BM25), ``dense`` (each
embedder: cosine) and ``fused`` (reciprocal rank fusion of the two top-100
lists, k=60) — exactly the functions the knowledge bases run. Then the same
with distractor passages added: same-language sentences nobody asks about (for
Korean the KLUE-NER and BEEP! comment sentences, for Japanese the Wikipedia NER
sentences), topped up to the requested count with pairs of those sentences
joined (fixed seed) — same language, same genre, so harder than noise.
Vectors are cached on disk by embedder and text hash (``--cache``), so a
second run measures ranking only. Speed (indexing passages/s including
embeddings, question → top 10 p50 including the question's embedding) is
printed too; on a shared machine it is only indicative.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gwanmun.kb.analysis import terms
from gwanmun.kb.embedders import Embedder, embedder
from gwanmun.kb.index import LexicalIndex, rank

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
SETS = ("ko", "ja")
KS = (1, 5, 10)
# Dense alone, then the fusions compared; the last is what the knowledge bases run.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("dense", {"mode": "dense"}),
    ("fused rrf", {"mode": "fused", "fusion": "rrf"}),
    ("fused blend 0.7", {"mode": "fused", "fusion": "blend", "weight": 0.7}),
    ("fused blend 0.5", {"mode": "fused", "fusion": "blend", "weight": 0.5}),
]


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def passages(lang: str) -> tuple[list[str], list[str]]:
    docs = load(EVAL / f"{lang}_retrieval.dev.docs.jsonl")
    texts = [f"{d['title']}\n{d['text']}" if d.get("title") else d["text"] for d in docs]
    return [d["id"] for d in docs], texts


def distractors(lang: str, count: int, seed: int = 0) -> list[str]:
    if count <= 0:
        return []
    sentences = [r["text"] for r in load(EVAL / f"{lang}_ner.dev.jsonl")]
    if lang == "ko":
        sentences += [r["text"] for r in load(EVAL / "ko_toxic.dev.jsonl")]
    sentences = list(dict.fromkeys(s.strip() for s in sentences if s.strip()))
    rng = random.Random(seed)
    out = sentences[:count]
    while len(out) < count:
        a, b = rng.sample(sentences, 2)
        out.append(f"{a} {b}")
    return out


def vectors(model: Embedder, texts: Sequence[str], cache: Path, *, query: bool) -> np.ndarray:
    digest = hashlib.sha256(("\x00".join(texts) + str(query)).encode()).hexdigest()[:20]
    path = cache / f"{model.id}-{digest}.npy"
    if path.exists():
        return np.load(path)
    out = model.queries(texts) if query else model.passages(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def score(ranked: list[list[int]], gold: list[set[int]]) -> dict[str, float]:
    n = len(gold)
    pairs = list(zip(ranked, gold, strict=True))
    out = {f"R@{k}": sum(bool(set(r[:k]) & g) for r, g in pairs) / n for k in KS}
    mrr = 0.0
    for r, g in zip(ranked, gold, strict=True):
        for i, row in enumerate(r[:10]):
            if row in g:
                mrr += 1 / (i + 1)
                break
    out["MRR@10"] = mrr / n
    return out


def evaluate(lang: str, extra: int, models: list[Embedder], cache: Path) -> list[dict[str, Any]]:
    ids, texts = passages(lang)
    texts = texts + distractors(lang, extra)
    queries = load(EVAL / f"{lang}_retrieval.dev.queries.jsonl")
    row = {pid: i for i, pid in enumerate(ids)}
    gold = [{row[g] for g in q["gold"] if g in row} for q in queries]
    started = time.perf_counter()
    lexical = LexicalIndex([terms(t) for t in texts])
    lex_index_s = time.perf_counter() - started
    q_terms = [terms(q["text"]) for q in queries]
    results = []
    empty = np.zeros((len(texts), 1), dtype=np.float32)
    lex = [
        [
            p.row
            for p in rank(
                lexical, empty, t, np.zeros(1, np.float32), allowed=None, k=10, mode="lexical"
            )
        ]
        for t in q_terms
    ]
    results.append(
        {"set": lang, "passages": len(texts), "method": "lexical (BM25)", **score(lex, gold)}
    )
    for model in models:
        started = time.perf_counter()
        matrix = vectors(model, texts, cache, query=False)
        embed_s = time.perf_counter() - started
        qv = vectors(model, [q["text"] for q in queries], cache, query=True)
        for label, options in VARIANTS:
            ranked = [
                [p.row for p in rank(lexical, matrix, t, v, allowed=None, k=10, **options)]
                for t, v in zip(q_terms, qv, strict=True)
            ]
            results.append(
                {
                    "set": lang,
                    "passages": len(texts),
                    "method": f"{label} ({model.id})",
                    **score(ranked, gold),
                }
            )
        # Speed: a sample of questions end to end (analysis, embedding, ranking).
        latencies = []
        for q in queries[:200]:
            t0 = time.perf_counter()
            v = model.queries([q["text"]])[0]
            rank(lexical, matrix, terms(q["text"]), v, allowed=None, k=10)
            latencies.append((time.perf_counter() - t0) * 1000)
        results[-1]["p50_ms"] = round(statistics.median(latencies), 1)
        results[-1]["index_per_s"] = round(len(texts) / (lex_index_s + embed_s), 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedders", default="use,e5")
    parser.add_argument("--distractors", type=int, default=20_000)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/gwanmun-retrieval-cache"))
    args = parser.parse_args()
    models = [embedder(name) for name in args.embedders.split(",") if name]
    header = "| set | passages | method | R@1 | R@5 | R@10 | MRR@10 |"
    print(header)
    print("|---|---:|---|---:|---:|---:|---:|")
    for lang in args.sets.split(","):
        for extra in dict.fromkeys((0, args.distractors)):
            for r in evaluate(lang, extra, models, args.cache):
                speed = ""
                if "p50_ms" in r:
                    speed = f" (p50 {r['p50_ms']} ms, index {r['index_per_s']}/s)"
                print(
                    f"| {r['set']} | {r['passages']:,} | {r['method']}{speed} | {r['R@1']:.3f} | "
                    f"{r['R@5']:.3f} | {r['R@10']:.3f} | {r['MRR@10']:.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
