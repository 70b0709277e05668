"""The SQLite audit store: one chained record per request, tampering named,
survives reopening, and fails the request when it cannot write (fail closed)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.fakes import FakeBackend
from gwanmun.audit.store import AuditStore, SQLiteAuditStore, load_or_create_key
from gwanmun.backends import Router
from gwanmun.errors import ConfigError, GuardBlocked
from gwanmun.gateway import Gateway
from gwanmun.guard.input import DetectorInputGuard, blocked_error
from gwanmun.guard.output import RestoringOutputGuard
from gwanmun.policy import load_policy
from gwanmun.types import ChatMessage, ChatRequest
from tests.test_gateway import USER
from tests.wire import encoded_body, encoded_chunks

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


def make_gateway(store: AuditStore, audit_text: str = "none") -> Gateway:
    from gwanmun.detect.builtin import builtin_detectors

    return Gateway(
        router=Router([FakeBackend()]),
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
        output_guard=RestoringOutputGuard(),
        audit=store,
        blocked_error=blocked_error,
        audit_text=audit_text,
    )


def chat(text: str) -> ChatRequest:
    return ChatRequest(model="fake-model", messages=(ChatMessage("user", text),), max_tokens=8)


def test_key_is_created_private_and_validated(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "audit.key")
    assert len(key) == 32 and load_or_create_key(tmp_path / "audit.key") == key
    assert stat.S_IMODE(os.stat(tmp_path / "audit.key").st_mode) == 0o600
    (tmp_path / "bad.key").write_text("not hex")
    with pytest.raises(ConfigError, match="not hexadecimal"):
        load_or_create_key(tmp_path / "bad.key")


async def test_every_request_is_recorded_without_values_and_the_chain_verifies(
    tmp_path: Path,
) -> None:
    store = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "k"))
    gateway = make_gateway(store)
    await gateway.handle(chat("hello"), USER)
    await gateway.handle(chat("전화 010-1234-5678 주세요"), USER)
    with pytest.raises(GuardBlocked):
        await gateway.handle(chat("マイナンバー 6214 9832 0257"), USER)
    records = list(store.records())
    assert [r.body["outcome"] for r in records] == ["allowed", "masked", "blocked"]
    dumped = json.dumps([r.body for r in records], ensure_ascii=False)
    # Whole values: a short run of digits can turn up inside a random request id.
    assert "010-1234-5678" not in dumped and "01012345678" not in dumped
    assert "6214 9832 0257" not in dumped and "621498320257" not in dumped
    assert store.verify().ok and store.verify().checked == 3
    store.close()
    reopened = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "k"))
    reopened.append({"after": "restart"})
    assert reopened.verify().ok and reopened.verify().checked == 4
    reopened.close()


async def test_text_is_kept_only_masked_and_only_when_asked(tmp_path: Path) -> None:
    store = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "k"))
    await make_gateway(store).handle(chat("전화 010-1234-5678 주세요"), USER)
    masked = make_gateway(store, audit_text="masked")
    reply = await masked.handle(chat("전화 010-1234-5678 주세요"), USER)
    assert "010-1234-5678" in str(encoded_body(reply))  # type: ignore[union-attr]  # restored for the user
    streamed = await masked.handle(
        ChatRequest(
            model="fake-model",
            messages=(ChatMessage("user", "메일 kim@example.go.kr 로"),),
            max_tokens=8,
            stream=True,
        ),
        USER,
    )
    assert "kim@example.go.kr" in "".join(
        [c["choices"][0]["delta"].get("content", "") for c in await encoded_chunks(streamed)]
    )
    with pytest.raises(GuardBlocked):
        await masked.handle(chat("マイナンバー 6214 9832 0257"), USER)
    plain, kept, kept_stream, blocked = (r.body for r in store.records())
    assert "prompt" not in plain and "answer" not in plain
    assert kept["prompt"] == [{"role": "user", "content": "전화 [PHONE_1] 주세요"}]
    assert kept["answer"] == "전화 [PHONE_1] 주세요"  # the echo model's answer, still masked
    assert kept_stream["answer"] == "메일 [EMAIL_1] 로"
    assert "prompt" not in blocked and "answer" not in blocked
    dumped = json.dumps([r.body for r in store.records()], ensure_ascii=False)
    assert "010-1234-5678" not in dumped and "kim@example" not in dumped and "6214" not in dumped
    store.close()


async def test_the_kept_answer_is_the_one_shown_with_leaks_masked(tmp_path: Path) -> None:
    """``audit_text: masked`` keeps the answer as the user was shown it, with the
    user's own value as its placeholder and a value the model made up masked —
    not the model's raw text."""
    from gwanmun.guard.factory import input_guard_for, output_guard_for

    store = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "k"))
    policy = load_policy()
    scanner = input_guard_for(policy)
    backend = FakeBackend(answer="[PHONE_1] 말고 010-9876-5432 로 전화하세요.")
    gateway = Gateway(
        router=Router([backend]),
        input_guard=scanner,
        output_guard=output_guard_for(policy, scanner),
        audit=store,
        blocked_error=blocked_error,
        audit_text="masked",
    )
    for stream in (False, True):
        request = ChatRequest(
            model="fake-model",
            messages=(ChatMessage("user", "전화 010-1234-5678 주세요"),),
            max_tokens=8,
            stream=stream,
        )
        result = await gateway.handle(request, USER)
        if stream:
            shown = "".join(
                c["choices"][0]["delta"].get("content") or ""
                for c in await encoded_chunks(result)
                if c["choices"]
            )
        else:
            shown = encoded_body(result)["choices"][0]["message"]["content"]
        assert shown == "010-1234-5678 말고 [PHONE] 로 전화하세요."
    for record in store.records():
        assert record.body["answer"] == "[PHONE_1] 말고 [PHONE] 로 전화하세요."
    dumped = json.dumps([r.body for r in store.records()], ensure_ascii=False)
    assert "9876" not in dumped and "010-1234-5678" not in dumped
    store.close()


def test_tampering_in_the_database_is_named(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k")
    store = SQLiteAuditStore(tmp_path / "audit.db", key)
    for i in range(5):
        store.append({"request_id": f"r{i}", "user": "kim"})
    store.close()
    db = sqlite3.connect(tmp_path / "audit.db")
    db.execute("""UPDATE audit SET body = replace(body, '"kim"', '"lee"') WHERE seq = 3""")
    db.commit()
    db.close()
    store = SQLiteAuditStore(tmp_path / "audit.db", key)
    result = store.verify()
    assert not result.ok and result.bad_seq == 3 and "edited" in (result.reason or "")
    store.close()
    db = sqlite3.connect(tmp_path / "audit.db")
    db.execute("DELETE FROM audit WHERE seq = 3")
    db.commit()
    db.close()
    store = SQLiteAuditStore(tmp_path / "audit.db", key)
    assert store.verify().bad_seq == 4
    store.close()


async def test_a_failed_write_fails_the_request(tmp_path: Path) -> None:
    store = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "k"))
    gateway = make_gateway(store)
    store.close()  # the database is gone: the record cannot be written
    with pytest.raises(sqlite3.ProgrammingError):
        await gateway.handle(chat("hello"), USER)


def test_cli_verify_export_stats(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    store = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "audit.key"))
    for i in range(3):
        store.append({"request_id": f"r{i}", "time": 1_800_000_000 + i, "outcome": "allowed",
                      "grade": "O", "model": "m", "findings": [{"kind": "PHONE"}]})  # fmt: skip
    head = store.verify().head
    store.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [GWANMUN, "audit", *args], env=env, capture_output=True, text=True, timeout=60
        )

    ok = run("verify", "--head", f"{head.seq}:{head.hash}" if head else "")
    assert ok.returncode == 0 and "3 records verified" in ok.stderr
    lines = run("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == ["r0", "r1", "r2"]
    csv_lines = run("export", "--format", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("seq,time,")
    # ISO 8601 with the UTC offset, not a Unix float.
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", csv_lines[1].split(",")[1]
    )
    assert "3 requests" in run("stats").stdout and "PHONE: 3" in run("stats").stdout
    db = sqlite3.connect(tmp_path / "audit.db")
    db.execute("DELETE FROM audit WHERE seq = 3")
    db.commit()
    db.close()
    cut = run("verify", "--head", f"{head.seq}:{head.hash}" if head else "")
    assert cut.returncode == 1 and "cut off the end" in cut.stderr
    assert "Example:" in run("verify", "--help").stdout
