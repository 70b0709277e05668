"""Questions at N passages in a process of their own, for ``kb_speed.py --old``.

    python bench/speed/kb_question_worker.py --src SRC [--store sqlite|postgres --dsn URL]

``SRC`` is the ``src`` directory of the Gwanmun to measure, put first on
``sys.path`` before anything of Gwanmun is imported (as in
``kb_index_worker.py``). The worker builds the same base as ``kb_speed.py``
does in process (``--index`` development documents indexed for real, filled to
``--passages`` with distractors and seeded random unit vectors), prints one JSON
line ``{"ready": ...}``, then answers questions read one JSON string a line on
stdin: for each, the time ``KnowledgeBases.search`` took and its top 10 as
(document name, passage number), which do not depend on the random ids a
document gets, so an older and a newer process can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True)
    parser.add_argument("--store", default="sqlite", help="sqlite, postgres or pgvector")
    parser.add_argument("--dsn", default=None, help="PostgreSQL database")
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--index", type=int, default=60)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    sys.path.insert(1, str(Path(__file__).resolve().parents[2]))  # bench.*

    from bench.quality.eval_retrieval import EVAL, distractors, load
    from bench.speed.kb_speed import OWNER, fill
    from gwanmun.kb import service as kb_service
    from gwanmun.kb.embedders import E5Embedder
    from gwanmun.kb.store import SQLiteKnowledgeStore
    from gwanmun.services import default_input_guard
    from gwanmun.settings import Settings

    assert Path(kb_service.__file__).is_relative_to(args.src.resolve()), kb_service.__file__
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=tmp, embedded={"enabled": False})
    store: Any
    if args.store in ("postgres", "pgvector"):
        from gwanmun.kb.postgres import PostgresKnowledgeStore

        store = PostgresKnowledgeStore(args.dsn, dim=E5Embedder.dim)
        assert store.ranks_vectors is (args.store == "pgvector"), args.store
    else:
        store = SQLiteKnowledgeStore(tmp / "knowledge.db")
    service = kb_service.KnowledgeBases(store, default_input_guard(settings), E5Embedder())
    service.scanner.warm_up()
    kb_id = "bench"
    service.create(kb_id, OWNER)
    docs = [d for lang in ("ko", "ja") for d in load(EVAL / f"{lang}_retrieval.dev.docs.jsonl")]
    random.Random(args.seed).shuffle(docs)
    uploads = [
        kb_service.Upload(f"{d['id']}.txt", d["text"].encode("utf-8")) for d in docs[: args.index]
    ]
    indexed = sum(a.document.passages for a in service.add_many(kb_id, uploads, OWNER))
    rest = max(0, args.passages - indexed)
    fill(store, kb_id, distractors("ko", rest // 2), service.embedder.dim, 1)
    fill(store, kb_id, distractors("ja", rest - rest // 2), service.embedder.dim, 2)
    total = sum(d.passages for d in store.documents(kb_id))
    print(json.dumps({"ready": str(args.src), "passages": total}), flush=True)
    for line in sys.stdin:
        question = json.loads(line)
        started = time.perf_counter()
        found = service.search([kb_id], question, OWNER, k=10)
        ms = (time.perf_counter() - started) * 1000
        top = [[h.passage.document, h.passage.seq] for h in found]
        print(json.dumps({"ms": ms, "top": top, "load": os.getloadavg()[0]}), flush=True)
    store.close()


if __name__ == "__main__":
    main()
