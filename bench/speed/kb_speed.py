"""Knowledge-base speed: indexing, and question → passages at 20,000 passages,
on SQLite and on PostgreSQL, in one run.

    python bench/speed/kb_speed.py                         # 20,000 passages, both stores
    python bench/speed/kb_speed.py --passages 5000 --index 100

Method. **Indexing**: ``--index`` real passages (Korean and Japanese
development paragraphs from ``shared/eval``, one document each) go through
``KnowledgeBases.add`` — extraction, splitting, the input guard's grading,
morphemes and the e5 encoder on one thread — and passages/s is printed per
store. **Questions**: the store is then filled to ``--passages`` with the
same-language distractor sentences of ``eval_retrieval.py``, written straight
into the store with their morphemes and *random unit vectors* (embedding
20,000 passages with e5 on this machine takes most of an hour; how long a
ranking takes does not depend on the vectors' values, which
``eval_retrieval.py`` measures for quality). ``--questions`` questions from
the development sets are asked through ``KnowledgeBases.search`` — the
question's morphemes and e5 embedding, BM25 and cosine over every passage with
access and grades as a mask, the blend — and p50/p95 are printed, plus the
first question (which loads the index from the store). The PostgreSQL store
runs on a throw-away server on 127.0.0.1 (``devtools.postgres``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench.*, devtools.* as a script

from bench.quality.eval_retrieval import EVAL, distractors, load
from gwanmun.kb.analysis import terms
from gwanmun.kb.embedders import E5Embedder
from gwanmun.kb.service import KnowledgeBases
from gwanmun.kb.store import Document, KnowledgeStore, Passage, SQLiteKnowledgeStore
from gwanmun.services import default_input_guard
from gwanmun.settings import Settings
from gwanmun.types import Grade, Principal

OWNER = Principal("bench", group="민원과")


def fill(store: KnowledgeStore, kb_id: str, texts: list[str], dim: int, seed: int) -> None:
    """``texts`` as one document's passages with random unit vectors."""
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((len(texts), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    doc_id = f"doc-fill-{uuid.uuid4().hex[:8]}"
    name = f"distractors-{seed}.txt"
    passages = [
        Passage(
            id=f"{doc_id}-{i}",
            kb_id=kb_id,
            document_id=doc_id,
            document=name,
            seq=i,
            section=None,
            text=text,
            sha256=f"{i:064x}",
            grade=Grade.O,
            blocked=False,
            terms=tuple(terms(text)),
            vector=vectors[i],
            sent_grade=Grade.O,
        )
        for i, text in enumerate(texts)
    ]
    document = Document(doc_id, kb_id, name, "0" * 64, Grade.O, len(texts), 0.0)
    store.put_document(document, passages)


def run(store: KnowledgeStore, name: str, args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), embedded={"enabled": False})
    service = KnowledgeBases(store, default_input_guard(settings), E5Embedder(threads=1))
    service.scanner.warm_up()
    kb_id = f"bench-{name}"
    service.create(kb_id, OWNER)
    docs = [d for lang in ("ko", "ja") for d in load(EVAL / f"{lang}_retrieval.dev.docs.jsonl")]
    random.Random(args.seed).shuffle(docs)
    service.embedder.passages(["워밍업"])  # load the encoder outside the timing
    started = time.perf_counter()
    indexed = 0
    for d in docs[: args.index]:
        added = service.add(kb_id, f"{d['id']}.txt", d["text"].encode("utf-8"), OWNER)
        indexed += added.document.passages
    index_per_s = indexed / (time.perf_counter() - started)
    rest = max(0, args.passages - indexed)
    half = rest // 2
    fill(store, kb_id, distractors("ko", half), service.embedder.dim, 1)
    fill(store, kb_id, distractors("ja", rest - half), service.embedder.dim, 2)
    questions = [
        q["text"]
        for lang in ("ko", "ja")
        for q in load(EVAL / f"{lang}_retrieval.dev.queries.jsonl")
    ]
    random.Random(args.seed).shuffle(questions)
    first = time.perf_counter()
    service.search([kb_id], questions[0], OWNER, k=10)
    cold_ms = (time.perf_counter() - first) * 1000
    timings = []
    for question in questions[1 : args.questions + 1]:
        t = time.perf_counter()
        service.search([kb_id], question, OWNER, k=10)
        timings.append((time.perf_counter() - t) * 1000)
    total = sum(d.passages for d in store.documents(kb_id))
    return {
        "store": name,
        "passages": total,
        "index_per_s": index_per_s,
        "indexed": indexed,
        "cold_ms": cold_ms,
        "p50_ms": statistics.median(timings),
        "p95_ms": float(np.percentile(timings, 95)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--index", type=int, default=60, help="documents indexed for real")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args()
    rows = []
    for name in args.stores.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                store = SQLiteKnowledgeStore(Path(tmp) / "knowledge.db")
                rows.append(run(store, name, args))
                store.close()
        elif name == "postgres":
            from devtools.postgres import PostgresServer
            from gwanmun.kb.postgres import PostgresKnowledgeStore

            server = PostgresServer()
            try:
                store = PostgresKnowledgeStore(server.create_database("kb_speed"))
                rows.append(run(store, name, args))
                store.close()
            finally:
                server.stop()
        print(json.dumps(rows[-1]), flush=True)
    print()
    print(
        "| store | passages | indexing passages/s (e5, 1 thread) | first question ms"
        " | p50 ms | p95 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['store']} | {r['passages']:,} | {r['index_per_s']:.1f} ({r['indexed']}) | "
            f"{r['cold_ms']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
        )


if __name__ == "__main__":
    main()
