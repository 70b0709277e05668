"""SQLite as Gwanmun's stores use it: WAL, and migrations as an ordered list."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from gwanmun.private import private_dir, private_file, tighten_if_exists


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection in WAL mode, shareable between threads (callers lock).

    The file is 0600 in a 0700 directory (``private``); SQLite gives its -wal and
    -shm files the database file's mode.
    """
    private_state(path)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def private_state(path: Path) -> None:
    """Make ``path`` (a database) and its directory private before SQLite opens it."""
    private_dir(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        tighten_if_exists(path.with_name(path.name + suffix))


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
