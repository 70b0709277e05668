"""``gwanmun db``: every store's schema on PostgreSQL brought up to date, and an
existing SQLite deployment's data directory moved into PostgreSQL.

``upgrade`` applies each store's numbered migrations (each under its own
advisory lock, so it is safe beside running replicas) and reports each
schema's version; running it again changes nothing.

``move`` copies, store by store, the rows of the SQLite files in
``data_dir`` into the configured PostgreSQL: accounts (users, keys, sessions;
not the transient login counts), templates with their ratings and feedback,
uploaded files, knowledge bases (documents, passages, vectors), and the
audit chain record by record with its numbers, hashes and MACs unchanged, so
``gwanmun audit verify`` passes afterwards with the same ``audit.key``. It
refuses a target that already holds data unless ``replace`` is given; the
audit chain is never replaced: a chain that is not empty is a refusal,
because deleting audit records is what the chain exists to expose.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gwanmun.db import Conflict, Database, PostgresDatabase, Schema, SQLiteDatabase
from gwanmun.errors import ConfigError
from gwanmun.settings import Settings

if TYPE_CHECKING:
    from gwanmun.audit.chain import ChainedRecord

Progress = Callable[[str], None]


def _database_url(settings: Settings) -> str:
    from gwanmun.services import shared_database

    dsn = shared_database(settings)
    if dsn is None:
        raise ConfigError(
            "database_url is not set: name the PostgreSQL database in the configuration "
            "(database_url: postgresql://gwanmun@10.20.0.9:5432/gwanmun) or in "
            "GWANMUN_DATABASE_URL, password in PGPASSWORD or ~/.pgpass"
        )
    return dsn


def _schemas() -> list[Schema]:
    """Every store on ``database_url`` but the audit chain (which may be elsewhere)."""
    from gwanmun import accounts, ratelimit
    from gwanmun.kb import files, postgres
    from gwanmun.prompts import store

    return [
        accounts.SCHEMA,
        store.SCHEMA,
        files.SCHEMA,
        Schema(
            name="knowledge",
            sqlite=(),
            postgres=postgres.MIGRATIONS,
            table="gwanmun_kb_schema",
            lock=postgres._MIGRATION_LOCK,
        ),
        Schema(
            name="rate limits",
            sqlite=(),
            postgres=ratelimit.MIGRATIONS,
            table="gwanmun_rate_schema",
            lock=ratelimit._MIGRATION_LOCK,
        ),
    ]


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    name: str
    before: int
    version: int
    latest: int


def upgrade(settings: Settings) -> list[SchemaVersion]:
    """Apply every store's migrations on ``database_url`` (and the audit chain's,
    on ``audit_database_url`` when that is set); each schema's versions."""
    from gwanmun.audit.postgres import MIGRATIONS as AUDIT_MIGRATIONS
    from gwanmun.audit.postgres import PostgresAuditStore
    from gwanmun.prompts.store import SCHEMA as WORKSPACE
    from gwanmun.prompts.store import WorkspaceStore
    from gwanmun.services import open_audit_store

    dsn = _database_url(settings)
    done: list[SchemaVersion] = []
    db = PostgresDatabase(dsn)
    try:
        for schema in _schemas():
            before = db.version(schema)
            if schema is WORKSPACE:
                # As a first start would: with the starter templates.
                WorkspaceStore(db, institution=settings.institution)
            else:
                db.migrate(schema)
            done.append(SchemaVersion(schema.name, before, db.version(schema), schema.latest))
    finally:
        db.close()
    audit = open_audit_store(settings, dsn)
    try:
        assert isinstance(audit, PostgresAuditStore)
        version = audit.schema_version
        done.append(SchemaVersion("audit", -1, version, len(AUDIT_MIGRATIONS)))
    finally:
        audit.close()
    return done


@dataclass
class Moved:
    """Rows copied, per store and table, in order."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


# What is copied: (source file, store schema, table, columns). Parents first.
_TABLES: tuple[tuple[str, str, str, str], ...] = (
    ("keys.db", "accounts", "users",
     "name, grp, role, password_hash, failed_logins, locked_until, disabled, created_at, "
     "notice_ack_at"),
    ("keys.db", "accounts", "api_keys",
     'key_id, key_hash, "user", grp, role, created_at, expires_at, revoked_at, minted_by'),
    ("keys.db", "accounts", "sessions", 'token_hash, "user", created_at, expires_at'),
    ("workspace.db", "workspace", "templates",
     "id, title, category, language, body, variables, visibility, owner_group, author, "
     "origin, created_at, uses"),
    ("workspace.db", "workspace", "ratings", 'template_id, "user", stars'),
    ("workspace.db", "workspace", "feedback", 'request_id, "user", grp, minutes, at'),
    ("files.db", "files", "files", "id, owner, filename, purpose, bytes, created, data"),
)  # fmt: skip


def _occupied(db: Database, audit_empty: bool) -> list[str]:
    """Which target tables already hold data (the starter templates a first
    start loads do not count: the source has its own)."""
    from gwanmun.prompts.store import STARTER_ORIGIN

    found = []
    for _, _, table, _ in _TABLES:
        where = " WHERE origin <> ?" if table == "templates" else ""
        params = (STARTER_ORIGIN,) if table == "templates" else ()
        if db.one(f"SELECT 1 FROM {table}{where} LIMIT 1", params) is not None:
            found.append(table)
    if db.one("SELECT 1 FROM kb_bases LIMIT 1") is not None:
        found.append("kb_bases")
    if not audit_empty:
        found.append("audit")
    return found


def move(settings: Settings, *, replace: bool = False, progress: Progress = print) -> Moved:
    """Copy ``data_dir``'s SQLite stores into PostgreSQL (see the module doc)."""
    from gwanmun.audit.postgres import PostgresAuditStore
    from gwanmun.services import open_audit_store

    dsn = _database_url(settings)
    data = settings.data_dir
    moved = Moved()
    upgrade(settings)  # the target's tables, at the latest version
    audit = open_audit_store(settings, dsn)
    db = PostgresDatabase(dsn)
    try:
        assert isinstance(audit, PostgresAuditStore)
        audit_empty = audit.is_empty()
        occupied = _occupied(db, audit_empty)
        if not audit_empty:
            raise ConfigError(
                "the target audit chain is not empty: a chain is never replaced or merged "
                "(its records could then not be verified). Move into a fresh database, or "
                "set audit_database_url to an empty one for the chain."
            )
        if occupied and not replace:
            raise ConfigError(
                f"the target database already holds data ({', '.join(occupied)}); "
                "`gwanmun db move --replace` deletes it first (the audit chain excepted)"
            )
        by_file: dict[str, list[tuple[str, str, str]]] = {}
        for name, store, table, columns in _TABLES:
            by_file.setdefault(name, []).append((store, table, columns))
        for name, tables in by_file.items():
            path = data / name
            if not path.exists():
                progress(f"{name}: not in {data}, nothing to move")
                continue
            _bring_up_to_date(name, path, settings)
            source = SQLiteDatabase(path)
            try:
                _copy(db, source, name, tables, replace=replace, moved=moved, progress=progress)
            finally:
                source.close()
        _move_knowledge(settings, dsn, replace=replace, moved=moved, progress=progress)
        _move_audit(settings, audit, moved=moved, progress=progress)
    finally:
        db.close()
        audit.close()
    return moved


def _copy(
    db: Database,
    source: Database,
    name: str,
    tables: list[tuple[str, str, str]],
    *,
    replace: bool,
    moved: Moved,
    progress: Progress,
) -> None:
    """One SQLite file's tables into the target, in one transaction."""
    from gwanmun.prompts.store import STARTER_ORIGIN

    counts: list[tuple[str, int]] = []
    try:
        with db.transaction() as tx:
            for _, table, _ in reversed(tables):  # children first
                if replace or table == "templates":
                    where = "" if replace else " WHERE origin = ?"
                    args = () if replace else (STARTER_ORIGIN,)
                    tx.run(f"DELETE FROM {table}{where}", args)
            for _, table, columns in tables:
                rows = source.all(f"SELECT {columns} FROM {table}")
                marks = ", ".join("?" for _ in columns.split(","))
                for row in rows:
                    tx.run(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)
                counts.append((table, len(rows)))
                progress(f"{name}: {table}: {len(rows)} rows")
    except Conflict as exc:
        # The database's first line names the table and rule, never a value.
        raise ConfigError(
            f"{name} cannot be moved: a row breaks a rule of the target ({exc}); nothing "
            f"of {name} was moved. Mend that row and run `gwanmun db move --replace` "
            "(what was moved before it is replaced)."
        ) from None
    for table, count in counts:
        moved.add(table, count)


def _bring_up_to_date(name: str, path: Path, settings: Settings) -> None:
    """Open the SQLite store once, so a file from an older release has every
    column before it is read."""
    from gwanmun.accounts import AccountStore
    from gwanmun.kb.files import FileStore
    from gwanmun.prompts.store import WorkspaceStore

    if name == "keys.db":
        AccountStore(path).close()
    elif name == "workspace.db":
        WorkspaceStore(path, institution=settings.institution, starters=False).close()
    elif name == "files.db":
        FileStore(path).close()


def _move_knowledge(
    settings: Settings, dsn: str, *, replace: bool, moved: Moved, progress: Progress
) -> None:
    from gwanmun.kb.postgres import PostgresKnowledgeStore
    from gwanmun.kb.store import SQLiteKnowledgeStore

    path = settings.data_dir / "knowledge.db"
    if not path.exists():
        progress(f"knowledge.db: not in {settings.data_dir}, nothing to move")
        return
    source = SQLiteKnowledgeStore(path)
    target = PostgresKnowledgeStore(dsn)
    try:
        if replace:
            for kb in target.bases():
                target.drop(kb.id)
        for kb in source.bases():
            target.create(kb)
            passages = source.passages([kb.id])
            documents = source.documents(kb.id)
            for document in documents:
                target.put_document(document, [p for p in passages if p.document_id == document.id])
            moved.add("kb_bases", 1)
            moved.add("kb_documents", len(documents))
            moved.add("kb_passages", len(passages))
            progress(
                f"knowledge.db: base {kb.id}: {len(documents)} documents, {len(passages)} passages"
            )
    finally:
        source.close()
        target.close()


def _move_audit(settings: Settings, target: object, *, moved: Moved, progress: Progress) -> None:
    from gwanmun.audit.postgres import PostgresAuditStore
    from gwanmun.audit.store import SQLiteAuditStore, load_or_create_key

    path = settings.data_dir / "audit.db"
    if not path.exists():
        progress(f"audit.db: not in {settings.data_dir}, nothing to move")
        return
    assert isinstance(target, PostgresAuditStore)
    key = load_or_create_key(settings.audit_key_file or settings.data_dir / "audit.key")
    source = SQLiteAuditStore(path, key)
    try:
        # Streams a stopped gateway left open get their record first, as its
        # next start would have given them.
        source.close_interrupted(now=time.time())
        checked = source.verify()
        if not checked.ok:
            raise ConfigError(
                "the SQLite audit chain does not verify (`gwanmun audit verify` says where); "
                "nothing of it was moved"
            )

        def counted(records: Iterator[ChainedRecord]) -> Iterator[ChainedRecord]:
            for n, record in enumerate(records, start=1):
                if n % 10_000 == 0:
                    progress(f"audit.db: {n} records…")
                yield record

        copied = target.copy_in(counted(source.records()))
        moved.add("audit", copied)
        progress(f"audit.db: audit: {copied} records, hashes and MACs unchanged")
    finally:
        source.close()
