"""Knowledge bases on PostgreSQL (``database_url``) shared by two gateway
processes' services on one real database: what one adds, the other finds; what
one deletes, neither returns — through the HTTP API of each, with the official
client for chat."""

from __future__ import annotations

import base64
from contextlib import ExitStack
from pathlib import Path

import httpx
import openai
import pytest

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.errors import EgressDenied
from gwanmun.kb.postgres import PostgresKnowledgeStore
from gwanmun.services import build_services
from gwanmun.settings import Settings
from gwanmun.types import Role
from tests.servers import running_gateway

RULES = """# 제1조 (처리 기간)
민원은 접수한 날부터 7일 안에 처리하고 결과를 회신한다.
"""
STAMPS = "한정판 고양이 우표 발행 계획: 우정사업본부는 고양이 우표를 발행한다.\n"


def test_two_replicas_share_bases_documents_and_deletions(
    postgres_url: str, tmp_path: Path
) -> None:
    bases = []
    with ExitStack() as stack:
        for n in (1, 2):
            settings = Settings(
                data_dir=tmp_path / f"replica{n}",
                embedded={"enabled": False},
                database_url=postgres_url,
            )
            backend = FakeBackend(answer="7일 안에 처리합니다.")
            services = build_services(settings, backends=[backend], audit=MemoryAuditSink())
            assert isinstance(services.knowledge.store, PostgresKnowledgeStore)  # type: ignore[union-attr]
            # Keys live per replica today (issue 21): one for the same person on each.
            key, _ = services.keys.create("kim", group="민원과", role=Role.USER)
            base_url = stack.enter_context(running_gateway(settings, services))
            bases.append((base_url, key, backend))
        (one, key1, _), (two, key2, backend2) = bases
        with httpx.Client(headers={"Authorization": f"Bearer {key1}"}, timeout=120) as http:
            assert http.post(f"{one}/knowledge_bases", json={"id": "shared"}).status_code == 200
            for name, text in (("규정.md", RULES), ("우표.txt", STAMPS)):
                upload = {"name": name, "data_base64": base64.b64encode(text.encode()).decode()}
                added = http.post(f"{one}/knowledge_bases/shared/documents", json=upload)
                assert added.status_code == 200, added.text
        with httpx.Client(headers={"Authorization": f"Bearer {key2}"}, timeout=120) as http:
            # The other replica finds it, and warms its own index with it.
            found = http.post(f"{two}/knowledge_bases/shared/search", json={"query": "고양이 우표"})
            assert found.json()["data"][0]["document"] == "우표.txt"
        client = openai.OpenAI(base_url=two, api_key=key2, max_retries=0)
        client.chat.completions.create(
            model="fake-model",
            messages=[{"role": "user", "content": "민원 처리 기간은?"}],
            extra_body={"knowledge_bases": ["shared"]},
        )
        client.close()
        sent = backend2.seen[-1]
        assert "7일 안에 처리" in sent.messages[sent.sources[0]].content
        # Deleted through replica 1: replica 2's cached index is not used again.
        with httpx.Client(headers={"Authorization": f"Bearer {key1}"}, timeout=120) as http:
            gone = http.delete(f"{one}/knowledge_bases/shared/documents/우표.txt")
            assert gone.json()["deleted"] is True
        with httpx.Client(headers={"Authorization": f"Bearer {key2}"}, timeout=120) as http:
            after = http.post(f"{two}/knowledge_bases/shared/search", json={"query": "고양이 우표"})
            assert all(h["document"] != "우표.txt" for h in after.json()["data"])


def test_a_database_outside_the_internal_networks_is_refused(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embedded={"enabled": False},
        database_url="postgresql://gwanmun@203.0.113.7:5432/gwanmun",
    )
    with pytest.raises(EgressDenied, match=r"the shared-state database .*outside the allowed"):
        build_services(settings, backends=[FakeBackend()], audit=MemoryAuditSink())
