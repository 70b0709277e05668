"""Knowledge-base speed: indexing, and question → passages at 20,000 passages,
on SQLite and on PostgreSQL, in one run.

    python bench/speed/kb_speed.py                         # 20,000 passages, both stores
    python bench/speed/kb_speed.py --old /tmp/old-e1edd71  # old vs this code
    python bench/speed/kb_speed.py --passages 5000 --index 100

Method. **Indexing**: ``--index`` real passages (Korean and Japanese
development paragraphs from ``shared/eval``, one document each) go through the
knowledge-base service — extraction, splitting, the input guard's grading,
morphemes, the e5 encoder with the code's default threads, the store writes —
in a fresh process per measurement (``kb_index_worker.py``), with this
checkout's code and, with ``--old``, an older checkout's, alternating for
``--rounds`` rounds; passages/s is printed for each with the load average
around it, and the ratio new/old per round (the machine is shared: only the
ratio within a round means much); ``--threads 1,2`` measures each code with
the encoder on 1 and on 2 threads, and prints that ratio too. ``embed/s`` is
the e5 engine alone on the same passages in the same process, the ceiling for
indexing. **Questions**:
the store is then filled to ``--passages`` with the
same-language distractor sentences of ``eval_retrieval.py``, written straight
into the store with their morphemes and *random unit vectors* (embedding
20,000 passages with e5 on this machine takes most of an hour; how long a
ranking takes does not depend on the vectors' values, which
``eval_retrieval.py`` measures for quality). ``--questions`` questions from
the development sets are asked through ``KnowledgeBases.search`` — the
question's morphemes and e5 embedding, BM25 and cosine over every passage with
access and grades as a mask, the blend — and p50/p95 are printed, plus the
first question (which loads the index from the store). With ``--old``, this
code and the older one each build the same base in a process of their own
(``kb_question_worker.py``) and are asked the same questions in alternating
blocks of ten, a pause between blocks; their top 10 (document, passage
number) are compared. The PostgreSQL store runs on a throw-away server on
127.0.0.1 (``devtools.postgres``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
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
from gwanmun.kb.service import KnowledgeBases, Upload
from gwanmun.kb.store import Document, KnowledgeStore, Passage, SQLiteKnowledgeStore
from gwanmun.services import default_input_guard
from gwanmun.settings import Settings
from gwanmun.types import Grade, Principal

OWNER = Principal("bench", group="민원과")
ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("kb_index_worker.py")
QUESTION_WORKER = Path(__file__).with_name("kb_question_worker.py")
# With --old: questions asked of one process at a time, this many in a row, then
# the other's turn after a pause (an idle BLAS thread spins ~0.1 s after a
# matrix product: the pause keeps one process's spinning out of the other's turn).
BLOCK = 10
PAUSE_S = 0.3


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


def run(store: KnowledgeStore, name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), embedded={"enabled": False})
    service = KnowledgeBases(store, default_input_guard(settings), E5Embedder())
    service.scanner.warm_up()
    kb_id = f"bench-{name}"
    service.create(kb_id, OWNER)
    docs = [d for lang in ("ko", "ja") for d in load(EVAL / f"{lang}_retrieval.dev.docs.jsonl")]
    random.Random(args.seed).shuffle(docs)
    uploads = [Upload(f"{d['id']}.txt", d["text"].encode("utf-8")) for d in docs[: args.index]]
    indexed = sum(
        added.document.passages
        for added in service.add_many(kb_id, uploads, OWNER)
        if not isinstance(added, Exception)
    )
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
    asked = questions[1 : args.questions + 1]
    services = {name: service}
    if store.ranks_vectors:
        # The same store and index, vectors ranked in memory: the comparison.
        services[f"{name}, in memory"] = KnowledgeBases(
            InMemoryRanking(store), service.scanner, service.embedder
        )
    rows = []
    timings: dict[str, list[float]] = {label: [] for label in services}
    hits: dict[str, list[list[str]]] = {label: [] for label in services}
    cold: dict[str, float] = {}
    for label, each in services.items():
        first = time.perf_counter()
        each.search([kb_id], questions[0], OWNER, k=10)
        cold[label] = (time.perf_counter() - first) * 1000
    order = list(services.items())
    for n, question in enumerate(asked):
        # Alternating which goes first, so neither always meets a warmer cache.
        for label, each in order if n % 2 else order[::-1]:
            t = time.perf_counter()
            found = each.search([kb_id], question, OWNER, k=10)
            timings[label].append((time.perf_counter() - t) * 1000)
            hits[label].append([h.passage.id for h in found])
    total = sum(d.passages for d in store.documents(kb_id))
    for label in services:
        agreement = [
            len(set(mine) & set(theirs)) / max(1, len(theirs))
            for mine, theirs in zip(hits[label], hits[list(services)[-1]], strict=True)
        ]
        rows.append(
            {
                "store": label,
                "passages": total,
                "cold_ms": cold[label],
                "p50_ms": statistics.median(timings[label]),
                "p95_ms": float(np.percentile(timings[label], 95)),
                "same_top10": statistics.mean(agreement),
                "load": os.getloadavg()[0],
            }
        )
    return rows


class InMemoryRanking:
    """A store as it is, except that it says it ranks no vectors, so the service
    ranks them in memory: pgvector's comparison on the very same rows."""

    def __init__(self, store: KnowledgeStore) -> None:
        self._store = store

    ranks_vectors = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def index_once(
    src: Path, store: str, args: argparse.Namespace, dsn: str | None, threads: int
) -> dict[str, Any]:
    """One indexing measurement of the code under ``src``, in a fresh process."""
    command = [sys.executable, str(WORKER), "--src", str(src), "--documents", str(args.index)]
    command += ["--threads", str(threads)]
    command += ["--seed", str(args.seed), "--store", store] + (["--dsn", dsn] if dsn else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{src}: indexing worker failed:\n{done.stderr[-3000:]}")
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def indexing(args: argparse.Namespace) -> None:
    """Old and new code alternating, a fresh process each, per store and round."""
    threads = [int(t) for t in args.threads.split(",")]
    sources = [("new", ROOT / "src")] + ([("old", args.old / "src")] if args.old else [])
    variants = [(label, src, t) for label, src in sources for t in threads]
    print("| store | round | code | passages | passages/s | e5 alone/s | threads | load |")
    print("|---|---:|---|---:|---:|---:|---:|---|")
    ratios: dict[str, list[float]] = {}
    servers: dict[str, Any] = {}
    try:
        for store in args.stores.split(","):
            for number in range(1, args.rounds + 1):
                rows = {}
                # The old code has no pgvector: there the new code alone.
                measured = [v for v in variants if store != "pgvector" or v[0] == "new"]
                for label, src, count in measured if number % 2 else measured[::-1]:
                    dsn = None
                    if store in ("postgres", "pgvector"):
                        if store not in servers:
                            from devtools.postgres import PostgresServer, pgvector_bindir

                            bindir = pgvector_bindir() if store == "pgvector" else None
                            servers[store] = PostgresServer(bindir)
                        dsn = servers[store].create_database(f"kb_index_{label}_{number}_{count}")
                    r = rows[label, count] = index_once(src, store, args, dsn, count)
                    print(
                        f"| {store} | {number} | {label} | {r['passages']} | {r['per_s']:.1f} | "
                        f"{r['embed_per_s']:.1f} | {r['threads']} | "
                        f"{r['load'][0]} → {r['load'][1]} |",
                        flush=True,
                    )
                for count in threads:
                    if ("old", count) in rows:
                        new, old = rows["new", count]["per_s"], rows["old", count]["per_s"]
                        ratios.setdefault(f"{store}: new/old", []).append(new / old)
                for count in threads[1:]:
                    more, first = rows["new", count]["per_s"], rows["new", threads[0]]["per_s"]
                    key = f"{store}: {count} threads/{threads[0]}"
                    ratios.setdefault(key, []).append(more / first)
    finally:
        for server in servers.values():
            server.stop()
    for what, values in ratios.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        median = statistics.median(values)
        print(f"\n{what} indexing speed per round {shown}; median {median:.2f}")
    print()


def ask(worker: subprocess.Popen[str], question: str) -> dict[str, Any]:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps(question, ensure_ascii=False) + "\n")
    worker.stdin.flush()
    answer: dict[str, Any] = json.loads(worker.stdout.readline())
    return answer


def questions_vs_old(args: argparse.Namespace) -> None:
    """This code and ``--old``'s, each in a process of its own with the same base,
    asked the same questions in alternating blocks of ``BLOCK``; their top 10
    compared (document and passage number)."""
    sources = [("new", ROOT / "src"), ("old", args.old / "src")]
    questions = [
        q["text"]
        for lang in ("ko", "ja")
        for q in load(EVAL / f"{lang}_retrieval.dev.queries.jsonl")
    ]
    random.Random(args.seed).shuffle(questions)
    asked = questions[1 : args.questions + 1]
    header = "| store | code | passages | first question ms | p50 ms | p95 ms | top 10 as old |"
    print(header + " load |\n|---|---|---:|---:|---:|---:|---:|---|")
    for store in args.stores.split(","):
        server = None
        workers: dict[str, subprocess.Popen[str]] = {}
        try:
            if store in ("postgres", "pgvector"):
                from devtools.postgres import PostgresServer, pgvector_bindir

                server = PostgresServer(pgvector_bindir() if store == "pgvector" else None)
            ready = {}
            for label, src in sources:  # one at a time: building a base embeds for real
                command = [sys.executable, str(QUESTION_WORKER), "--src", str(src)]
                command += ["--store", store, "--passages", str(args.passages)]
                command += ["--index", str(args.index), "--seed", str(args.seed)]
                if server is not None:
                    command += ["--dsn", server.create_database(f"kb_questions_{label}")]
                workers[label] = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
                assert workers[label].stdout is not None
                ready[label] = json.loads(workers[label].stdout.readline())
            cold = {label: ask(w, questions[0])["ms"] for label, w in workers.items()}
            answers: dict[str, list[dict[str, Any]]] = {label: [] for label in workers}
            loads = [os.getloadavg()[0]]
            for n, start in enumerate(range(0, len(asked), BLOCK)):
                for label in ("new", "old") if n % 2 else ("old", "new"):
                    time.sleep(PAUSE_S)
                    answers[label] += [ask(workers[label], q) for q in asked[start : start + BLOCK]]
                    loads.append(os.getloadavg()[0])
            same = statistics.mean(
                float(a["top"] == b["top"])
                for a, b in zip(answers["new"], answers["old"], strict=True)
            )
            for label in ("new", "old"):
                ms = [a["ms"] for a in answers[label]]
                print(
                    f"| {store} | {label} | {ready[label]['passages']:,} | {cold[label]:.0f} | "
                    f"{statistics.median(ms):.1f} | {float(np.percentile(ms, 95)):.1f} | "
                    f"{same if label == 'new' else 1.0:.3f} | "
                    f"{min(loads):.1f}–{max(loads):.1f} |",
                    flush=True,
                )
        finally:
            for worker in workers.values():
                if worker.stdin is not None:
                    worker.stdin.close()
                worker.wait(timeout=120)
            if server is not None:
                server.stop()
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--index", type=int, default=60, help="documents indexed for real")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--stores", default="sqlite,postgres,pgvector")
    parser.add_argument("--old", type=Path, help="older checkout to compare with")
    parser.add_argument("--rounds", type=int, default=2, help="indexing rounds (old and new each)")
    parser.add_argument("--skip", default="", help="'indexing' or 'questions': leave that part out")
    parser.add_argument(
        "--threads", default="0", help="indexing: encoder threads, e.g. 1,2 (0: the code's)"
    )
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start\n")
    if "indexing" not in args.skip:
        indexing(args)
    if "questions" in args.skip:
        return
    if args.old:
        questions_vs_old(args)
        return
    rows = []
    printed = 0
    for name in args.stores.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                store = SQLiteKnowledgeStore(Path(tmp) / "knowledge.db")
                rows += run(store, name, args)
                store.close()
        elif name in ("postgres", "pgvector"):
            from devtools.postgres import PostgresServer, pgvector_bindir
            from gwanmun.kb.postgres import PostgresKnowledgeStore

            server = PostgresServer(pgvector_bindir() if name == "pgvector" else None)
            try:
                url = server.create_database("kb_speed")
                store = PostgresKnowledgeStore(url, dim=E5Embedder.dim)
                assert store.ranks_vectors is (name == "pgvector"), name
                rows += run(store, name, args)
                store.close()
            finally:
                server.stop()
        for row in rows[printed:]:
            print(json.dumps(row), flush=True)
        printed = len(rows)
    print()
    print("| store | passages | first question ms | p50 ms | p95 ms | top 10 as in memory | load |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['store']} | {r['passages']:,} | {r['cold_ms']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['same_top10']:.3f} | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
