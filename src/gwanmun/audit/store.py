"""The audit store: hash-chained records in SQLite (WAL), one per request.

``SQLiteAuditStore`` is an ``AuditSink``: the gateway awaits ``record`` before
a response completes, and an error there fails the request (fail closed). Each
record is chained to the one before and keyed with the HMAC secret
(``gwanmun.audit.chain``), so ``gwanmun audit verify`` names the first record
that was edited, deleted or reordered.

Appends read the head inside a write transaction, so a CLI command (an
administrative action) can append while the gateway runs; several gateway
processes sharing one chain under load use the PostgreSQL store (``gwanmun.audit.postgres``), which
implements the same ``AuditStore`` interface.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import anyio

from gwanmun.audit import Recordable
from gwanmun.audit.chain import ChainedRecord, Verification, canonical, link, verify
from gwanmun.errors import ConfigError
from gwanmun.private import private_dir, tighten_if_exists
from gwanmun.sqlite import migrate, private_state

_SCHEMA = (
    # Migrations, in order; the index of the last applied one is PRAGMA user_version.
    """CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        hash TEXT NOT NULL,
        mac TEXT NOT NULL
    )""",
)


def load_or_create_key(path: Path) -> bytes:
    """The HMAC key in ``path`` (64 hex digits), created with mode 0600 if missing."""
    try:
        text = path.read_text(encoding="ascii").strip()
        tighten_if_exists(path)  # a key an older version left readable by others
    except FileNotFoundError:
        private_dir(path.parent, tighten_existing=False)
        text = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text + "\n")
    except OSError as exc:
        raise ConfigError(f"cannot read the audit key {path}: {exc.strerror}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(f"the audit key {path} is not hexadecimal") from None
    if len(key) < 32:
        raise ConfigError(f"the audit key {path} is shorter than 32 bytes")
    return key


class AuditStore(Protocol):
    """What the gateway, the CLI and the API need from a hash-chained audit store."""

    def append(self, body: dict[str, Any]) -> ChainedRecord: ...

    async def record(self, event: Recordable) -> None: ...

    def records(
        self, *, since: float | None = None, user: str | None = None
    ) -> Iterator[ChainedRecord]: ...

    def verify(self, *, expect_head: tuple[int, str] | None = None) -> Verification: ...

    def close(self) -> None: ...


class ChainStoreBase:
    """What both stores share: the async sink and verification over ``records``."""

    _key: bytes

    def append(self, body: dict[str, Any]) -> ChainedRecord:
        raise NotImplementedError

    def records(
        self, *, since: float | None = None, user: str | None = None
    ) -> Iterator[ChainedRecord]:
        raise NotImplementedError

    async def record(self, event: Recordable) -> None:
        await anyio.to_thread.run_sync(self.append, event.as_dict())

    def verify(self, *, expect_head: tuple[int, str] | None = None) -> Verification:
        return verify(self.records(), self._key, expect_head=expect_head)


def matches(record: ChainedRecord, since: float | None, user: str | None) -> bool:
    if since is not None and float(record.body.get("time", 0)) < since:
        return False
    return user is None or record.body.get("user") == user


class SQLiteAuditStore(ChainStoreBase):
    def __init__(self, path: Path, key: bytes) -> None:
        self.path = Path(path)
        private_state(self.path)
        self._key = key
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        # WAL with synchronous=NORMAL: a committed record survives the gateway being
        # killed (it is in the OS's hands); an OS crash or power cut may lose the last
        # few. FULL would fsync every record; its cost is issue 5's audit benchmark.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        migrate(self._db, _SCHEMA)

    def _last(self) -> ChainedRecord | None:
        row = self._db.execute(
            "SELECT seq, prev_hash, body, hash, mac FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else row_record(row)

    def append(self, body: dict[str, Any]) -> ChainedRecord:
        with self._lock:
            # The head is read under the write lock: another process (a CLI
            # command recording an admin action) may have appended since.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                record = link(self._key, body, previous=self._last())
                self._db.execute(
                    "INSERT INTO audit (seq, prev_hash, body, hash, mac) VALUES (?, ?, ?, ?, ?)",
                    (
                        record.seq,
                        record.prev_hash,
                        canonical(body).decode("utf-8"),
                        record.hash,
                        record.mac,
                    ),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return record

    def records(
        self, *, since: float | None = None, user: str | None = None
    ) -> Iterator[ChainedRecord]:
        # A cursor of its own: reading never blocks the writer (WAL).
        reader = sqlite3.connect(self.path, check_same_thread=False)
        try:
            for row in reader.execute(
                "SELECT seq, prev_hash, body, hash, mac FROM audit ORDER BY seq"
            ):
                record = row_record(row)
                if matches(record, since, user):
                    yield record
        finally:
            reader.close()

    async def record(self, event: Recordable) -> None:
        # One WAL append without fsync takes tens of microseconds: cheaper here than
        # the hop to a worker thread. (PostgreSQL, a network round trip, hops.)
        self.append(event.as_dict())

    def close(self) -> None:
        with self._lock:
            self._db.close()


def row_record(row: tuple[Any, ...]) -> ChainedRecord:
    seq, prev_hash, body, digest, mac = row
    return ChainedRecord(int(seq), str(prev_hash), json.loads(body), str(digest), str(mac))
