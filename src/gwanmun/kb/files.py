"""Uploaded files waiting to be added to a knowledge base (``/v1/files``).

The OpenAI vector-store flow uploads a file first and attaches it to a store
in a second call, so the bytes must outlive the first request. They live in
``data_dir/files.db`` (0600), or in PostgreSQL with ``database_url`` (so a
file uploaded through one replica can be attached through another), belong
to the user who uploaded them, and are dropped as soon as the file is
indexed into a knowledge base: from then on the passages are the only copy,
and deleting the document deletes them. A file that was never attached is
kept until its owner deletes it or ``max_age_s`` passes (checked on every
upload), so raw documents do not pile up at rest.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from gwanmun.db import Database, Schema, open_database

_MIGRATIONS = (
    "CREATE TABLE files (id TEXT PRIMARY KEY, owner TEXT NOT NULL, filename TEXT NOT NULL,"
    " purpose TEXT NOT NULL, bytes INTEGER NOT NULL, created REAL NOT NULL, data BLOB)",
    "CREATE INDEX files_owner ON files (owner, created)",
)

# "gwanfile": the files' migration lock on PostgreSQL.
SCHEMA = Schema(
    name="files",
    sqlite=_MIGRATIONS,
    postgres=(
        "CREATE TABLE files (id TEXT PRIMARY KEY, owner TEXT NOT NULL, filename TEXT NOT NULL,"
        " purpose TEXT NOT NULL, bytes BIGINT NOT NULL, created DOUBLE PRECISION NOT NULL,"
        " data BYTEA)",
        "CREATE INDEX files_owner ON files (owner, created)",
    ),
    table="gwanmun_files_schema",
    lock=0x6777616E66696C65,
)


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: str
    owner: str
    filename: str
    purpose: str
    bytes: int
    created: float
    kept: bool  # False once indexed: the bytes are gone, the record stays

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": self.bytes,
            "created_at": int(self.created),
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
        }


class FileStore:
    """Files by owner, in one SQLite file or on PostgreSQL (``where``: a path, a
    checked connection string, or an open ``Database`` the caller closes)."""

    def __init__(self, where: Path | str | Database, *, max_age_s: float = 7 * 86400) -> None:
        self._owns = not hasattr(where, "transaction")
        self.db = open_database(where)
        self.max_age_s = max_age_s
        self.db.migrate(SCHEMA)

    def close(self) -> None:
        if self._owns:
            self.db.close()

    def put(self, owner: str, filename: str, purpose: str, data: bytes) -> StoredFile:
        now = time.time()
        file = StoredFile(
            id=f"file-{uuid.uuid4().hex[:24]}",
            owner=owner,
            filename=filename,
            purpose=purpose,
            bytes=len(data),
            created=now,
            kept=True,
        )
        with self.db.transaction() as tx:
            # Files never attached are not kept for ever.
            tx.run(
                "UPDATE files SET data = NULL WHERE data IS NOT NULL AND created < ?",
                (now - self.max_age_s,),
            )
            tx.run(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                (file.id, owner, filename, purpose, len(data), now, data),
            )
        return file

    def get(self, owner: str, file_id: str) -> StoredFile | None:
        row = self.db.one(
            "SELECT id, owner, filename, purpose, bytes, created, data IS NOT NULL"
            " FROM files WHERE id = ? AND owner = ?",
            (file_id, owner),
        )
        return _file(row) if row else None

    def data(self, owner: str, file_id: str) -> bytes | None:
        """The file's bytes, or None when they were dropped (indexed, or too old)."""
        row = self.db.one("SELECT data FROM files WHERE id = ? AND owner = ?", (file_id, owner))
        return bytes(row[0]) if row and row[0] is not None else None

    def listing(self, owner: str) -> list[StoredFile]:
        rows = self.db.all(
            "SELECT id, owner, filename, purpose, bytes, created, data IS NOT NULL"
            " FROM files WHERE owner = ? ORDER BY created DESC, id",
            (owner,),
        )
        return [_file(r) for r in rows]

    def drop_data(self, owner: str, file_id: str) -> None:
        self.db.run("UPDATE files SET data = NULL WHERE id = ? AND owner = ?", (file_id, owner))

    def delete(self, owner: str, file_id: str) -> bool:
        gone = self.db.run("DELETE FROM files WHERE id = ? AND owner = ?", (file_id, owner))
        return bool(gone)


def _file(row: tuple[object, ...]) -> StoredFile:
    return StoredFile(
        id=str(row[0]),
        owner=str(row[1]),
        filename=str(row[2]),
        purpose=str(row[3]),
        bytes=int(row[4]),  # type: ignore[call-overload]
        created=float(row[5]),  # type: ignore[arg-type]
        kept=bool(row[6]),
    )
