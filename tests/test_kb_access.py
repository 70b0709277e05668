"""Access control and grades hold for every question, not on average.

Three groups, four knowledge bases (one per group, one of them shared with
another group, and one for the whole institution) and 300 generated documents,
a fifth of them marked 대외비 (grade C) and a fifth carrying a phone number
(grade S). 1,000 questions, each asked by a random group over every base it may
read, go through retrieval and the real gateway to one of two recording
stand-in backends (named so: the point is what reaches them), one allowed grade
O and one grade S. Every passage is identified by a tag in its text, so what
the backends received is checked on the text itself, not on our own list.

A passage is sent at the grade it has once the policy's masks are applied,
like a typed message: one graded S for a phone number reaches the grade-O
backend with the number masked ("masked down"); a 대외비 one reaches neither.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.errors import NotFound
from gwanmun.kb.service import Added, KnowledgeBases, Upload
from gwanmun.services import Services, build_services
from gwanmun.settings import Settings
from gwanmun.types import ChatMessage, ChatRequest, Grade, Principal, Role

GROUPS = ("민원과", "기획과", "감사과")
ADMIN = Principal("root", group="정보화담당관", role=Role.ADMIN)
# base id → (owner group or None for the institution, reader groups)
BASES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "kb-minwon": ("민원과", ()),
    "kb-gihoek": ("기획과", ("민원과",)),
    "kb-gamsa": ("감사과", ()),
    "kb-all": (None, ("*",)),
}
TOPICS = (
    "주차",
    "도로",
    "하천",
    "공원",
    "급식",
    "보건소",
    "도서관",
    "청소",
    "가로등",
    "버스",
    "상수도",
    "하수도",
    "건축",
    "세금",
    "복지",
    "체육관",
    "문화재",
    "환경",
    "교통",
    "주민센터",
)
TAG = re.compile(r"〔(kb-[a-z]+)/(\d{3})〕")
PHONE = re.compile(r"010-\d{4}-\d{4}")


@dataclass(frozen=True)
class Doc:
    kb: str
    number: int
    grade: Grade
    topic: str
    text: str


def documents(rng: random.Random) -> list[Doc]:
    docs = []
    for n in range(300):
        kb = list(BASES)[n % len(BASES)]
        topic = TOPICS[rng.randrange(len(TOPICS))]
        year = 2020 + n % 7
        body = (
            f"〔{kb}/{n:03d}〕 {year}년 {topic} 민원 처리 지침 제{n}호: {topic} 관련 민원은 "
            f"접수 후 {n % 9 + 1}일 안에 담당 부서가 현장을 확인하고 회신한다."
        )
        grade = Grade.O
        if n % 5 == 1:
            body = "대외비\n" + body
            grade = Grade.C
        elif n % 5 == 2:
            body += f" 문의: 담당 주무관 010-{2000 + n:04d}-{5000 + n:04d}"
            grade = Grade.S
        docs.append(Doc(kb, n, grade, topic, body))
    return docs


@dataclass
class Rig:
    services: Services
    knowledge: KnowledgeBases
    docs: dict[tuple[str, int], Doc]
    open_backend: FakeBackend
    sensitive_backend: FakeBackend


@pytest.fixture(scope="module", params=["sqlite", "pgvector"])
def rig(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Rig]:
    """The bases on SQLite (vectors ranked in memory) and on PostgreSQL with
    pgvector (ranked in the database, access and grades inside its query)."""
    open_backend = FakeBackend(name="open", model="model-o", answer="답변입니다.")
    open_backend.max_grade = Grade.O  # type: ignore[misc]
    sensitive_backend = FakeBackend(name="sensitive", model="model-s", answer="답변입니다.")
    database_url = None
    if request.param == "pgvector":
        database_url = request.getfixturevalue("pgvector").create_database("kb_access")
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("kb-access"),
        embedded={"enabled": False},
        rate_limits={"user_requests_per_minute": 100_000, "group_requests_per_minute": 100_000},
        database_url=database_url,
    )
    services = build_services(
        settings, backends=[open_backend, sensitive_backend], audit=MemoryAuditSink()
    )
    knowledge = services.knowledge
    assert knowledge is not None
    assert knowledge.store.ranks_vectors is (request.param == "pgvector")
    for kb, (owner, readers) in BASES.items():
        knowledge.create(kb, ADMIN, owner=owner, readers=readers, institution=owner is None)
    docs = documents(random.Random(20))
    for kb, (owner, _) in BASES.items():
        mine = [doc for doc in docs if doc.kb == kb]
        writer = Principal("writer", group=owner) if owner else ADMIN
        uploads = [Upload(f"지침-{doc.number:03d}.txt", doc.text.encode()) for doc in mine]
        for doc, added in zip(mine, knowledge.add_many(kb, uploads, writer), strict=True):
            assert isinstance(added, Added) and added.document.grade is doc.grade, doc.text
    yield Rig(
        services, knowledge, {(d.kb, d.number): d for d in docs}, open_backend, sensitive_backend
    )
    knowledge.store.close()


def readable(group: str) -> list[str]:
    return [
        kb
        for kb, (owner, readers) in BASES.items()
        if owner == group or group in readers or "*" in readers
    ]


async def test_a_thousand_questions_reach_only_what_the_group_and_backend_may_have(
    rig: Rig,
) -> None:
    rng = random.Random(7)
    returned_without_access = sent_without_access = sent_above_grade = 0
    refused = sent_passages = masked_down = 0
    for i in range(1000):
        group = rng.choice(GROUPS)
        principal = Principal(f"user{i % 17}", group=group)
        mine = readable(group)
        doc = rng.choice(list(rig.docs.values()))
        question = f"{doc.topic} 민원은 접수 후 며칠 안에 회신하나요? 지침 제{doc.number}호"
        backend = rig.open_backend if i % 2 else rig.sensitive_backend
        # Asking for a base the group may not read is refused, as if it did not exist.
        others = [kb for kb in BASES if kb not in mine]
        if others and i % 10 == 0:
            with pytest.raises(NotFound):
                rig.knowledge.search([*mine, others[0]], question, principal)
            refused += 1
        request = ChatRequest(
            model=backend.model,
            messages=(ChatMessage(role="user", content=question),),
            max_tokens=16,
        )
        # What retrieval returned is what the request now references.
        request = rig.knowledge.for_chat(request, mine, principal, backend.max_grade)
        returned_without_access += sum(r.kb_id not in mine for r in request.references)
        await rig.services.gateway.handle(request, principal)
        received = backend.seen[-1]
        for message in received.messages:
            for kb, number in TAG.findall(message.content):
                sent_passages += 1
                sent = rig.docs[(kb, int(number))]
                sent_without_access += kb not in mine
                # Graded by what it holds as received: a phone left readable is S.
                readable_phone = PHONE.search(message.content) is not None
                received_grade = (
                    Grade.C if sent.grade is Grade.C else (Grade.S if readable_phone else Grade.O)
                )
                sent_above_grade += received_grade > backend.max_grade
                masked_down += sent.grade is Grade.S and backend is rig.open_backend
    assert (returned_without_access, sent_without_access, sent_above_grade) == (0, 0, 0)
    assert refused >= 60 and sent_passages >= 3000  # the test did look at something
    assert masked_down >= 50  # S passages did reach the O backend, masked


async def test_a_grade_c_document_is_never_sent_but_is_found_for_its_readers(rig: Rig) -> None:
    secret = rig.docs[("kb-gihoek", 1)]  # n % 5 == 1: marked 대외비
    assert secret.grade is Grade.C
    question = f"{secret.topic} 민원 처리 지침 제{secret.number}호"
    reader = Principal("kim", group="민원과")
    assert any(
        h.passage.document == "지침-001.txt"
        for h in rig.knowledge.search(["kb-gihoek"], question, reader, max_grade=Grade.C)
    )
    for backend in (rig.open_backend, rig.sensitive_backend):
        hits = rig.knowledge.search(["kb-gihoek"], question, reader, max_grade=backend.max_grade)
        assert hits and all(h.passage.document != "지침-001.txt" for h in hits)
