"""Uploaded files waiting to be added to a knowledge base (``/v1/files``).

The OpenAI vector-store flow uploads a file first and attaches it to a store
in a second call, so the bytes must outlive the first request. They live in
``data_dir/files.db`` (0600), belong to the user who uploaded them, and are
dropped as soon as the file is indexed into a knowledge base: from then on the
passages are the only copy, and deleting the document deletes them. A file
that was never attached is kept until its owner deletes it or ``max_age_s``
passes (checked on every upload), so raw documents do not pile up at rest.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from gwanmun.sqlite import connect, migrate

_MIGRATIONS = (
    "CREATE TABLE files (id TEXT PRIMARY KEY, owner TEXT NOT NULL, filename TEXT NOT NULL,"
    " purpose TEXT NOT NULL, bytes INTEGER NOT NULL, created REAL NOT NULL, data BLOB)",
    "CREATE INDEX files_owner ON files (owner, created)",
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
    """Files by owner, in one SQLite file."""

    def __init__(self, path: Path, *, max_age_s: float = 7 * 86400) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()
        self.max_age_s = max_age_s
        with self._lock:
            migrate(self._db, _MIGRATIONS)

    def close(self) -> None:
        self._db.close()

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
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            # Files never attached are not kept for ever.
            self._db.execute(
                "UPDATE files SET data = NULL WHERE data IS NOT NULL AND created < ?",
                (now - self.max_age_s,),
            )
            self._db.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                (file.id, owner, filename, purpose, len(data), now, data),
            )
            self._db.execute("COMMIT")
        return file

    def get(self, owner: str, file_id: str) -> StoredFile | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, owner, filename, purpose, bytes, created, data IS NOT NULL"
                " FROM files WHERE id = ? AND owner = ?",
                (file_id, owner),
            ).fetchone()
        return _file(row) if row else None

    def data(self, owner: str, file_id: str) -> bytes | None:
        """The file's bytes, or None when they were dropped (indexed, or too old)."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM files WHERE id = ? AND owner = ?", (file_id, owner)
            ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def listing(self, owner: str) -> list[StoredFile]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, owner, filename, purpose, bytes, created, data IS NOT NULL"
                " FROM files WHERE owner = ? ORDER BY created DESC, id",
                (owner,),
            ).fetchall()
        return [_file(r) for r in rows]

    def drop_data(self, owner: str, file_id: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE files SET data = NULL WHERE id = ? AND owner = ?", (file_id, owner)
            )

    def delete(self, owner: str, file_id: str) -> bool:
        with self._lock:
            gone = self._db.execute(
                "DELETE FROM files WHERE id = ? AND owner = ?", (file_id, owner)
            ).rowcount
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
