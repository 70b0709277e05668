"""One store class, two databases: a small connection adapter over SQLite
(one file per store, the embedded default) and PostgreSQL (``database_url``,
shared by every gateway process on it).

Stores write their SQL once, with ``?`` placeholders and in the dialect both
databases share (``RETURNING``, ``ON CONFLICT ... DO UPDATE`` with the
target's columns qualified, ``IS NOT DISTINCT FROM``; the column ``"user"``
quoted, a reserved word in PostgreSQL). The adapter maps placeholders, turns
either driver's integrity error into ``Conflict``, and gives transactions
the same meaning on both:

- SQLite: the store's thread lock and ``BEGIN IMMEDIATE`` (one writer);
- PostgreSQL: one pooled connection in a transaction; a read that decides a
  write takes its row with ``tx.for_update`` (``SELECT ... FOR UPDATE``),
  which SQLite does not need because the whole transaction is exclusive.

Each store has a ``Schema``: its numbered migrations for each database. On
SQLite ``PRAGMA user_version`` counts them; on PostgreSQL the store's own
schema table, under its own advisory lock (``gwanmun.pgsql.migrate``), so
replicas starting together apply each migration once.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from gwanmun.errors import GwanmunError, InvalidRequest

log = logging.getLogger("gwanmun")

Params = Sequence[Any]


class Conflict(Exception):
    """A row broke a uniqueness or foreign-key rule (either database's integrity error)."""


class DatabaseUnavailable(GwanmunError):
    """The shared database cannot be reached (or timed out): the request is
    refused (503), never served without its account or limits being checked."""

    status = 503
    type = "api_error"
    code = "database_unavailable"


def _text(params: Params) -> tuple[Any, ...]:
    """The parameters, refused when text holds U+0000: PostgreSQL's text cannot
    store it, so neither store takes it (one behaviour on both)."""
    values = tuple(params)
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise InvalidRequest("Text with a NUL character (U+0000) cannot be stored.")
    return values


@dataclass(frozen=True, slots=True)
class Schema:
    """A store's migrations: ``sqlite`` and ``postgres`` are ordered lists of
    statements; ``table`` and ``lock`` are its PostgreSQL version table and
    advisory lock."""

    name: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]
    table: str
    lock: int

    @property
    def latest(self) -> int:
        return len(self.postgres)


class Tx(Protocol):
    """Statements inside one transaction."""

    for_update: str

    def one(self, query: str, params: Params = ()) -> tuple[Any, ...] | None: ...

    def all(self, query: str, params: Params = ()) -> list[tuple[Any, ...]]: ...

    def run(self, query: str, params: Params = ()) -> int: ...


class Database(Protocol):
    """What a store asks of its database; every method is safe between threads."""

    kind: Literal["sqlite", "postgres"]
    for_update: str

    def one(self, query: str, params: Params = ()) -> tuple[Any, ...] | None: ...

    def all(self, query: str, params: Params = ()) -> list[tuple[Any, ...]]: ...

    def run(self, query: str, params: Params = ()) -> int: ...

    def transaction(self) -> Any: ...  # a context manager yielding a Tx

    def migrate(self, schema: Schema) -> int: ...

    def version(self, schema: Schema) -> int: ...

    def close(self) -> None: ...


class _SQLiteTx:
    for_update = ""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def one(self, query: str, params: Params = ()) -> tuple[Any, ...] | None:
        try:
            row = self._db.execute(query, _text(params)).fetchone()
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from None
        return None if row is None else tuple(row)

    def all(self, query: str, params: Params = ()) -> list[tuple[Any, ...]]:
        try:
            return [tuple(r) for r in self._db.execute(query, _text(params)).fetchall()]
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from None

    def run(self, query: str, params: Params = ()) -> int:
        try:
            return int(self._db.execute(query, _text(params)).rowcount)
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from None


class SQLiteDatabase:
    """One SQLite file (``gwanmun.sqlite.connect``: WAL, 0600), one connection
    behind a lock; a statement outside a transaction commits on its own."""

    kind: Literal["sqlite", "postgres"] = "sqlite"
    for_update = ""

    def __init__(self, path: Path, *, foreign_keys: bool = False) -> None:
        from gwanmun.sqlite import connect

        self.path = path
        self._lock = threading.Lock()
        self._db = connect(path)
        if foreign_keys:
            self._db.execute("PRAGMA foreign_keys=ON")
        self._tx = _SQLiteTx(self._db)

    def one(self, query: str, params: Params = ()) -> tuple[Any, ...] | None:
        with self._lock:
            return self._tx.one(query, params)

    def all(self, query: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._tx.all(query, params)

    def run(self, query: str, params: Params = ()) -> int:
        with self._lock:
            return self._tx.run(query, params)

    @contextmanager
    def transaction(self) -> Iterator[_SQLiteTx]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._tx
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def migrate(self, schema: Schema) -> int:
        from gwanmun.sqlite import migrate

        with self._lock:
            return migrate(self._db, schema.sqlite)

    def version(self, schema: Schema) -> int:
        with self._lock:
            (version,) = self._db.execute("PRAGMA user_version").fetchone()
        return int(version)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _pg(query: str) -> bytes:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return query.replace("%", "%%").replace("?", "%s").encode("utf-8")


class _PostgresTx:
    for_update = " FOR UPDATE"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def _execute(self, query: str, params: Params) -> Any:
        import psycopg

        values = _text(params)
        try:
            return self._conn.execute(_pg(query), values)
        except psycopg.errors.IntegrityError as exc:
            # The first line only: the detail line quotes the row's values.
            raise Conflict(str(exc).splitlines()[0]) from None

    def one(self, query: str, params: Params = ()) -> tuple[Any, ...] | None:
        row = self._execute(query, params).fetchone()
        return None if row is None else tuple(row)

    def all(self, query: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._execute(query, params).fetchall()]

    def run(self, query: str, params: Params = ()) -> int:
        return int(self._execute(query, params).rowcount)


class PostgresDatabase:
    """A connection pool on ``dsn`` (``gwanmun.pgsql.open_pool``); a statement
    outside a transaction is a transaction of its own."""

    kind: Literal["sqlite", "postgres"] = "postgres"
    for_update = " FOR UPDATE"

    def __init__(self, dsn: str, *, what: str = "the shared-state database", pool_size: int = 6):
        from gwanmun.pgsql import open_pool

        self.dsn = dsn
        self._pool = open_pool(dsn, what=what, pool_size=pool_size)

    @contextmanager
    def transaction(self) -> Iterator[_PostgresTx]:
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection(timeout=10) as conn, conn.transaction():
                yield _PostgresTx(conn)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            # The type only: libpq's text names hosts, never needed by a client.
            log.warning("shared database unavailable", extra={"error": type(exc).__name__})
            raise DatabaseUnavailable(
                "The shared database cannot be reached; try again shortly."
            ) from None

    def one(self, query: str, params: Params = ()) -> tuple[Any, ...] | None:
        with self.transaction() as tx:
            return tx.one(query, params)

    def all(self, query: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as tx:
            return tx.all(query, params)

    def run(self, query: str, params: Params = ()) -> int:
        with self.transaction() as tx:
            return tx.run(query, params)

    def migrate(self, schema: Schema) -> int:
        from gwanmun.pgsql import migrate

        before = self.version(schema)
        migrate(self._pool, schema_table=schema.table, lock=schema.lock, migrations=schema.postgres)
        return before

    def version(self, schema: Schema) -> int:
        from psycopg import errors

        from gwanmun.pgsql import schema_version

        try:
            return schema_version(self._pool, schema.table)
        except errors.UndefinedTable:
            return 0

    def close(self) -> None:
        self._pool.close()


def open_database(target: Path | str | Database, *, foreign_keys: bool = False) -> Database:
    """``target`` as a database: a path is a SQLite file, a string a PostgreSQL
    connection string (already checked and pinned: ``services.shared_database``),
    and a database is itself (shared, so the caller closes it)."""
    if isinstance(target, Path):
        return SQLiteDatabase(target, foreign_keys=foreign_keys)
    if isinstance(target, str):
        return PostgresDatabase(target)
    return target
