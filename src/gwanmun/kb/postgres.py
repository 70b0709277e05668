"""Knowledge bases on PostgreSQL, for several gateway processes on one database.

The same ``KnowledgeStore`` protocol as the SQLite default, so access and
grade filters, generations and deletion behave identically. Vectors are
float32 bytes beside their passage, as in SQLite. Every replica keys its
in-memory index by each base's ``generation``, which every change bumps in the
same transaction, so a document added or deleted through one replica is never
served stale by another.

**pgvector.** When the server has the ``vector`` extension (and the store is
told the encoder's dimension), each passage's vector is also kept in a
``vector`` column under an HNSW index (cosine), and ``nearest`` ranks the dense
candidates in the database with access, grade and "not blocked" as conditions
of the same query — never a top-k filtered afterwards. A filtered HNSW scan
can stop short of k rows (the graph's nearest neighbours were filtered out),
so the scan is iterative (pgvector 0.8's ``hnsw.iterative_scan``, strict
order) and, if it still returns fewer than k, the query is re-run exactly
(the filtered rows found through the btree index, sorted by distance).
Without the extension (Debian 12 packages none; Debian 13 has
``postgresql-17-pgvector``), the store says so in the log at start and
retrieval ranks vectors in memory as on SQLite. The column is added outside
the numbered migrations because it depends on the server, under its own
advisory lock; rows written before it existed are filled in then.

Vectors go to PostgreSQL as text (``'[0.1,…]'::vector``) through plain psycopg
rather than the ``pgvector`` Python package: the store only writes vectors and
sends one query vector per question (it never reads the column back), so a
dependency for binary adapters would save little.

Migrations are numbered like the audit store's, in their own table
(``gwanmun_kb_schema``) under an advisory lock, so replicas starting together
apply them once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import psycopg

from gwanmun.kb.store import (
    PASSAGE_COLUMNS,
    Document,
    KnowledgeBase,
    Known,
    Passage,
    document_values,
    known_from_row,
    passage_from_row,
    passage_values,
)
from gwanmun.pgsql import first_line, migrate, open_pool
from gwanmun.types import Grade

# "gwankb\0\0": this store's migration lock, apart from the audit store's;
# "gwankb\0\1": adding the pgvector column.
_MIGRATION_LOCK = 0x6777616E6B620000
_VECTOR_LOCK = 0x6777616E6B620001
# HNSW candidates examined per question (pgvector's ef_search) for each row asked.
_EF_PER_ROW = 2
_EF_MAX = 1000  # pgvector's upper bound
_BACKFILL_BATCH = 500

log = logging.getLogger("gwanmun.kb")

MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE kb_bases (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT, readers TEXT NOT NULL,
        generation BIGINT NOT NULL DEFAULT 0, created DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE kb_documents (
        id TEXT PRIMARY KEY, kb_id TEXT NOT NULL REFERENCES kb_bases (id) ON DELETE CASCADE,
        name TEXT NOT NULL, sha256 TEXT NOT NULL, grade TEXT NOT NULL,
        passages INTEGER NOT NULL, added DOUBLE PRECISION NOT NULL, UNIQUE (kb_id, name)
    )""",
    """CREATE TABLE kb_passages (
        id TEXT PRIMARY KEY, kb_id TEXT NOT NULL,
        document_id TEXT NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, section TEXT, text TEXT NOT NULL, sha256 TEXT NOT NULL,
        grade TEXT NOT NULL, sent_grade TEXT, blocked BOOLEAN NOT NULL, terms TEXT NOT NULL,
        vector BYTEA NOT NULL, page INTEGER, page_end INTEGER
    )""",
    "CREATE INDEX kb_passages_kb ON kb_passages (kb_id, document_id, seq)",
    "CREATE INDEX kb_passages_text ON kb_passages (kb_id, sha256)",
    # The grade a passage is sent at, as a column of its own: the planner has
    # statistics for a column, not for COALESCE(sent_grade, grade), which it
    # guessed 1.5% selective, and then sorted every row instead of using HNSW.
    "ALTER TABLE kb_passages ADD COLUMN send_grade TEXT",
    "UPDATE kb_passages SET send_grade = COALESCE(sent_grade, grade)",
)


class PostgresKnowledgeStore:
    """``KnowledgeStore`` on the PostgreSQL database named by a libpq URL."""

    def __init__(self, dsn: str, *, pool_size: int = 4, dim: int | None = None) -> None:
        """``dim``: the encoder's dimension; given, vectors are ranked in the database
        when the server has pgvector (``ranks_vectors``)."""
        self._pool = open_pool(dsn, what="the PostgreSQL knowledge store", pool_size=pool_size)
        migrate(
            self._pool,
            schema_table="gwanmun_kb_schema",
            lock=_MIGRATION_LOCK,
            migrations=MIGRATIONS,
        )
        self.vector_dim = self._enable_pgvector(dim) if dim else None

    @property
    def ranks_vectors(self) -> bool:
        """True when ``nearest`` ranks vectors in the database (pgvector)."""
        return self.vector_dim is not None

    def _enable_pgvector(self, dim: int) -> int | None:
        """The ``vector`` column and its HNSW index, if the server can have them."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_VECTOR_LOCK,))
            version = conn.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
            ).fetchone()
            if version is None:
                log.warning(
                    "knowledge bases: this PostgreSQL server has no pgvector extension "
                    "(Debian: postgresql-NN-pgvector); ranking vectors in memory instead"
                )
                return None
            try:
                with conn.transaction():
                    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except psycopg.Error as exc:
                log.warning(
                    "knowledge bases: cannot enable pgvector (%s; a superuser can run "
                    "CREATE EXTENSION vector once); ranking vectors in memory instead",
                    first_line(exc),
                )
                return None
            row = conn.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = 'kb_passages'::regclass AND attname = 'embedding'"
                " AND NOT attisdropped"
            ).fetchone()
            if row is None:
                conn.execute(f"ALTER TABLE kb_passages ADD COLUMN embedding vector({int(dim)})")
                conn.execute(
                    "CREATE INDEX kb_passages_embedding ON kb_passages"
                    " USING hnsw (embedding vector_cosine_ops)"
                )
            elif row[0] != f"vector({int(dim)})":
                log.warning(
                    "knowledge bases: the pgvector column is %s but the encoder gives "
                    "vector(%d); ranking vectors in memory instead",
                    row[0],
                    dim,
                )
                return None
            filled = _backfill(conn)
        log.info(
            "knowledge bases: pgvector %s; dense candidates ranked in PostgreSQL "
            "(HNSW, cosine; %d older passages filled in)",
            version[0],
            filled,
        )
        return dim

    def close(self) -> None:
        self._pool.close()

    def _one(self, query: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._pool.connection() as conn:
            row: tuple[Any, ...] | None = conn.execute(query, args).fetchone()
        return row

    def _all(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as conn:
            return list(conn.execute(query, args).fetchall())

    # --- bases -------------------------------------------------------------------

    def create(self, kb: KnowledgeBase) -> None:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO kb_bases (id, name, owner, readers, created)"
                " VALUES (%s, %s, %s, %s, %s)",
                (kb.id, kb.name, kb.owner, json.dumps(list(kb.readers)), kb.created or time.time()),
            )

    def get(self, kb_id: str) -> KnowledgeBase | None:
        row = self._one(
            "SELECT id, name, owner, readers, generation, created FROM kb_bases WHERE id = %s",
            (kb_id,),
        )
        return _kb(row) if row else None

    def bases(self) -> list[KnowledgeBase]:
        rows = self._all(
            "SELECT id, name, owner, readers, generation, created FROM kb_bases ORDER BY id"
        )
        return [_kb(r) for r in rows]

    def drop(self, kb_id: str) -> None:
        with self._pool.connection() as conn, conn.transaction():
            # Passages and documents go with their base (ON DELETE CASCADE).
            conn.execute("DELETE FROM kb_bases WHERE id = %s", (kb_id,))

    # --- documents -------------------------------------------------------------------

    def document(self, kb_id: str, name: str) -> Document | None:
        row = self._one(
            "SELECT id, kb_id, name, sha256, grade, passages, added FROM kb_documents"
            " WHERE kb_id = %s AND name = %s",
            (kb_id, name),
        )
        return _document(row) if row else None

    def documents(self, kb_id: str) -> list[Document]:
        rows = self._all(
            "SELECT id, kb_id, name, sha256, grade, passages, added FROM kb_documents"
            " WHERE kb_id = %s ORDER BY name",
            (kb_id,),
        )
        return [_document(r) for r in rows]

    def put_document(self, document: Document, passages: Sequence[Passage]) -> None:
        """Replace the document of that name (and only it) in one transaction."""
        self.put_documents([(document, passages)])

    def put_documents(self, items: Sequence[tuple[Document, Sequence[Passage]]]) -> None:
        """Replace each document of those names (and only them), all in one transaction."""
        with self._pool.connection() as conn, conn.transaction():
            # The bases' rows, locked in a fixed order: two replicas adding to one
            # base take turns, and never deadlock.
            for kb_id in sorted({document.kb_id for document, _ in items}):
                conn.execute("SELECT 1 FROM kb_bases WHERE id = %s FOR UPDATE", (kb_id,))
            with conn.cursor() as cursor:
                for document, passages in items:
                    cursor.execute(
                        "DELETE FROM kb_documents WHERE kb_id = %s AND name = %s",
                        (document.kb_id, document.name),
                    )
                    cursor.execute(
                        "INSERT INTO kb_documents VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        document_values(document),
                    )
                    if self.vector_dim is None:
                        cursor.executemany(
                            "INSERT INTO kb_passages (id, kb_id, document_id, seq, section, text,"
                            " sha256, grade, blocked, terms, vector, page, page_end, sent_grade,"
                            " send_grade) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                            " %s, %s, %s)",
                            [(*passage_values(p), p.send_grade.value) for p in passages],
                        )
                        continue
                    cursor.executemany(
                        "INSERT INTO kb_passages (id, kb_id, document_id, seq, section, text,"
                        " sha256, grade, blocked, terms, vector, page, page_end, sent_grade,"
                        " send_grade, embedding) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                        " %s, %s, %s, %s, %s, %s::vector)",
                        [
                            (*passage_values(p), p.send_grade.value, vector_text(p.vector))
                            for p in passages
                        ],
                    )
            for kb_id in sorted({document.kb_id for document, _ in items}):
                _bump(conn, kb_id)

    def known_passages(self, kb_id: str, sha256s: Sequence[str]) -> dict[str, Known]:
        if not sha256s:
            return {}
        rows = self._all(
            "SELECT sha256, terms, vector FROM kb_passages WHERE kb_id = %s AND sha256 = ANY(%s)",
            (kb_id, list(sha256s)),
        )
        return {r[0]: known_from_row(r[1], r[2]) for r in rows}

    def remove_document(self, kb_id: str, document_id: str) -> bool:
        with self._pool.connection() as conn, conn.transaction():
            gone = conn.execute(
                "DELETE FROM kb_documents WHERE kb_id = %s AND id = %s", (kb_id, document_id)
            ).rowcount
            _bump(conn, kb_id)
        return bool(gone)

    def nearest(
        self,
        kb_ids: Sequence[str],
        grades: Sequence[Grade],
        vector: np.ndarray,
        k: int,
        also: Sequence[str] = (),
    ) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """The ``k`` passages closest to ``vector`` (cosine similarity, best first)
        among those of ``kb_ids``, sent at one of ``grades`` and not blocked —
        the conditions are in the query, so k readable passages come back whenever
        k exist — and the similarity of the passages ``also`` names (the lexical
        candidates a blend scores too)."""
        if self.vector_dim is None:
            raise RuntimeError("nearest() needs pgvector (ranks_vectors is False)")
        if not kb_ids or not grades or k <= 0:
            return [], {}
        query = vector_text(vector)
        where = "p.kb_id = ANY(%(kbs)s) AND p.send_grade = ANY(%(grades)s) AND NOT p.blocked"
        args = {"q": query, "kbs": list(kb_ids), "grades": [g.value for g in grades], "k": k}
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET LOCAL hnsw.iterative_scan = strict_order")
            conn.execute(f"SET LOCAL hnsw.ef_search = {min(_EF_MAX, max(40, _EF_PER_ROW * k))}")
            found = conn.execute(
                f"SELECT p.id, p.embedding <=> %(q)s::vector AS d FROM kb_passages p"
                f" WHERE {where} ORDER BY d LIMIT %(k)s",
                args,
            ).fetchall()
            if len(found) < k:
                # Fewer than k: either fewer exist, or the filtered scan gave up.
                # Exact: "+ 0" keeps the HNSW index out of the ordering, so the
                # filtered rows are found through the btree and all sorted.
                found = conn.execute(
                    f"SELECT p.id, (p.embedding <=> %(q)s::vector) + 0 AS d FROM kb_passages p"
                    f" WHERE {where} ORDER BY d LIMIT %(k)s",
                    args,
                ).fetchall()
            extra: dict[str, float] = {}
            if also:
                rows = conn.execute(
                    "SELECT id, embedding <=> %s::vector FROM kb_passages WHERE id = ANY(%s)",
                    (query, list(also)),
                ).fetchall()
                extra = {r[0]: 1.0 - float(r[1]) for r in rows}
        return [(r[0], 1.0 - float(r[1])) for r in found], extra

    # --- passages --------------------------------------------------------------------

    def passages(self, kb_ids: Sequence[str]) -> list[Passage]:
        if not kb_ids:
            return []
        rows = self._all(
            f"SELECT {PASSAGE_COLUMNS} FROM kb_passages p"
            " JOIN kb_documents d ON d.id = p.document_id"
            " WHERE p.kb_id = ANY(%s) ORDER BY p.kb_id, d.name, p.seq",
            (list(kb_ids),),
        )
        return [passage_from_row(r) for r in rows]

    def passage(self, kb_id: str, passage_id: str) -> Passage | None:
        row = self._one(
            f"SELECT {PASSAGE_COLUMNS} FROM kb_passages p"
            " JOIN kb_documents d ON d.id = p.document_id WHERE p.kb_id = %s AND p.id = %s",
            (kb_id, passage_id),
        )
        return passage_from_row(row) if row else None


def vector_text(vector: np.ndarray) -> str:
    """A vector in pgvector's text form; 9 significant digits give a float32 back exactly."""
    return "[" + ",".join(f"{x:.9g}" for x in np.asarray(vector, dtype=np.float32).tolist()) + "]"


def _backfill(conn: Any) -> int:
    """Copy the float32 bytes of passages written without the column into it."""
    filled = 0
    while True:
        rows = conn.execute(
            "SELECT id, vector FROM kb_passages WHERE embedding IS NULL LIMIT %s",
            (_BACKFILL_BATCH,),
        ).fetchall()
        if not rows:
            return filled
        with conn.cursor() as cursor:
            cursor.executemany(
                "UPDATE kb_passages SET embedding = %s::vector WHERE id = %s",
                [(vector_text(np.frombuffer(bytes(r[1]), dtype=np.float32)), r[0]) for r in rows],
            )
        filled += len(rows)


def _bump(conn: Any, kb_id: str) -> None:
    conn.execute("UPDATE kb_bases SET generation = generation + 1 WHERE id = %s", (kb_id,))


def _kb(row: tuple[Any, ...]) -> KnowledgeBase:
    return KnowledgeBase(
        id=row[0],
        name=row[1],
        owner=row[2],
        readers=tuple(json.loads(row[3])),
        generation=int(row[4]),
        created=float(row[5]),
    )


def _document(row: tuple[Any, ...]) -> Document:
    return Document(
        id=row[0],
        kb_id=row[1],
        name=row[2],
        sha256=row[3],
        grade=Grade(row[4]),
        passages=int(row[5]),
        added=float(row[6]),
    )
