"""API keys, stored hashed in SQLite.

A key looks like ``gwk_<key id>_<secret>``. Only SHA-256 of the whole key is
stored: the secret is 32 random bytes, so a slow password hash would add
latency to every request without adding safety. The key id (not secret) lets
a lookup hit one row and lets audit records name the key without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gwanmun.errors import AuthenticationError, InvalidRequest, NotFound
from gwanmun.types import Principal, Role

_PREFIX = "gwk"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id      TEXT PRIMARY KEY,
    key_hash    TEXT NOT NULL,
    user        TEXT NOT NULL,
    grp         TEXT,
    role        TEXT NOT NULL,
    created_at  REAL NOT NULL,
    expires_at  REAL,
    revoked_at  REAL
)
"""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A stored key, without its secret."""

    key_id: str
    user: str
    group: str | None
    role: Role
    created_at: float
    expires_at: float | None
    revoked_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    """Creates, checks, lists and revokes API keys in ``data_dir/keys.db``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(
        self,
        user: str,
        *,
        group: str | None = None,
        role: Role = Role.USER,
        expires_in_days: float | None = None,
        now: float | None = None,
    ) -> tuple[str, KeyInfo]:
        """Create a key; returns ``(key, info)``. The key is shown once, never stored."""
        if not user.strip():
            raise InvalidRequest("a key needs a user name (--user)")
        created = time.time() if now is None else now
        expires = created + expires_in_days * 86400 if expires_in_days else None
        key_id = secrets.token_hex(6)
        key = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        with self._lock:
            self._db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (key_id, _hash(key), user, group, role.value, created, expires),
            )
        return key, KeyInfo(key_id, user, group, role, created, expires, None)

    def authenticate(self, key: str, *, now: float | None = None) -> Principal:
        """The principal behind ``key``; raises AuthenticationError if it is not valid."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != _PREFIX:
            raise AuthenticationError(
                "Invalid API key format. Keys look like 'gwk_…'; create one with "
                "`gwanmun keys create --user NAME`."
            )
        with self._lock:
            row = self._db.execute(
                "SELECT key_hash, user, grp, role, expires_at, revoked_at "
                "FROM api_keys WHERE key_id = ?",
                (parts[1],),
            ).fetchone()
        if row is None or not hmac.compare_digest(row[0], _hash(key)):
            raise AuthenticationError("Incorrect API key provided.")
        if row[5] is not None:
            raise AuthenticationError("This API key has been revoked.")
        current = time.time() if now is None else now
        if row[4] is not None and current >= row[4]:
            raise AuthenticationError("This API key has expired; ask for a new one.")
        return Principal(user=row[1], group=row[2], role=Role(row[3]), key_id=parts[1])

    def list(self) -> list[KeyInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key_id, user, grp, role, created_at, expires_at, revoked_at "
                "FROM api_keys ORDER BY created_at"
            ).fetchall()
        return [KeyInfo(r[0], r[1], r[2], Role(r[3]), r[4], r[5], r[6]) for r in rows]

    def revoke(self, key_id: str, *, now: float | None = None) -> None:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                (time.time() if now is None else now, key_id),
            )
        if cursor.rowcount == 0:
            raise NotFound(
                f"no active key with id {key_id!r}; `gwanmun keys list` shows the key ids"
            )
