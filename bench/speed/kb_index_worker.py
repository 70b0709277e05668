"""One indexing measurement in a fresh process, for ``kb_speed.py``.

    python bench/speed/kb_index_worker.py --src SRC --documents 60 [--store sqlite|postgres]

``SRC`` is the ``src`` directory of the Gwanmun to measure (this checkout's,
or an older one's, e.g. ``git worktree add /tmp/old-e1edd71 e1edd71``): it is
put first on ``sys.path`` before anything of Gwanmun is imported, so the old
and the new code run the same documents in processes of the same shape. Prints
one JSON line. The code as it ships is measured: its own default encoder
threads (or ``--threads``), and ``add_many`` in batches of ``--batch`` documents where the code
has it (else one ``add`` per document). Also measured, on the same texts and in
the same process: the e5 engine alone (``embed_per_s``), the ceiling indexing
could reach if nothing but embedding took time.
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

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


def documents(count: int, seed: int) -> list[dict[str, Any]]:
    docs = []
    for lang in ("ko", "ja"):
        with (EVAL / f"{lang}_retrieval.dev.docs.jsonl").open(encoding="utf-8") as fh:
            docs += [json.loads(line) for line in fh]
    random.Random(seed).shuffle(docs)
    return docs[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True)
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--store", default="sqlite", help="sqlite, postgres or pgvector")
    parser.add_argument("--dsn", default=None, help="PostgreSQL database (--store postgres)")
    parser.add_argument("--threads", type=int, default=0, help="encoder threads; 0: the code's")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))

    from gwanmun.kb import embedders
    from gwanmun.kb import service as kb_service
    from gwanmun.kb.store import SQLiteKnowledgeStore
    from gwanmun.services import default_input_guard
    from gwanmun.settings import Settings
    from gwanmun.types import Principal

    assert Path(kb_service.__file__).is_relative_to(args.src.resolve()), kb_service.__file__
    owner = Principal("bench", group="민원과")
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=tmp, embedded={"enabled": False})
    encoder = embedders.E5Embedder(args.threads) if args.threads else embedders.E5Embedder()
    if args.store == "postgres":
        from gwanmun.kb.postgres import PostgresKnowledgeStore

        store: Any = PostgresKnowledgeStore(args.dsn)
    elif args.store == "pgvector":  # this code only: vectors also into the HNSW index
        from gwanmun.kb.postgres import PostgresKnowledgeStore

        store = PostgresKnowledgeStore(args.dsn, dim=encoder.dim)
        assert store.ranks_vectors
    else:
        store = SQLiteKnowledgeStore(tmp / "knowledge.db")
    service = kb_service.KnowledgeBases(store, default_input_guard(settings), encoder)
    service.scanner.warm_up()
    kb_id = f"bench-{os.getpid()}"
    service.create(kb_id, owner)
    docs = documents(args.documents, args.seed)
    encoder.passages(["워밍업"])  # load the encoder and the analysers outside the timing
    service.search([kb_id], "워밍업 東京", owner)
    batched = hasattr(service, "add_many")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    indexed = 0
    if batched:
        for start in range(0, len(docs), args.batch):
            uploads = [
                kb_service.Upload(f"{d['id']}.txt", d["text"].encode("utf-8"))
                for d in docs[start : start + args.batch]
            ]
            for added in service.add_many(kb_id, uploads, owner):
                assert not isinstance(added, Exception), added
                indexed += added.document.passages
    else:
        for d in docs:
            added = service.add(kb_id, f"{d['id']}.txt", d["text"].encode("utf-8"), owner)
            indexed += added.document.passages
    seconds = time.perf_counter() - started
    texts = [p.text for p in store.passages([kb_id])]
    engine_started = time.perf_counter()
    for start in range(0, len(texts), 32):
        encoder.passages(texts[start : start + 32])
    engine_s = time.perf_counter() - engine_started
    store.close()
    threads = encoder.threads if hasattr(encoder, "threads") else encoder._threads
    print(
        json.dumps(
            {
                "src": str(args.src),
                "store": args.store,
                "passages": indexed,
                "per_s": indexed / seconds,
                "embed_per_s": len(texts) / engine_s,
                "threads": threads,
                "add_many": batched,
                "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
