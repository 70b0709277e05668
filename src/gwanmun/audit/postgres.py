"""The audit store on PostgreSQL: one hash chain written by many gateway processes.

Each append is one transaction that first takes a transaction-scoped advisory
lock, reads the head, inserts the next record and commits, so appends from
every process are serialised and the chain never forks (``seq`` is also the
primary key: a second record with the same number cannot be committed). The
lock is released by the commit, or by PostgreSQL when a process dies mid-way.

The journal of streams in flight (``gwanmun.audit.journal``) is a table
beside the chain. Each gateway process that journals a stream holds a
session-level advisory lock named by its owner number on a connection of its
own for its whole life; PostgreSQL drops the lock when the process dies (its
connection ends), which is how a start tells a dead writer's rows from those
of a live gateway sharing the database.

libpq opens its sockets in C, below Python's audit hook, so the database
host is checked once, when the store is opened (``check_database_url``), by
the same strict parser as backend URLs, and pinned: libpq gets the checked
addresses as ``hostaddr`` and never resolves the name again.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from gwanmun.audit.chain import ChainedRecord, canonical, link
from gwanmun.audit.journal import OpenStream
from gwanmun.audit.store import ChainStoreBase, row_record
from gwanmun.egress import EgressPolicy, Resolver, check_host, strict_host
from gwanmun.errors import ConfigError
from gwanmun.pgsql import migrate, open_pool, schema_version

# An arbitrary, fixed 64-bit key: "gwanmun\0" in ASCII.
_APPEND_LOCK = 0x6777616E6D756E00
_MIGRATION_LOCK = _APPEND_LOCK + 1
# The first half of the two-part advisory lock each stream-journalling process
# holds; the second half is its owner number. ("gwan" in ASCII.)
_OWNER_LOCK_CLASS = 0x6777616E

# Migrations, in order; ``gwanmun_schema.version`` is the number applied.
MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE audit (
        seq BIGINT PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        hash TEXT NOT NULL,
        mac TEXT NOT NULL,
        time DOUBLE PRECISION NOT NULL,
        username TEXT
    )""",
    "CREATE INDEX audit_time ON audit (time)",
    "CREATE INDEX audit_user ON audit (username, seq)",
    # Streams in flight (gwanmun.audit.journal); ``owner`` is the writing process.
    """CREATE TABLE open_streams (
        request_id TEXT PRIMARY KEY,
        owner INTEGER NOT NULL,
        started DOUBLE PRECISION NOT NULL,
        body TEXT NOT NULL
    )""",
)


_COPY = (
    "INSERT INTO audit (seq, prev_hash, body, hash, mac, time, username) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


class PostgresAuditStore(ChainStoreBase):
    """``AuditStore`` on a PostgreSQL database named by a libpq connection string."""

    def __init__(self, dsn: str, key: bytes, *, pool_size: int = 4) -> None:
        self._key = key
        self._dsn = dsn
        self._owner: int | None = None  # claimed at the first stream journalled
        self._owner_conn: psycopg.Connection[Any] | None = None
        self._owner_guard = threading.Lock()
        self._pool = open_pool(dsn, what="the PostgreSQL audit store", pool_size=pool_size)
        migrate(
            self._pool, schema_table="gwanmun_schema", lock=_MIGRATION_LOCK, migrations=MIGRATIONS
        )

    @property
    def schema_version(self) -> int:
        return schema_version(self._pool, "gwanmun_schema")

    def _append(
        self, body: dict[str, Any], closes: str | None, *, only_if_open: bool
    ) -> ChainedRecord | None:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_APPEND_LOCK,))
            if closes is not None:
                gone = conn.execute(
                    "DELETE FROM open_streams WHERE request_id = %s", (closes,)
                ).rowcount
                if only_if_open and not gone:
                    return None  # the transaction commits having changed nothing
            row = conn.execute(
                "SELECT seq, prev_hash, body, hash, mac FROM audit ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            previous = None if row is None else row_record(row)
            record = link(self._key, body, previous=previous)
            conn.execute(
                "INSERT INTO audit (seq, prev_hash, body, hash, mac, time, username) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    record.seq,
                    record.prev_hash,
                    canonical(body).decode("utf-8"),
                    record.hash,
                    record.mac,
                    float(body.get("time", 0.0)),
                    body.get("user"),
                ),
            )
        return record

    def is_empty(self) -> bool:
        with self._pool.connection() as conn:
            return conn.execute("SELECT 1 FROM audit LIMIT 1").fetchone() is None

    def copy_in(self, records: Iterable[ChainedRecord], *, batch: int = 1000) -> int:
        """Records of another chain as they are (numbers, hashes, MACs), for
        ``gwanmun db move`` into an empty chain, in one transaction under the
        append lock; the number copied."""
        copied = 0
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_APPEND_LOCK,))
            rows: list[tuple[Any, ...]] = []
            with conn.cursor() as cursor:
                for record in records:
                    rows.append(
                        (
                            record.seq,
                            record.prev_hash,
                            canonical(record.body).decode("utf-8"),
                            record.hash,
                            record.mac,
                            float(record.body.get("time", 0.0)),
                            record.body.get("user"),
                        )
                    )
                    if len(rows) >= batch:
                        cursor.executemany(_COPY, rows)
                        copied, rows = copied + len(rows), []
                if rows:
                    cursor.executemany(_COPY, rows)
                    copied += len(rows)
        return copied

    def _journal(self, entry: OpenStream) -> None:
        owner = self._claim()
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO open_streams (request_id, owner, started, body) "
                "VALUES (%s, %s, %s, %s)",
                (entry.request_id, owner, entry.started, canonical(entry.body).decode()),
            )

    def _journal_rows(self) -> list[OpenStream]:
        with self._pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                "SELECT request_id, owner, started, body FROM open_streams ORDER BY started"
            ).fetchall()
        return [OpenStream(r, float(s), json.loads(b), int(o)) for r, o, s, b in rows]

    def _claim(self) -> int:
        """This process's owner number, held as a session advisory lock on a
        connection kept open for the life of the store."""
        with self._owner_guard:
            if self._owner is None:
                owner = secrets.randbelow(2**31 - 1) + 1
                conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
                conn.execute("SELECT pg_advisory_lock(%s, %s)", (_OWNER_LOCK_CLASS, owner))
                self._owner, self._owner_conn = owner, conn
            return self._owner

    def _alive(self, owner: int) -> bool:
        if owner == self._owner:
            return True
        with self._pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid = %s::oid AND objid = %s::oid AND objsubid = 2",
                (_OWNER_LOCK_CLASS, owner),
            ).fetchone()
        return row is not None and int(row[0]) > 0

    def records(
        self, *, since: float | None = None, user: str | None = None
    ) -> Iterator[ChainedRecord]:
        query = "SELECT seq, prev_hash, body, hash, mac FROM audit"
        conditions: list[str] = []
        params: list[float | str] = []
        if since is not None:
            conditions.append("time >= %s")
            params.append(since)
        if user is not None:
            conditions.append("username = %s")
            params.append(user)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY seq"
        # A server-side cursor: an export of millions of records streams.
        with (
            self._pool.connection() as conn,
            conn.transaction(),
            conn.cursor(name="gwanmun_audit_read") as cursor,
        ):
            cursor.itersize = 1000
            cursor.execute(query, params)
            for row in cursor:
                yield row_record(row)

    def close(self) -> None:
        self._pool.close()
        with self._owner_guard:
            if self._owner_conn is not None:
                # Rows still open now are interrupted: the next start closes them.
                self._owner_conn.close()
                self._owner_conn = None


def check_database_url(
    url: str,
    policy: EgressPolicy,
    *,
    resolve: Resolver = socket.getaddrinfo,
    setting: str = "audit_database_url",
    what: str = "the audit database",
) -> str:
    """The connection string to use: ``url`` with every host resolved once, checked
    against loopback and the internal networks, and pinned (``hostaddr``), so libpq
    never resolves a name again (a changed DNS answer reaches nothing new). Refused:
    a password in it, a host that is not canonical (``egress.strict_host``: no zone
    id, percent sign or numeric shorthand), an address outside the policy.
    ``setting`` and ``what`` name the URL in messages (the audit database's, or
    ``database_url``'s)."""
    try:
        params = conninfo_to_dict(url)
    except Exception as exc:  # noqa: BLE001 - libpq's parser raises ProgrammingError
        raise ConfigError(f"{setting} is not a valid connection string: {exc}") from None
    if params.get("password"):
        raise ConfigError(
            f"{setting} contains a password; put it in PGPASSWORD or a .pgpass file "
            "instead, so it never sits in a configuration file or a process listing"
        )
    given = str(params.get("hostaddr") or "")
    if given:
        # Addresses already: libpq connects to them without resolving anything.
        for address in given.split(","):
            if "%" in address or not _is_ip(address):
                raise ConfigError(f"{setting}: hostaddr {address!r} is not an address")
            check_host(address, policy, what=what, resolve=resolve)
        return url
    host = str(params.get("host") or "")
    if not host:
        return url  # the default: a Unix socket on this machine
    names = host.split(",")
    port = str(params.get("port") or "")
    ports = port.split(",") if "," in port else [port] * len(names)
    if len(ports) != len(names):
        raise ConfigError(f"{setting}: give one port, or one per host")
    hosts: list[str] = []
    addresses: list[str] = []
    pinned_ports: list[str] = []
    for name, number in zip(names, ports, strict=True):
        if not name or name.startswith("/"):
            found = [""]  # a socket directory: libpq uses the name itself
        else:
            canonical_name = strict_host(name)
            if canonical_name is None:
                raise ConfigError(
                    f"{setting}: host {name!r} is neither four-part IPv4, IPv6 nor "
                    "a DNS name (no zone id, percent sign or numeric shorthand)"
                )
            found = check_host(canonical_name, policy, what=what, resolve=resolve)
        # One entry per address: libpq tries them in order, as it would the DNS answer.
        hosts += [name] * len(found)
        addresses += found
        pinned_ports += [number] * len(found)
    if not any(addresses):
        return url  # socket directories only: nothing to resolve
    params["host"] = ",".join(hosts)
    params["hostaddr"] = ",".join(addresses)
    if port:
        params["port"] = ",".join(pinned_ports)
    return make_conninfo("", **params)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
