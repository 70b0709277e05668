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

Both stores also keep the journal of streams in flight
(``gwanmun.audit.journal``): a row when a stream starts delivering, removed in
the transaction that appends the stream's record.
"""

from __future__ import annotations

import fcntl
import json
import logging
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
from gwanmun.audit.journal import OpenStream, interrupted_record
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
    # Streams in flight (gwanmun.audit.journal); ``owner`` is the writing process.
    """CREATE TABLE open_streams (
        request_id TEXT PRIMARY KEY,
        owner INTEGER NOT NULL,
        started REAL NOT NULL,
        body TEXT NOT NULL
    )""",
)

log = logging.getLogger("gwanmun.audit")


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

    def append(self, body: dict[str, Any], *, closes: str | None = None) -> ChainedRecord: ...

    async def record(self, event: Recordable) -> None: ...

    async def open_stream(self, entry: OpenStream) -> None: ...

    def open_streams(self) -> list[OpenStream]: ...

    def close_interrupted(self, *, now: float) -> list[ChainedRecord]: ...

    def records(
        self, *, since: float | None = None, user: str | None = None
    ) -> Iterator[ChainedRecord]: ...

    def verify(self, *, expect_head: tuple[int, str] | None = None) -> Verification: ...

    def close(self) -> None: ...


class ChainStoreBase:
    """What both stores share: the async sink, the stream journal's rules and
    verification over ``records``. A store supplies ``_append`` (one
    transaction: remove the journal row ``closes``, append ``body``), the journal
    rows, and whether a row's writer still runs."""

    _key: bytes

    def _append(
        self, body: dict[str, Any], closes: str | None, *, only_if_open: bool
    ) -> ChainedRecord | None:
        """Append ``body``, removing journal row ``closes`` in the same transaction.
        With ``only_if_open``, append nothing (None) when that row is already gone:
        another process closed it first."""
        raise NotImplementedError

    def _journal(self, entry: OpenStream) -> None:
        raise NotImplementedError

    def _journal_rows(self) -> list[OpenStream]:
        raise NotImplementedError

    def _alive(self, owner: int) -> bool:
        raise NotImplementedError

    def records(
        self, *, since: float | None = None, user: str | None = None
    ) -> Iterator[ChainedRecord]:
        raise NotImplementedError

    def append(self, body: dict[str, Any], *, closes: str | None = None) -> ChainedRecord:
        record = self._append(body, closes, only_if_open=False)
        assert record is not None
        return record

    async def record(self, event: Recordable) -> None:
        await anyio.to_thread.run_sync(self._append_event, event.as_dict())

    def _append_event(self, body: dict[str, Any]) -> None:
        # A streamed request's record closes its journal row, if it has one.
        self.append(body, closes=str(body["request_id"]) if body.get("stream") else None)

    async def open_stream(self, entry: OpenStream) -> None:
        await anyio.to_thread.run_sync(self._journal, entry)

    def open_streams(self) -> list[OpenStream]:
        """The journal: streams that started and have no closing record, each
        marked ``live`` when the process that wrote it still runs."""
        return [
            OpenStream(e.request_id, e.started, e.body, e.owner, self._alive(e.owner))
            for e in self._journal_rows()
        ]

    def close_interrupted(self, *, now: float) -> list[ChainedRecord]:
        """Append an ``interrupted`` record for every stream whose process is gone,
        each removing its journal row in the same transaction; the records written."""
        closed = []
        for entry in self.open_streams():
            if entry.live:
                continue
            record = self._append(
                interrupted_record(entry, now=now), entry.request_id, only_if_open=True
            )
            if record is not None:
                closed.append(record)
        if closed:
            log.warning("closed interrupted streams", extra={"count": len(closed)})
        return closed

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
        self._owner: int | None = None  # claimed at the first stream journalled
        self._owner_fd: int | None = None
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

    def _append(
        self, body: dict[str, Any], closes: str | None, *, only_if_open: bool
    ) -> ChainedRecord | None:
        with self._lock:
            # The head is read under the write lock: another process (a CLI
            # command recording an admin action) may have appended since.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if closes is not None:
                    gone = self._db.execute(
                        "DELETE FROM open_streams WHERE request_id = ?", (closes,)
                    ).rowcount
                    if only_if_open and not gone:
                        self._db.execute("ROLLBACK")
                        return None
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

    def _journal(self, entry: OpenStream) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO open_streams (request_id, owner, started, body) VALUES (?, ?, ?, ?)",
                (entry.request_id, self._claim(), entry.started, canonical(entry.body).decode()),
            )

    def _journal_rows(self) -> list[OpenStream]:
        reader = sqlite3.connect(self.path, check_same_thread=False)
        try:
            rows = reader.execute(
                "SELECT request_id, owner, started, body FROM open_streams ORDER BY started"
            ).fetchall()
        finally:
            reader.close()
        return [OpenStream(r, float(s), json.loads(b), int(o)) for r, o, s, b in rows]

    def _owner_file(self, owner: int) -> Path:
        return self.path.with_name(f"{self.path.name}.streams-{owner}.lock")

    def _claim(self) -> int:
        """This process's owner number, held by an ``flock`` on a file of its own
        for as long as the process lives (the kernel lets go when it dies)."""
        if self._owner is None:
            owner = secrets.randbelow(2**31 - 1) + 1
            fd = os.open(self._owner_file(owner), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._owner, self._owner_fd = owner, fd
        return self._owner

    def _alive(self, owner: int) -> bool:
        if owner == self._owner:
            return True
        path = self._owner_file(owner)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def close_interrupted(self, *, now: float) -> list[ChainedRecord]:
        closed = super().close_interrupted(now=now)
        # The lock files of writers that are gone and left no row.
        owners = {e.owner for e in self._journal_rows()}
        for path in self.path.parent.glob(f"{self.path.name}.streams-*.lock"):
            number = path.name.rsplit("-", 1)[1].removesuffix(".lock")
            if number.isdigit() and int(number) not in owners and not self._alive(int(number)):
                path.unlink(missing_ok=True)
        return closed

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
        self._append_event(event.as_dict())

    async def open_stream(self, entry: OpenStream) -> None:
        self._journal(entry)  # as cheap as an append: no hop either

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._owner_fd is not None:
                # Rows still open now are interrupted: with the lock file gone, the
                # next start closes them.
                self._owner_file(self._owner or 0).unlink(missing_ok=True)
                os.close(self._owner_fd)
                self._owner_fd = None


def row_record(row: tuple[Any, ...]) -> ChainedRecord:
    seq, prev_hash, body, digest, mac = row
    return ChainedRecord(int(seq), str(prev_hash), json.loads(body), str(digest), str(mac))
