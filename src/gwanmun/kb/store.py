"""Where knowledge bases live: a small protocol, and SQLite behind it.

``KnowledgeStore`` is the seam: the embedded default is ``SQLiteKnowledgeStore``
(``data_dir/knowledge.db``, vectors as float32 BLOBs beside their passage, so a
deleted passage takes its vector with it in the same statement). PostgreSQL
with pgvector is meant to come in behind the same protocol for several gateway
replicas (not built yet). Each knowledge base has a ``generation`` bumped by
every change; in-memory indexes are keyed by it, so a changed or deleted
document is never served from a stale copy.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gwanmun.sqlite import connect, migrate
from gwanmun.types import Grade

EVERYONE = "*"  # in ``readers``: every group of the institution
# What ``passage_from_row`` reads, in order (``d`` is the passage's document).
PASSAGE_COLUMNS = (
    "p.id, p.kb_id, p.document_id, d.name, p.seq, p.section, p.text, p.sha256, p.grade,"
    " p.blocked, p.terms, p.vector, p.page, p.page_end, p.sent_grade"
)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Owned by a group (or the institution when ``owner`` is None); read by
    ``readers`` (groups, or ``*`` for everyone) and by its owner group."""

    id: str
    name: str
    owner: str | None
    readers: tuple[str, ...]
    generation: int = 0
    created: float = 0.0

    def readable_by(self, group: str | None) -> bool:
        if EVERYONE in self.readers:
            return True
        return group is not None and (group == self.owner or group in self.readers)

    def as_dict(self) -> dict[str, object]:
        readers = list(self.readers)
        return {"id": self.id, "name": self.name, "owner": self.owner, "readers": readers}


@dataclass(frozen=True, slots=True)
class Passage:
    """One indexed piece of a document, with its ingest grade and vector."""

    id: str
    kb_id: str
    document_id: str
    document: str  # the document's name
    seq: int
    section: str | None
    text: str
    sha256: str
    grade: Grade
    blocked: bool  # the policy blocks something in it: never sent to a model
    terms: tuple[str, ...]
    vector: np.ndarray
    page: int | None = None  # pages spanned (1-based), for documents that have pages
    page_end: int | None = None
    # The grade once the policy's masks are applied (a phone masked, a marking not):
    # what a backend must be allowed to receive for this passage to be sent.
    sent_grade: Grade | None = None

    @property
    def send_grade(self) -> Grade:
        return self.sent_grade or self.grade


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    kb_id: str
    name: str
    sha256: str
    grade: Grade
    passages: int
    added: float

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kb_id": self.kb_id,
            "name": self.name,
            "sha256": self.sha256,
            "grade": self.grade.value,
            "passages": self.passages,
            "added": self.added,
        }


# A passage text's morphemes and vector, by the text's sha256: what re-indexing
# the same text would compute again.
Known = tuple[tuple[str, ...], np.ndarray]


class KnowledgeStore(Protocol):
    # True: ``nearest`` ranks vectors in the store (PostgreSQL with pgvector);
    # False: the service ranks them in memory.
    @property
    def ranks_vectors(self) -> bool: ...
    def nearest(
        self,
        kb_ids: Sequence[str],
        grades: Sequence[Grade],
        vector: np.ndarray,
        k: int,
        also: Sequence[str] = (),
    ) -> tuple[list[tuple[str, float]], dict[str, float]]: ...
    def create(self, kb: KnowledgeBase) -> None: ...
    def get(self, kb_id: str) -> KnowledgeBase | None: ...
    def bases(self) -> list[KnowledgeBase]: ...
    def drop(self, kb_id: str) -> None: ...
    def document(self, kb_id: str, name: str) -> Document | None: ...
    def documents(self, kb_id: str) -> list[Document]: ...
    def put_document(self, document: Document, passages: Sequence[Passage]) -> None: ...
    def put_documents(self, items: Sequence[tuple[Document, Sequence[Passage]]]) -> None: ...
    def known_passages(self, kb_id: str, sha256s: Sequence[str]) -> dict[str, Known]: ...
    def remove_document(self, kb_id: str, document_id: str) -> bool: ...
    def passages(self, kb_ids: Sequence[str]) -> list[Passage]: ...
    def passage(self, kb_id: str, passage_id: str) -> Passage | None: ...
    def close(self) -> None: ...


# One statement each (``sqlite.migrate`` runs them in order, once).
_MIGRATIONS = (
    "CREATE TABLE kbs (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT,"
    " readers TEXT NOT NULL, generation INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)",
    "CREATE TABLE documents (id TEXT PRIMARY KEY, kb_id TEXT NOT NULL, name TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, grade TEXT NOT NULL, passages INTEGER NOT NULL,"
    " added REAL NOT NULL, UNIQUE (kb_id, name))",
    "CREATE TABLE passages (id TEXT PRIMARY KEY, kb_id TEXT NOT NULL,"
    " document_id TEXT NOT NULL, seq INTEGER NOT NULL, section TEXT, text TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, grade TEXT NOT NULL, blocked INTEGER NOT NULL,"
    " terms TEXT NOT NULL, vector BLOB NOT NULL)",
    "CREATE INDEX passages_kb ON passages (kb_id, document_id, seq)",
    "ALTER TABLE passages ADD COLUMN page INTEGER",
    "ALTER TABLE passages ADD COLUMN page_end INTEGER",
    "ALTER TABLE passages ADD COLUMN sent_grade TEXT",
    "CREATE INDEX passages_text ON passages (kb_id, sha256)",
)
# SQLite's default limit on ``?`` in one statement is 32,766; stay far below.
_IN_CHUNK = 500


class SQLiteKnowledgeStore:
    """Knowledge bases, documents and passages (with vectors) in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()
        with self._lock:
            migrate(self._db, _MIGRATIONS)

    def close(self) -> None:
        self._db.close()

    @property
    def ranks_vectors(self) -> bool:
        return False  # a SQLite file has no vector index: the service ranks in memory

    def nearest(
        self,
        kb_ids: Sequence[str],
        grades: Sequence[Grade],
        vector: np.ndarray,
        k: int,
        also: Sequence[str] = (),
    ) -> tuple[list[tuple[str, float]], dict[str, float]]:
        raise NotImplementedError("SQLite ranks no vectors; check ranks_vectors first")

    def create(self, kb: KnowledgeBase) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO kbs (id, name, owner, readers, created) VALUES (?, ?, ?, ?, ?)",
                (kb.id, kb.name, kb.owner, json.dumps(list(kb.readers)), kb.created or time.time()),
            )

    def get(self, kb_id: str) -> KnowledgeBase | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, owner, readers, generation, created FROM kbs WHERE id = ?",
                (kb_id,),
            ).fetchone()
        return _kb(row) if row else None

    def bases(self) -> list[KnowledgeBase]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, name, owner, readers, generation, created FROM kbs ORDER BY id"
            ).fetchall()
        return [_kb(r) for r in rows]

    def drop(self, kb_id: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM passages WHERE kb_id = ?", (kb_id,))
            self._db.execute("DELETE FROM documents WHERE kb_id = ?", (kb_id,))
            self._db.execute("DELETE FROM kbs WHERE id = ?", (kb_id,))
            self._db.execute("COMMIT")

    def document(self, kb_id: str, name: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, kb_id, name, sha256, grade, passages, added FROM documents "
                "WHERE kb_id = ? AND name = ?",
                (kb_id, name),
            ).fetchone()
        return _document(row) if row else None

    def documents(self, kb_id: str) -> list[Document]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kb_id, name, sha256, grade, passages, added FROM documents "
                "WHERE kb_id = ? ORDER BY name",
                (kb_id,),
            ).fetchall()
        return [_document(r) for r in rows]

    def put_document(self, document: Document, passages: Sequence[Passage]) -> None:
        """Replace the document of that name (and only it) in one transaction."""
        self.put_documents([(document, passages)])

    def put_documents(self, items: Sequence[tuple[Document, Sequence[Passage]]]) -> None:
        """Replace each document of those names (and only them), all in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for document, passages in items:
                    old = self._db.execute(
                        "SELECT id FROM documents WHERE kb_id = ? AND name = ?",
                        (document.kb_id, document.name),
                    ).fetchone()
                    if old:
                        self._db.execute("DELETE FROM passages WHERE document_id = ?", (old[0],))
                        self._db.execute("DELETE FROM documents WHERE id = ?", (old[0],))
                    self._db.execute(
                        "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                        document_values(document),
                    )
                    self._db.executemany(
                        "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [passage_values(p) for p in passages],
                    )
                for kb_id in dict.fromkeys(document.kb_id for document, _ in items):
                    self._bump(kb_id)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def known_passages(self, kb_id: str, sha256s: Sequence[str]) -> dict[str, Known]:
        found: dict[str, Known] = {}
        with self._lock:
            for start in range(0, len(sha256s), _IN_CHUNK):
                chunk = tuple(sha256s[start : start + _IN_CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT sha256, terms, vector FROM passages"
                    f" WHERE kb_id = ? AND sha256 IN ({marks})",
                    (kb_id, *chunk),
                ).fetchall()
                found.update((r[0], known_from_row(r[1], r[2])) for r in rows)
        return found

    def remove_document(self, kb_id: str, document_id: str) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "DELETE FROM passages WHERE kb_id = ? AND document_id = ?", (kb_id, document_id)
            )
            gone = self._db.execute(
                "DELETE FROM documents WHERE kb_id = ? AND id = ?", (kb_id, document_id)
            ).rowcount
            self._bump(kb_id)
            self._db.execute("COMMIT")
        return bool(gone)

    def passages(self, kb_ids: Sequence[str]) -> list[Passage]:
        if not kb_ids:
            return []
        marks = ",".join("?" * len(kb_ids))
        return self._select(f"p.kb_id IN ({marks}) ORDER BY p.kb_id, d.name, p.seq", tuple(kb_ids))

    def passage(self, kb_id: str, passage_id: str) -> Passage | None:
        found = self._select("p.kb_id = ? AND p.id = ?", (kb_id, passage_id))
        return found[0] if found else None

    def _select(self, where: str, args: tuple[object, ...]) -> list[Passage]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {PASSAGE_COLUMNS} FROM passages p"
                " JOIN documents d ON d.id = p.document_id WHERE " + where,
                args,
            ).fetchall()
        return [passage_from_row(r) for r in rows]

    def _bump(self, kb_id: str) -> None:
        self._db.execute("UPDATE kbs SET generation = generation + 1 WHERE id = ?", (kb_id,))


def document_values(d: Document) -> tuple[Any, ...]:
    """A document as the values of one row, in the tables' column order."""
    return (d.id, d.kb_id, d.name, d.sha256, d.grade.value, d.passages, d.added)


def passage_values(p: Passage) -> tuple[Any, ...]:
    """A passage as the values of one row, in the SQLite table's column order
    (PostgreSQL names the same columns in this order)."""
    return (
        p.id,
        p.kb_id,
        p.document_id,
        p.seq,
        p.section,
        p.text,
        p.sha256,
        p.grade.value,
        p.blocked,
        json.dumps(list(p.terms), ensure_ascii=False),
        np.asarray(p.vector, dtype=np.float32).tobytes(),
        p.page,
        p.page_end,
        p.sent_grade.value if p.sent_grade else None,
    )


def passage_from_row(r: Sequence[Any]) -> Passage:
    """A ``Passage`` from a row of ``PASSAGE_COLUMNS`` (SQLite or PostgreSQL)."""
    return Passage(
        id=r[0],
        kb_id=r[1],
        document_id=r[2],
        document=r[3],
        seq=r[4],
        section=r[5],
        text=r[6],
        sha256=r[7],
        grade=Grade(r[8]),
        blocked=bool(r[9]),
        terms=tuple(json.loads(r[10])),
        vector=np.frombuffer(bytes(r[11]), dtype=np.float32),
        page=r[12],
        page_end=r[13],
        sent_grade=Grade(r[14]) if r[14] else None,
    )


def known_from_row(terms: str, vector: bytes) -> Known:
    """A passage's stored morphemes (JSON) and vector (float32 bytes), decoded."""
    return tuple(json.loads(terms)), np.frombuffer(bytes(vector), dtype=np.float32)


def _kb(row: tuple[object, ...]) -> KnowledgeBase:
    return KnowledgeBase(
        id=str(row[0]),
        name=str(row[1]),
        owner=None if row[2] is None else str(row[2]),
        readers=tuple(json.loads(str(row[3]))),
        generation=int(row[4]),  # type: ignore[call-overload]
        created=float(row[5]),  # type: ignore[arg-type]
    )


def _document(row: tuple[object, ...]) -> Document:
    return Document(
        id=str(row[0]),
        kb_id=str(row[1]),
        name=str(row[2]),
        sha256=str(row[3]),
        grade=Grade(str(row[4])),
        passages=int(row[5]),  # type: ignore[call-overload]
        added=float(row[6]),  # type: ignore[arg-type]
    )
