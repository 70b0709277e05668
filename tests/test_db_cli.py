"""``gwanmun db upgrade`` and ``gwanmun db move``, the installed CLI on a real
PostgreSQL: versions printed and nothing applied twice; clear errors without
or with an unreachable database_url; a SQLite data directory moved whole —
accounts, keys, sessions, templates, ratings, feedback, files, knowledge
bases, and an audit chain that still verifies — and a non-empty target refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from devtools.ports import free_port
from devtools.postgres import PostgresServer
from gwanmun.accounts import AccountStore
from gwanmun.audit.store import SQLiteAuditStore, load_or_create_key
from gwanmun.kb.files import FileStore
from gwanmun.kb.postgres import PostgresKnowledgeStore
from gwanmun.kb.store import Document, KnowledgeBase, Passage, SQLiteKnowledgeStore
from gwanmun.prompts.store import TemplateIn, WorkspaceStore
from gwanmun.types import Grade, Principal, Role

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))
PASSWORD = "correct horse battery staple"
KIM = Principal("kim", "민원과")


def _run(args: list[str], data_dir: Path, url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWANMUN_")}
    env["GWANMUN_DATA_DIR"] = str(data_dir)
    if url is not None:
        env["GWANMUN_DATABASE_URL"] = url
    return subprocess.run(
        [GWANMUN, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_upgrade_prints_versions_and_is_idempotent(postgres_url: str, tmp_path: Path) -> None:
    first = _run(["db", "upgrade"], tmp_path, postgres_url)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    names = [line.split(":")[0] for line in lines]
    assert names == ["accounts", "workspace", "files", "knowledge", "rate limits", "audit"]
    assert all(" of " in line for line in lines)
    assert "accounts: schema version 8 of 8 (was 0)" in lines
    again = _run(["db", "upgrade"], tmp_path, postgres_url)
    assert again.returncode == 0 and "(was" not in again.stdout
    # The starter templates are loaded once, as a first start would.
    store = WorkspaceStore(postgres_url, institution="서울시")
    count = len(store.visible(KIM))
    store.close()
    assert count >= 10
    assert len(WorkspaceStore(postgres_url, institution="x").visible(KIM)) == count


def test_upgrade_without_or_with_an_unreachable_database(tmp_path: Path) -> None:
    unset = _run(["db", "upgrade"], tmp_path, None)
    assert unset.returncode == 1 and "database_url is not set" in unset.stderr
    assert "Traceback" not in unset.stderr
    gone = _run(["db", "upgrade"], tmp_path, f"postgresql://gw@127.0.0.1:{free_port()}/x")
    assert gone.returncode == 1 and "cannot open" in gone.stderr
    assert "Traceback" not in gone.stderr
    moving = _run(["db", "move"], tmp_path, None)
    assert moving.returncode == 1 and "database_url is not set" in moving.stderr


def _sqlite_deployment(data: Path) -> dict[str, str]:
    """A data directory as a SQLite gateway leaves it; what to check afterwards."""
    accounts = AccountStore(data / "keys.db")
    accounts.create_user("kim", group="민원과", password=PASSWORD)
    key, _ = accounts.create("kim")
    _, revoked = accounts.create("kim")
    accounts.revoke(revoked.key_id)
    token, _ = accounts.login("kim", PASSWORD)
    accounts.create_user("adm", role=Role.ADMIN)
    accounts.close()
    workspace = WorkspaceStore(data / "workspace.db", institution="서울시")
    mine = workspace.create(TemplateIn(title="과 전용", category="c", body="b"), KIM)
    workspace.rate(mine.id, KIM, 4)
    workspace.feedback("chatcmpl-moved1", KIM, 30)
    workspace.close()
    files = FileStore(data / "files.db")
    uploaded = files.put("kim", "지침.txt", "assistants", "민원 처리 지침".encode())
    files.close()
    kb = SQLiteKnowledgeStore(data / "knowledge.db")
    kb.create(KnowledgeBase(id="kb1", name="지침", owner="민원과", readers=("*",), created=1.0))
    vector = np.arange(4, dtype=np.float32)
    passages = [
        Passage(f"p{n}", "kb1", "d1", "지침.txt", n, None, f"문단 {n}", "00" * 32, Grade.C,
                False, ("문단",), vector)
        for n in range(3)
    ]  # fmt: skip
    kb.put_document(Document("d1", "kb1", "지침.txt", "11" * 32, Grade.C, 3, 2.0), passages)
    kb.close()
    audit = SQLiteAuditStore(data / "audit.db", load_or_create_key(data / "audit.key"))
    for n in range(25):
        audit.append({"request_id": f"chatcmpl-{n}", "time": 100.0 + n, "user": "kim"})
    audit.close()
    return {"key": key, "revoked": revoked.key_id, "token": token, "template": mine.id,
            "file": uploaded.id}  # fmt: skip


def test_move_copies_a_sqlite_deployment_with_its_chain_intact(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    made = _sqlite_deployment(data)
    url = postgres.create_database("t_db_move_whole")
    moved = _run(["db", "move"], data, url)
    assert moved.returncode == 0, moved.stderr
    assert "keys.db: users: 2 rows" in moved.stderr  # progress, store by store
    for line in [
        "users: 2",
        "api_keys: 2",
        "sessions: 1",
        "ratings: 1",
        "feedback: 1",
        "files: 1",
        "kb_bases: 1",
        "kb_documents: 1",
        "kb_passages: 3",
        "audit: 25",
    ]:
        assert f"  {line}" in moved.stdout.splitlines(), (line, moved.stdout)  # fmt: skip
    # The chain verifies on PostgreSQL with the same key, every record in it.
    verified = _run(["audit", "verify"], data, url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    source = SQLiteAuditStore(data / "audit.db", load_or_create_key(data / "audit.key"))
    head = source.verify().head
    source.close()
    assert head is not None and head.seq == 25
    # The same head: every record copied with its number, hash and MAC.
    assert "25 records verified" in verified.stderr and head.hash in verified.stderr
    # Keys, revocations, sessions and passwords work as they did.
    accounts = AccountStore(url)
    assert accounts.authenticate(made["key"]).user == "kim"
    assert [k.revoked_at is not None for k in accounts.list()].count(True) == 1
    assert accounts.session(made["token"]).group == "민원과"
    assert accounts.login("kim", PASSWORD)[1].user == "kim"
    accounts.close()
    workspace = WorkspaceStore(url, institution="서울시")
    assert workspace.get(made["template"]).ratings == 1
    assert workspace.time_saved()["민원과"]["answers"] == 1
    # The source's starter set, once (not the target's as well).
    titles = [t.data.title for t in workspace.visible(KIM)]
    assert len(titles) == len(set(titles))
    workspace.close()
    files = FileStore(url)
    assert files.data("kim", made["file"]) == "민원 처리 지침".encode()
    files.close()
    kb = PostgresKnowledgeStore(url)
    assert [p.text for p in kb.passages(["kb1"])] == ["문단 0", "문단 1", "문단 2"]
    assert np.array_equal(kb.passages(["kb1"])[0].vector, np.arange(4, dtype=np.float32))
    kb.close()
    # Again into the same database: refused, the chain is never replaced.
    again = _run(["db", "move", "--replace"], data, url)
    assert again.returncode == 1 and "audit chain is not empty" in again.stderr


def test_move_refuses_a_target_with_data_unless_told(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _sqlite_deployment(data)
    url = postgres.create_database("t_db_move_occupied")
    other = AccountStore(url)
    other.create_user("someone.else")
    other.close()
    refused = _run(["db", "move"], data, url)
    assert refused.returncode == 1 and "already holds data (users)" in refused.stderr
    assert "--replace" in refused.stderr
    replaced = _run(["db", "move", "--replace"], data, url)
    assert replaced.returncode == 0, replaced.stderr
    accounts = AccountStore(url)
    assert [u.name for u in accounts.list_users()] == ["adm", "kim"]
    accounts.close()


@pytest.mark.parametrize("missing", ["keys.db", "knowledge.db"])
def test_move_skips_stores_that_were_never_used(
    postgres: PostgresServer, tmp_path: Path, missing: str
) -> None:
    data = tmp_path / "data"
    _sqlite_deployment(data)
    (data / missing).unlink()
    url = postgres.create_database(f"t_db_move_without_{missing.split('.')[0]}")
    moved = _run(["db", "move"], data, url)
    assert moved.returncode == 0, moved.stderr
    assert f"{missing}: not in {data}, nothing to move" in moved.stderr


def test_a_row_the_target_refuses_is_a_clear_error(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """SQLite's keys.db never enforced its foreign keys: a session of a user that
    is not there stops the move of that file with a message, not a traceback."""
    import sqlite3

    data = tmp_path / "data"
    _sqlite_deployment(data)
    with sqlite3.connect(data / "keys.db") as db:
        db.execute("INSERT INTO sessions VALUES ('feed', 'ghost', 1.0, 2.0)")
    url = postgres.create_database("t_db_move_orphan")
    moved = _run(["db", "move"], data, url)
    assert moved.returncode == 1 and "Traceback" not in moved.stderr
    assert "keys.db cannot be moved" in moved.stderr and "sessions" in moved.stderr
    assert "ghost" not in moved.stderr  # no value of the row
    accounts = AccountStore(url)
    assert accounts.list_users() == []  # the file's transaction rolled back whole
    accounts.close()
