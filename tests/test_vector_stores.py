"""The OpenAI files and vector-stores endpoints through the real server, driven by
the official ``openai`` client (its own upload, polling and pagination code),
over real knowledge bases (kiwipiepy, e5, SQLite)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest

from devtools import hwp, hwpx
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
    data_dir: Path
    client: openai.OpenAI  # kim, 민원과
    reader: openai.OpenAI  # lee, 기획과 (named as a reader)
    outsider: openai.OpenAI  # park, 감사과
    backend: FakeBackend


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    data_dir = tmp_path_factory.mktemp("vector-stores")
    backend = FakeBackend(answer="민원은 7일 안에 처리합니다 [1].")
    settings = Settings(data_dir=data_dir, embedded={"enabled": False})
    services = build_services(settings, backends=[backend], audit=MemoryAuditSink())
    clients = []
    with running_gateway(settings, services) as base_url:
        for user, group in (("kim", "민원과"), ("lee", "기획과"), ("park", "감사과")):
            key, _ = services.keys.create(user, group=group, role=Role.USER)
            clients.append(openai.OpenAI(base_url=base_url, api_key=key, max_retries=0))
        yield Rig(base_url, data_dir, *clients, backend)
        for client in clients:
            client.close()


def test_the_sdk_flow_upload_attach_search_and_chat(rig: Rig) -> None:
    store = rig.client.vector_stores.create(name="민원 규정", metadata={"readers": "기획과"})
    assert store.id.startswith("vs_") and store.status == "completed"
    attached = rig.client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("규정.md", io.BytesIO(RULES.encode()))
    )
    assert attached.status == "completed" and attached.vector_store_id == store.id
    # The SDK's own code found it by the uploaded file's id.
    assert rig.client.vector_stores.files.retrieve(attached.id, vector_store_id=store.id)
    again = rig.client.vector_stores.retrieve(store.id)
    assert again.file_counts.completed == 1 and again.name == "민원 규정"

    # Someone in a reader group searches; the passage comes with its place and grade.
    results = rig.reader.vector_stores.search(store.id, query="민원 처리 기간은 며칠?")
    first = results.data[0]
    assert first.filename == "규정.md" and first.file_id == attached.id
    assert first.attributes["section"] == "제1조 (처리 기간)"  # type: ignore[index]
    assert "7일 안에 처리" in first.content[0].text

    # The store is a knowledge base: chat answers from it, personal data masked.
    reply = rig.reader.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "담당자 연락처와 처리 기간은?"}],
        extra_body={"knowledge_bases": [store.id]},
    )
    assert reply.model_extra["gwanmun"]["passages"]  # type: ignore[index]
    sent = rig.backend.seen[-1]
    source = sent.messages[sent.sources[0]].content
    assert "7일 안에 처리" in source and "010-1234-5678" not in source

    # Outside the reader groups, the store does not exist.
    assert store.id not in [s.id for s in rig.outsider.vector_stores.list()]
    with pytest.raises(openai.NotFoundError):
        rig.outsider.vector_stores.search(store.id, query="민원")

    # Deleting the file leaves nothing of it to retrieve; deleting the store, nothing at all.
    deleted = rig.client.vector_stores.files.delete(attached.id, vector_store_id=store.id)
    assert deleted.deleted
    assert rig.client.vector_stores.search(store.id, query="민원 처리 기간").data == []
    assert rig.client.vector_stores.delete(store.id).deleted
    with pytest.raises(openai.NotFoundError):
        rig.client.vector_stores.retrieve(store.id)


def test_a_file_s_bytes_are_dropped_once_indexed(rig: Rig) -> None:
    uploaded = rig.client.files.create(
        file=("manual.pdf", pdf_bytes(["Chapter 1 Scope.", "Chapter 2 Records: ten years."])),
        purpose="assistants",
    )
    assert uploaded.bytes > 0 and uploaded.filename == "manual.pdf"
    assert next(f.id for f in rig.client.files.list()) == uploaded.id  # newest first
    store = rig.client.vector_stores.create(name="manual", file_ids=[uploaded.id])
    assert store.file_counts.completed == 1
    with sqlite3.connect(rig.data_dir / "files.db") as db:
        (data,) = db.execute("SELECT data FROM files WHERE id = ?", (uploaded.id,)).fetchone()
    assert data is None  # the passages are the only copy now
    hit = rig.client.vector_stores.search(store.id, query="records ten years").data[0]
    assert (hit.attributes["page"], hit.attributes["page_end"]) == (1, 2)  # type: ignore[index]
    other = rig.client.vector_stores.create(name="other")
    with pytest.raises(openai.BadRequestError, match="upload it again"):
        rig.client.vector_stores.files.create(vector_store_id=other.id, file_id=uploaded.id)
    # Files are their uploader's: nobody else sees or attaches them.
    with pytest.raises(openai.NotFoundError):
        rig.reader.files.retrieve(uploaded.id)
    assert rig.client.files.delete(uploaded.id).deleted
    assert uploaded.id not in [f.id for f in rig.client.files.list()]


def test_an_hwpx_answer_cites_its_article(rig: Rig) -> None:
    """Hangul's own format end to end: uploaded with the SDK, graded, retrieved,
    and the answer's sentence tied to the article that supports it."""
    regulation = hwpx.document(
        [
            "제1조 (목적)",
            "이 규정은 주민 불편 신고의 처리 절차를 정한다.",
            "제2조 (처리 기간)",
            "민원은 접수한 날부터 7일 안에 처리하고 결과를 회신한다.",
        ]
    )
    store = rig.client.vector_stores.create(name="불편 신고 규정")
    attached = rig.client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("불편신고규정.hwpx", io.BytesIO(regulation))
    )
    assert attached.status == "completed"
    assert attached.attributes == {"filename": "불편신고규정.hwpx", "grade": "O", "passages": 2}
    reply = rig.client.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "민원은 며칠 안에 처리하나요?"}],
        extra_body={"knowledge_bases": [store.id]},
    )
    meta = reply.model_extra["gwanmun"]  # type: ignore[index]
    numbers = {p["section"]: p["number"] for p in meta["passages"]}
    assert numbers.keys() >= {"제2조 (처리 기간)"}
    [sentence] = meta["grounding"]["sentences"]
    assert sentence["citation"]["passage"] == numbers["제2조 (처리 기간)"]


def test_an_hwp_answer_cites_its_article_and_finds_its_table(rig: Rig) -> None:
    """Binary HWP 5 end to end: articles, a table and a footnote in records, uploaded
    with the SDK, graded, searched and cited like the hwpx above."""
    regulation = hwp.document(
        [
            "제1조 (목적)",
            "이 규정은 주민 불편 신고의 처리 절차를 정한다.",
            "제2조 (처리 기간)",
            [
                "민원은 접수한 날부터 7일 안에 처리하고 결과를 회신한다",
                hwp.Footnote("공휴일은 처리 기간에 넣지 않는다."),
                ".",
            ],
            "제3조 (기간 표)",
            [hwp.Table([["구분", "기간"], ["일반 민원", "7일"], ["고충 민원", "14일"]])],
        ]
    )
    store = rig.client.vector_stores.create(name="불편 신고 규정 (hwp)")
    attached = rig.client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("불편신고규정.hwp", io.BytesIO(regulation))
    )
    assert attached.status == "completed"
    assert attached.attributes == {"filename": "불편신고규정.hwp", "grade": "O", "passages": 3}

    # The table's rows stay rows, under the article that holds the table.
    [table] = [
        hit
        for hit in rig.client.vector_stores.search(store.id, query="고충 민원은 며칠?").data
        if hit.attributes["section"] == "제3조 (기간 표)"  # type: ignore[index]
    ]
    assert "고충 민원\t14일" in table.content[0].text

    reply = rig.client.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "민원은 며칠 안에 처리하나요?"}],
        extra_body={"knowledge_bases": [store.id]},
    )
    meta = reply.model_extra["gwanmun"]  # type: ignore[index]
    numbers = {p["section"]: p["number"] for p in meta["passages"]}
    [sentence] = meta["grounding"]["sentences"]
    assert sentence["citation"]["passage"] == numbers["제2조 (처리 기간)"]
    cited = next(p for p in meta["passages"] if p["section"] == "제2조 (처리 기간)")
    assert cited["document"] == "불편신고규정.hwp"
    # The footnote travels with its article to the model.
    sent = rig.backend.seen[-1]
    assert "공휴일은 처리 기간에 넣지 않는다." in sent.messages[sent.sources[0]].content


def test_lists_page_the_way_the_sdk_expects(rig: Rig) -> None:
    made = [rig.client.vector_stores.create(name=f"page-{i}").id for i in range(3)]
    first = rig.client.vector_stores.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    everything = [s.id for s in rig.client.vector_stores.list(limit=2)]  # follows `after`
    assert set(made) <= set(everything) and len(everything) == len(set(everything))
    newest_first = [s.id for s in rig.client.vector_stores.list(order="desc")]
    assert newest_first.index(made[2]) < newest_first.index(made[0])


@pytest.mark.parametrize(
    ("method", "path", "body", "param"),
    [
        ("POST", "/vector_stores", {"name": "x", "expires_after": {"days": 1}}, "expires_after"),
        ("POST", "/vector_stores", {"name": "x", "metadata": {"team": "a"}}, "metadata"),
        ("POST", "/vector_stores", {"file_ids": ["file-nope"]}, "file_id"),
        ("GET", "/vector_stores?limit=0", None, "limit"),
        ("POST", "/files", {"purpose": "assistants"}, None),
    ],
)
def test_bad_requests_are_4xx_and_say_why(
    rig: Rig, method: str, path: str, body: dict[str, object] | None, param: str | None
) -> None:
    headers = {"Authorization": f"Bearer {rig.client.api_key}"}
    reply = httpx.request(method, rig.base_url + path, json=body, headers=headers, timeout=60)
    assert 400 <= reply.status_code < 500, reply.text
    error = reply.json()["error"]
    assert error["message"] and error["param"] == param


def test_upload_checks_its_form(rig: Rig) -> None:
    headers = {"Authorization": f"Bearer {rig.client.api_key}"}
    bad_purpose = httpx.post(
        rig.base_url + "/files",
        files={"file": ("a.txt", b"hello")},
        data={"purpose": "fine-tune"},
        headers=headers,
    )
    assert bad_purpose.status_code == 400 and bad_purpose.json()["error"]["param"] == "purpose"
    no_file = httpx.post(rig.base_url + "/files", data={"purpose": "assistants"}, headers=headers)
    assert no_file.status_code == 400
    two = httpx.post(
        rig.base_url + "/files",
        files=[("file", ("a.txt", b"a")), ("file", ("b.txt", b"b"))],
        headers=headers,
    )
    assert two.status_code == 400
    for content_type in ("multipart/form-data; boundary=x", "multipart/form-data"):
        garbage = httpx.post(
            rig.base_url + "/files",
            content=b"--x\r\nContent-Disposition: form-data\r\n\r\n\xff\x00" * 3,
            headers={**headers, "content-type": content_type},
        )
        assert garbage.status_code == 400, garbage.text
    store = rig.client.vector_stores.create(name="chunks")
    uploaded = rig.client.files.create(file=("a.md", b"# a\nhello"), purpose="assistants")
    with pytest.raises(openai.BadRequestError):
        rig.client.vector_stores.files.create(
            vector_store_id=store.id,
            file_id=uploaded.id,
            chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 100,
                                                            "chunk_overlap_tokens": 0}},
        )  # fmt: skip
