"""AI-generated marks and signed provenance: every answer carries a record,
export adds a visible mark, verify says whether a text is unchanged and which
sentences changed, and a forged record or another key is refused."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.backends import Router
from gwanmun.gateway import ChatResult, ChatStream, Gateway
from gwanmun.guard.output import RestoringOutputGuard
from gwanmun.provenance import (
    MARK_PREFIX,
    ProvenanceSigner,
    export_text,
    load_or_create_signing_key,
    parse_export,
    public_pem,
    verify_text,
)
from gwanmun.types import ChatMessage, ChatRequest
from tests.test_gateway import USER, FakeInputGuard
from tests.wire import encoded_body, encoded_chunks

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))
ANSWER = "민원 접수를 확인했습니다. 처리 기한은 7일입니다. 문의는 민원실로 해 주세요."


def signer(tmp_path: Path) -> ProvenanceSigner:
    return ProvenanceSigner(load_or_create_signing_key(tmp_path / "provenance.key"), "서울시")


def test_verify_names_what_changed(tmp_path: Path) -> None:
    sign = signer(tmp_path)
    public = load_or_create_signing_key(tmp_path / "provenance.key").public_key()
    record = sign.sign(ANSWER, model="exaone", request_id="r1", when=1_800_000_000)
    assert record["ai_generated"] is True and record["institution"] == "서울시"
    assert stat.S_IMODE(os.stat(tmp_path / "provenance.key").st_mode) == 0o600
    text, parsed = parse_export(export_text(ANSWER, record))
    assert verify_text(text, parsed, public).ok
    changed = verify_text(ANSWER.replace("7일", "30일"), record, public)
    assert changed.signature_ok and not changed.unchanged
    assert changed.changes == ["sentence 2 changed (now 2)"]
    added = verify_text(ANSWER + " 추가 문장입니다.", record, public)
    assert added.changes == ["sentence 4 added"]
    removed = verify_text(ANSWER.replace("처리 기한은 7일입니다. ", ""), record, public)
    assert removed.changes == ["sentence 2 removed"]
    forged = {**record, "model": "a-bigger-model"}
    assert not verify_text(ANSWER, forged, public).signature_ok
    stranger = Ed25519PrivateKey.generate().public_key()
    assert "NOT VERIFIED" in verify_text(ANSWER, record, stranger).describe()


def gateway(tmp_path: Path) -> Gateway:
    return Gateway(
        router=Router([FakeBackend()]),
        input_guard=FakeInputGuard(),
        output_guard=RestoringOutputGuard(),
        audit=MemoryAuditSink(),
        signer=signer(tmp_path),
    )


async def test_every_answer_carries_a_verifiable_record(tmp_path: Path) -> None:
    gw = gateway(tmp_path)
    public = load_or_create_signing_key(tmp_path / "provenance.key").public_key()
    message = (ChatMessage("user", ANSWER),)
    result = await gw.handle(ChatRequest("fake-model", message, 32), USER)
    assert isinstance(result, ChatResult)
    meta = encoded_body(result)["gwanmun"]
    assert meta["ai_generated"] is True and "Verify" in meta["notice"]
    content = encoded_body(result)["choices"][0]["message"]["content"]
    assert verify_text(content, meta["provenance"], public).ok
    stream = await gw.handle(ChatRequest("fake-model", message, 32, stream=True), USER)
    assert isinstance(stream, ChatStream)
    chunks = await encoded_chunks(stream)
    streamed = "".join(
        c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]
    )
    record = next(c["gwanmun"]["provenance"] for c in chunks if "gwanmun" in c)
    assert record["request_id"] == stream.request_id
    assert verify_text(streamed, record, public).ok


async def test_export_and_verify_from_the_cli(tmp_path: Path) -> None:
    result = await gateway(tmp_path).handle(
        ChatRequest("fake-model", (ChatMessage("user", ANSWER),), 32), USER
    )
    assert isinstance(result, ChatResult)
    (tmp_path / "reply.json").write_text(json.dumps(encoded_body(result), ensure_ascii=False))
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path), "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([GWANMUN, *args], env=env, capture_output=True, text=True, timeout=60)

    def run_in(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        there = {**env, "GWANMUN_DATA_DIR": str(data_dir)}
        return subprocess.run(
            [GWANMUN, *args], env=there, capture_output=True, text=True, timeout=60
        )

    assert run("export", str(tmp_path / "reply.json"), "-o", str(tmp_path / "a.md")).returncode == 0
    document = (tmp_path / "a.md").read_text(encoding="utf-8")
    assert document.startswith(MARK_PREFIX) and "서울시" in document and ANSWER in document
    ok = run("verify", str(tmp_path / "a.md"))
    assert ok.returncode == 0 and "unchanged" in ok.stdout
    (tmp_path / "b.md").write_text(document.replace("7일", "14일"), encoding="utf-8")
    bad = run("verify", str(tmp_path / "b.md"))
    assert bad.returncode == 1 and "sentence 2 changed" in bad.stderr
    # A verifier elsewhere uses the public key the institution published.
    pem = run("signing-key")
    assert pem.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert pem.stdout == public_pem(load_or_create_signing_key(tmp_path / "provenance.key"))
    (tmp_path / "pub.pem").write_text(pem.stdout)
    other = {**env, "GWANMUN_DATA_DIR": str(tmp_path / "elsewhere")}
    remote = subprocess.run(
        [GWANMUN, "verify", str(tmp_path / "a.md"), "--public-key", str(tmp_path / "pub.pem")],
        env=other, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    (tmp_path / "c.md").write_text("no record here")
    missing = run("verify", str(tmp_path / "c.md"))
    assert missing.returncode == 1 and "gwanmun export" in missing.stderr
    # The visible AI-generated mark is covered: edited or deleted, the export fails.
    first, rest = document.split("\n", 1)
    (tmp_path / "d.md").write_text(first.replace("서울시", "부산시") + "\n" + rest)
    edited = run("verify", str(tmp_path / "d.md"))
    assert edited.returncode == 1 and "mark (first line) was edited" in edited.stderr
    (tmp_path / "e.md").write_text(rest)
    deleted = run("verify", str(tmp_path / "e.md"))
    assert deleted.returncode == 1 and "mark (first line) was removed" in deleted.stderr
    # Run against a directory without the gateway's state, nothing is made up.
    lost = run_in(tmp_path / "empty", "signing-key")
    assert lost.returncode == 1 and "no signing key in" in lost.stderr
    assert "GWANMUN_DATA_DIR" in lost.stderr and not (tmp_path / "empty").exists()
    wrong_dir = run_in(tmp_path / "empty", "verify", str(tmp_path / "a.md"))
    assert wrong_dir.returncode == 1 and "no signing key" in wrong_dir.stderr
