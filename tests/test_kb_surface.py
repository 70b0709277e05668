"""Knowledge bases where people use them: the HTTP API and chat through the real
server with the official ``openai`` client, and the ``gwanmun kb`` commands.

The model is an in-process stand-in (named so) that records what it receives:
the point is what the gateway gives it and what the client is told.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest
from typer.testing import CliRunner

from devtools import hwp
from devtools.fakes import FakeBackend
from devtools.pdfs import pdf_bytes
from gwanmun.audit import MemoryAuditSink
from gwanmun.services import build_services
from gwanmun.settings import Settings
from gwanmun.types import Role
from tests.servers import running_gateway

RULES = """# 제1조 (처리 기간)
민원은 접수한 날부터 7일 안에 처리하고 결과를 회신한다.
# 제2조 (담당)
담당자는 김민수 주무관이며 연락처는 010-1234-5678이다.
"""


@dataclass
class Rig:
    base_url: str
    key: str
    outsider: str
    backend: FakeBackend
    audit: MemoryAuditSink


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    backend = FakeBackend(answer="민원은 7일 안에 처리합니다 [1].")
    settings = Settings(data_dir=tmp_path_factory.mktemp("kb-http"), embedded={"enabled": False})
    audit = MemoryAuditSink()
    services = build_services(settings, backends=[backend], audit=audit)
    key, _ = services.keys.create("kim", group="민원과", role=Role.USER)
    outsider, _ = services.keys.create("park", group="감사과", role=Role.USER)
    with running_gateway(settings, services) as base_url:
        yield Rig(base_url, key, outsider, backend, audit)


def test_a_question_over_an_uploaded_document_is_answered_with_its_passages(rig: Rig) -> None:
    headers = {"Authorization": f"Bearer {rig.key}"}
    with httpx.Client(base_url=rig.base_url, headers=headers, timeout=120) as http:
        created = http.post("/knowledge_bases", json={"id": "minwon"})
        assert created.status_code == 200, created.text
        upload = {"name": "규정.md", "data_base64": base64.b64encode(RULES.encode()).decode()}
        added = http.post("/knowledge_bases/minwon/documents", json=upload).json()
        assert (added["grade"], added["passages"], added["changed"]) == ("S", 2, True)
        listed = http.get("/knowledge_bases/minwon/documents").json()["data"]
        assert [d["name"] for d in listed] == ["규정.md"]
        found = http.post("/knowledge_bases/minwon/search", json={"query": "민원 처리 기간"})
        assert found.json()["data"][0]["section"] == "제1조 (처리 기간)"

    client = openai.OpenAI(base_url=rig.base_url, api_key=rig.key, max_retries=0)
    reply = client.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "민원 담당자 연락처와 처리 기간은?"}],
        extra_body={"knowledge_bases": ["minwon"]},
    )
    meta = reply.model_extra["gwanmun"]  # type: ignore[index]
    passages = meta["passages"]
    assert {p["section"] for p in passages} == {"제1조 (처리 기간)", "제2조 (담당)"}
    assert all(p["document"] == "규정.md" and len(p["sha256"]) == 64 for p in passages)
    # The answer's sentence is tied to the passage that supports it, by number.
    numbers = {p["section"]: p["number"] for p in passages}
    [sentence] = meta["grounding"]["sentences"]
    assert sentence["supported"]
    assert sentence["citation"]["passage"] == numbers["제1조 (처리 기간)"]
    # The passages reached the model as a source message, personal data masked
    # by the same policy as a typed message.
    sent = rig.backend.seen[-1]
    source = sent.messages[sent.sources[0]].content
    assert "7일 안에 처리" in source and "010-1234-5678" not in source
    assert "[1]" in source and "[2]" in source
    # The audit record names the passages by id and hash, never their text.
    event = rig.audit.events[-1].as_dict()
    assert [p["passage_id"] for p in event["passages"]] == [p["passage_id"] for p in passages]
    assert "처리" not in json.dumps(event["passages"], ensure_ascii=False)
    client.close()


def test_someone_outside_the_group_gets_not_found(rig: Rig) -> None:
    client = openai.OpenAI(base_url=rig.base_url, api_key=rig.outsider, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model="fake-model",
            messages=[{"role": "user", "content": "민원 처리 기간은?"}],
            extra_body={"knowledge_bases": ["minwon"]},
        )
    client.close()
    headers = {"Authorization": f"Bearer {rig.outsider}"}
    with httpx.Client(base_url=rig.base_url, headers=headers, timeout=60) as http:
        assert http.get("/knowledge_bases").json()["data"] == []
        assert (
            http.post("/knowledge_bases/minwon/search", json={"query": "민원"}).status_code == 404
        )


def test_the_kb_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gwanmun.cli.kb import kb_app

    monkeypatch.setenv("GWANMUN_DATA_DIR", str(tmp_path / "data"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "규정.md").write_text(RULES, encoding="utf-8")
    (docs / "보존.hwp").write_bytes(hwp.document(["제9조 (보존)", "회의록은 10년 동안 보존한다."]))
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(kb_app, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    run("create", "rules", "--group", "민원과", "--reader", "기획과")
    added = run("add", "rules", str(docs))
    assert "indexed 규정.md: 2 passages, grade S" in added and "indexed 보존.hwp" in added
    assert "unchanged 규정.md" in run("add", "rules", str(docs))
    kept = json.loads(run("search", "회의록 보존", "--kb", "rules", "--group", "민원과", "--json"))
    assert kept[0]["section"] == "제9조 (보존)"
    assert "rules" in run("list")
    assert "규정.md" in run("list", "rules")
    hits = json.loads(
        run("search", "민원 처리 기간", "--kb", "rules", "--group", "기획과", "--json")
    )
    assert hits[0]["section"] == "제1조 (처리 기간)"
    denied = runner.invoke(kb_app, ["search", "민원", "--kb", "rules", "--group", "감사과"])
    assert denied.exit_code == 1
    run("remove", "rules", "규정.md")
    run("remove", "rules", "보존.hwp")
    after = run("search", "민원 처리 기간", "--kb", "rules", "--group", "민원과", "--json")
    assert json.loads(after) == []


def test_a_pdf_answer_cites_the_page(rig: Rig) -> None:
    filler = "The committee reviewed the annual schedule and agreed on the order of business. "
    pages = [
        "Chapter 1 Purpose. " + filler * 6,
        "Chapter 2 Deadlines. Complaints are answered within seven working days. " + filler * 5,
        "Chapter 3 Records. Minutes are kept for ten years. " + filler * 5,
    ]
    headers = {"Authorization": f"Bearer {rig.key}"}
    with httpx.Client(base_url=rig.base_url, headers=headers, timeout=120) as http:
        assert http.post("/knowledge_bases", json={"id": "manual"}).status_code == 200
        upload = {"name": "manual.pdf", "data_base64": base64.b64encode(pdf_bytes(pages)).decode()}
        added = http.post("/knowledge_bases/manual/documents", json=upload)
        assert added.status_code == 200, added.text
        assert added.json()["passages"] == 3
        found = http.post(
            "/knowledge_bases/manual/search", json={"query": "How many days to answer complaints?"}
        ).json()["data"][0]
        assert (found["page"], found["page_end"]) == (2, 2)

    client = openai.OpenAI(base_url=rig.base_url, api_key=rig.key, max_retries=0)
    reply = client.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "How many days to answer complaints?"}],
        extra_body={"knowledge_bases": ["manual"]},
    )
    client.close()
    passages = reply.model_extra["gwanmun"]["passages"]  # type: ignore[index]
    first = passages[0]
    assert (first["document"], first["page"]) == ("manual.pdf", 2)
    sent = rig.backend.seen[-1]
    source = sent.messages[sent.sources[0]].content
    # The model is told where each passage comes from, so it can cite the page.
    assert "[1] manual.pdf — p. 2\n" in source


def test_kb_add_embeds_on_every_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No gateway serves from the CLI's process: ``kb add`` gives the encoder every
    core; the other commands (a search embeds a question) keep all but one."""
    from gwanmun.backends.embedded import available_cores, model_threads
    from gwanmun.cli.kb import _open
    from gwanmun.kb.embedders import E5Embedder

    monkeypatch.setenv("GWANMUN_DATA_DIR", str(tmp_path / "data"))
    for indexing, threads in ((True, available_cores()), (False, model_threads(0))):
        service = _open(indexing=indexing)
        assert isinstance(service.embedder, E5Embedder)
        assert service.embedder.threads == threads
        service.store.close()
