"""The uploaded-file store on SQLite and on a real PostgreSQL: files by owner,
bytes dropped once indexed or too old, the record kept; two stores on one
PostgreSQL database (two replicas) see the same files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanmun.kb.files import FileStore

DOC = "민원 처리 지침\n주민등록번호는 수집하지 않는다.\n".encode()


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "files.db"
    return str(request.getfixturevalue("postgres_url"))


def test_files_belong_to_their_owner_and_lose_their_bytes(where: Path | str) -> None:
    store = FileStore(where, max_age_s=60)
    first = store.put("kim", "지침.txt", "assistants", DOC)
    assert (first.bytes, first.kept) == (len(DOC), True)
    assert store.data("kim", first.id) == DOC
    assert store.get("park", first.id) is None and store.data("park", first.id) is None
    second = store.put("kim", "b.txt", "assistants", b"x")
    assert [f.id for f in store.listing("kim")] == [second.id, first.id]  # newest first
    assert store.listing("park") == []
    store.drop_data("kim", first.id)
    dropped = store.get("kim", first.id)
    assert dropped is not None and not dropped.kept and dropped.bytes == len(DOC)
    assert store.data("kim", first.id) is None
    assert not store.delete("park", second.id)
    assert store.delete("kim", second.id) and store.get("kim", second.id) is None
    store.close()


def test_old_unattached_bytes_go_on_the_next_upload(where: Path | str) -> None:
    store = FileStore(where, max_age_s=60)
    old = store.put("kim", "old.txt", "assistants", DOC)
    store.db.run("UPDATE files SET created = created - 3600 WHERE id = ?", (old.id,))
    store.put("lee", "new.txt", "assistants", b"new")
    kept = store.get("kim", old.id)
    assert kept is not None and not kept.kept and store.data("kim", old.id) is None
    store.close()


def test_two_replicas_share_files_on_postgres(postgres_url: str) -> None:
    one, two = FileStore(postgres_url), FileStore(postgres_url)  # migrated once
    uploaded = one.put("kim", "a.txt", "assistants", DOC)
    assert two.data("kim", uploaded.id) == DOC
    two.drop_data("kim", uploaded.id)
    assert one.data("kim", uploaded.id) is None
    one.close()
    two.close()
