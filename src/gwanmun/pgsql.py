"""What the PostgreSQL stores share: a connection pool that fails as a
configuration error, and numbered migrations applied once under a lock.

Each store keeps its own schema table and lock, so the audit chain and the
knowledge bases can live in one database or in two, and replicas starting
together apply each migration exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql
from psycopg_pool import ConnectionPool

from gwanmun.errors import ConfigError


def open_pool(dsn: str, *, what: str, pool_size: int = 4) -> ConnectionPool:
    """A pool on ``dsn`` (transactions explicit), opened now; a failure is a
    ``ConfigError`` naming ``what`` and libpq's first line (the host, never a
    password)."""
    try:
        pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=pool_size,
            open=False,
            kwargs={"autocommit": False, "connect_timeout": 5},
        )
        pool.open(wait=True, timeout=10)
    except Exception as exc:  # noqa: BLE001 - any start-up failure is a config error
        raise ConfigError(f"cannot open {what}: {type(exc).__name__}: {first_line(exc)}") from None
    return pool


def migrate(
    pool: ConnectionPool, *, schema_table: str, lock: int, migrations: Sequence[str]
) -> None:
    """Apply the ``migrations`` not yet applied, in one transaction under the
    advisory ``lock``; ``schema_table`` holds the number applied."""
    table = sql.Identifier(schema_table)
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (version INTEGER NOT NULL)").format(table)
        )
        row = conn.execute(sql.SQL("SELECT version FROM {}").format(table)).fetchone()
        version = 0 if row is None else int(row[0])
        if row is None:
            conn.execute(sql.SQL("INSERT INTO {} VALUES (0)").format(table))
        for number, statement in enumerate(migrations[version:], start=version + 1):
            conn.execute(statement.encode("utf-8"))
            conn.execute(sql.SQL("UPDATE {} SET version = %s").format(table), (number,))


def schema_version(pool: ConnectionPool, schema_table: str) -> int:
    with pool.connection() as conn:
        row = conn.execute(
            sql.SQL("SELECT version FROM {}").format(sql.Identifier(schema_table))
        ).fetchone()
    return 0 if row is None else int(row[0])


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""
