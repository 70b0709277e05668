"""SQLite as Gwanmun's stores use it: WAL, and migrations as an ordered list."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection in WAL mode, shareable between threads (callers lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def migrate(db: sqlite3.Connection, migrations: Sequence[str]) -> int:
    """Apply the migrations not yet applied, each in its own transaction.

    ``PRAGMA user_version`` is the number applied; returns the number before.
    """
    (version,) = db.execute("PRAGMA user_version").fetchone()
    for number, statement in enumerate(migrations[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        db.execute(statement)
        db.execute(f"PRAGMA user_version={number}")
        db.execute("COMMIT")
    return int(version)
