"""Ranking passages: BM25 over morphemes, cosine over sentence vectors, and
reciprocal rank fusion of the two. Pure: arrays in, rankings out.

Access control and grades are a boolean mask handed to ``rank``: passages a
caller may not read get no score at all *before* anything is ranked, so a
top-k is always k readable passages (never a top-k filtered afterwards, which
returns fewer, and leaks by timing and by count what was cut).

BM25 is a small numpy implementation rather than a library (rank-bm25, bm25s):
filtering inside the query needs the score of every passage, and the store
rebuilds an index whenever one document changes; posting lists with the BM25
weight precomputed do both in ~40 lines and give the standard Okapi scores.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

K1 = 1.2
B = 0.75
# Reciprocal rank fusion's constant (Cormack et al. 2009) and how deep each list goes.
RRF_K = 60
FUSE_DEPTH = 100
# The fusion the knowledge bases use, and BM25's share in a blend (docs/benchmarks.md).
FUSION = "blend"
LEXICAL_WEIGHT = 0.5

Floats = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


class LexicalIndex:
    """Okapi BM25 over term lists; ``scores`` gives every passage's score."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        norm: Floats = K1 * (1 - B + B * lengths / average)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, terms in enumerate(documents):
            for term, count in Counter(terms).items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(i)
                tfs.append(count)
        self._postings: dict[str, tuple[npt.NDArray[np.int32], Floats]] = {}
        for term, (docs, counts) in postings.items():
            idx = np.array(docs, dtype=np.int32)
            tf = np.array(counts, dtype=np.float32)
            # Lucene's idf: never negative, so a very common term still counts a little.
            idf = math.log(1 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            weight = idf * tf * (K1 + 1) / (tf + norm[idx])
            self._postings[term] = (idx, weight.astype(np.float32))

    def scores(self, query: Sequence[str]) -> Floats:
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query):
            hit = self._postings.get(term)
            if hit is not None:
                out[hit[0]] += hit[1]
        return out


def top(scores: Floats, allowed: Mask | None, k: int, *, positive: bool = False) -> list[int]:
    """Indexes of the ``k`` best scores among ``allowed`` (all when None), best first;
    ``positive``: only scores above zero (a BM25 score of 0 matched nothing)."""
    if scores.size == 0 or k <= 0:
        return []
    masked = scores.astype(np.float32, copy=True)
    if allowed is not None:
        masked[~allowed] = -np.inf
    if positive:
        masked[masked <= 0] = -np.inf
    candidates = int(np.count_nonzero(np.isfinite(masked)))
    k = min(k, candidates)
    if k == 0:
        return []
    part = np.argpartition(-masked, k - 1)[:k]
    return [int(i) for i in part[np.argsort(-masked[part], kind="stable")]]


def cosines(vectors: Floats, query: Floats) -> Floats:
    """Every row's dot product with ``query`` (cosines: both sides are unit vectors).

    numpy's own loop, not ``vectors @ query``: OpenBLAS splits a matrix-vector
    product over its threads, and its idle thread then spins for a while
    (~0.1 s) — through the next question's embedding, on the core the e5
    engine needs; on 2 shared cores that doubled a question's time at 20,000
    passages (docs/benchmarks.md). This loop is one thread and about as fast
    (1.6 vs 1.4 ms for 20,000 × 384); it rounds differently in the last bit
    (≤ 6e-8)."""
    scores: Floats = np.einsum("ij,j->i", vectors, query)
    return scores


@dataclass(frozen=True, slots=True)
class Ranked:
    """One retrieved passage: its row, fused score and ranks in each list (None: absent)."""

    row: int
    score: float
    lexical_rank: int | None
    dense_rank: int | None


def fuse(lexical: Sequence[int], dense: Sequence[int], k: int) -> list[Ranked]:
    """Reciprocal rank fusion of two rankings (rows, best first)."""
    ranks: dict[int, list[int | None]] = {}
    for r, row in enumerate(lexical):
        ranks.setdefault(row, [None, None])[0] = r + 1
    for r, row in enumerate(dense):
        ranks.setdefault(row, [None, None])[1] = r + 1
    fused = [
        Ranked(
            row=row,
            score=sum(1.0 / (RRF_K + x) for x in pair if x is not None),
            lexical_rank=pair[0],
            dense_rank=pair[1],
        )
        for row, pair in ranks.items()
    ]
    fused.sort(key=lambda p: (-p.score, p.row))
    return fused[:k]


def blend(
    lexical_scores: Floats,
    dense_scores: Floats,
    lexical: Sequence[int],
    dense: Sequence[int],
    k: int,
    weight: float,
) -> list[Ranked]:
    """Convex combination of min-max normalised scores over the union of both lists:
    ``weight`` × BM25 + (1 − ``weight``) × cosine. Unlike ranks, scores keep how
    far ahead a passage is, so a confident lexical match is not pulled down by a
    mediocre dense rank."""
    rows = list(dict.fromkeys([*lexical, *dense]))
    if not rows:
        return []
    idx = np.array(rows, dtype=np.int64)

    def norm(values: Floats) -> Floats:
        lo, hi = float(values.min()), float(values.max())
        return (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)

    lex = norm(lexical_scores[idx]) if lexical else np.zeros(len(rows), dtype=np.float32)
    den = norm(dense_scores[idx]) if dense else np.zeros(len(rows), dtype=np.float32)
    combined = weight * lex + (1 - weight) * den
    lex_rank = {row: r + 1 for r, row in enumerate(lexical)}
    dense_rank = {row: r + 1 for r, row in enumerate(dense)}
    order = np.argsort(-combined, kind="stable")[:k]
    return [
        Ranked(
            row=rows[i],
            score=float(combined[i]),
            lexical_rank=lex_rank.get(rows[i]),
            dense_rank=dense_rank.get(rows[i]),
        )
        for i in order
    ]


# Dense ranking done elsewhere (pgvector): given how many rows and the lexical
# candidates, the best rows by cosine among the allowed ones, and an array of
# every passage's score holding at least those rows' and the candidates' cosine.
Nearest = Callable[[int, Sequence[int]], tuple[list[int], Floats]]


def rank(
    lexical: LexicalIndex,
    vectors: Floats,
    query_terms: Sequence[str],
    query_vector: Floats,
    *,
    allowed: Mask | None,
    k: int,
    mode: str = "fused",
    fusion: str = FUSION,
    weight: float = LEXICAL_WEIGHT,
    nearest: Nearest | None = None,
) -> list[Ranked]:
    """The ``k`` best passages among ``allowed``: ``lexical``, ``dense`` or ``fused``
    (``fusion``: ``blend`` of scores, or ``rrf`` of ranks). ``nearest``: the dense
    list comes from there (the same filters applied inside it) instead of
    ``vectors``."""
    depth = max(k, FUSE_DEPTH)
    lex_scores = lexical.scores(query_terms) if mode != "dense" else np.zeros(0, np.float32)
    lex = top(lex_scores, allowed, depth, positive=True) if mode != "dense" else []
    dense: list[int]
    if mode == "lexical":
        dense, dense_scores = [], np.zeros(0, np.float32)
    elif nearest is not None:
        dense, dense_scores = nearest(depth, lex)
    elif len(vectors) > 0:
        dense_scores = cosines(vectors, query_vector)
        dense = top(dense_scores, allowed, depth)
    else:
        dense, dense_scores = [], np.zeros(0, np.float32)
    if mode == "fused" and fusion == "blend":
        return blend(lex_scores, dense_scores, lex, dense, k, weight)
    return fuse(lex, dense, k)
