"""Knowledge bases on PostgreSQL, for several gateway processes on one database.

The same ``KnowledgeStore`` protocol as the SQLite default, so access and
grade filters, generations and deletion behave identically. Vectors are
float32 bytes beside their passage, as in SQLite: retrieval ranks in memory
(``kb/index.py``) with access and grades as a mask inside the ranking, which
at tens of thousands of passages is a few milliseconds of numpy; pgvector
(an approximate index in the database) would only pay off far beyond that,
and Debian 12 does not package it. Every replica keys its in-memory index by
each base's ``generation``, which every change bumps in the same transaction,
so a document added or deleted through one replica is never served stale by
another.

Migrations are numbered like the audit store's, in their own table
(``gwanmun_kb_schema``) under an advisory lock, so replicas starting together
apply them once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

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
from gwanmun.pgsql import migrate, open_pool
from gwanmun.types import Grade

# "gwankb\0\0": this store's migration lock, apart from the audit store's.
_MIGRATION_LOCK = 0x6777616E6B620000

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
)


class PostgresKnowledgeStore:
    """``KnowledgeStore`` on the PostgreSQL database named by a libpq URL."""

    def __init__(self, dsn: str, *, pool_size: int = 4) -> None:
        self._pool = open_pool(dsn, what="the PostgreSQL knowledge store", pool_size=pool_size)
        migrate(
            self._pool,
            schema_table="gwanmun_kb_schema",
            lock=_MIGRATION_LOCK,
            migrations=MIGRATIONS,
        )

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
                    cursor.executemany(
                        "INSERT INTO kb_passages (id, kb_id, document_id, seq, section, text,"
                        " sha256, grade, blocked, terms, vector, page, page_end, sent_grade)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        [passage_values(p) for p in passages],
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
