"""Knowledge bases with real parts: the input guard grades passages at ingest,
USE embeds them, SQLite keeps them. Access and grades are filters inside the
ranking; a changed document is re-indexed alone; a deleted one is gone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from gwanmun.errors import InvalidRequest, NotFound, PermissionDenied
from gwanmun.kb.embedders import Embedder, embedder
from gwanmun.kb.index import LexicalIndex, cosines, rank, top
from gwanmun.kb.passages import split
from gwanmun.kb.postgres import PostgresKnowledgeStore
from gwanmun.kb.service import Added, KnowledgeBases, Upload
from gwanmun.kb.store import KnowledgeStore, SQLiteKnowledgeStore
from gwanmun.services import default_input_guard
from gwanmun.settings import Settings
from gwanmun.types import Grade, Principal, Role

MINWON = Principal("kim", group="민원과")
GIHOEK = Principal("lee", group="기획과")
GAMSA = Principal("park", group="감사과")
ADMIN = Principal("root", role=Role.ADMIN)

RULES = """# 제1조 (목적)
이 규정은 민원 처리 기간과 절차를 정한다. 민원은 접수한 날부터 7일 안에 처리한다.
# 제2조 (담당)
민원 담당자는 김민수 주무관이며 연락처는 010-1234-5678이다.
"""
SECRET = (
    "대외비\n2027년 예산 편성안: 청사 이전 사업비 총액 30억 원.\n\n" + "보안 유지 바랍니다. " * 120
)


@pytest.fixture(scope="module", params=["sqlite", "postgres", "pgvector"])
def kb(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[KnowledgeBases]:
    """The same tests on every store (PostgreSQL: a real server, a fresh database;
    with pgvector, vectors are ranked in the database)."""
    data = tmp_path_factory.mktemp("kb")
    settings = Settings(data_dir=data, embedded={"enabled": False})
    encoder = embedder("use")
    store: KnowledgeStore
    if request.param == "sqlite":
        store = SQLiteKnowledgeStore(data / "knowledge.db")
    else:
        server = request.getfixturevalue(request.param)
        store = PostgresKnowledgeStore(server.create_database("kb_module"), dim=encoder.dim)
    assert store.ranks_vectors is (request.param == "pgvector")
    service = KnowledgeBases(store, default_input_guard(settings), encoder)
    service.create("minwon", MINWON, readers=["기획과"])
    service.add("minwon", "규정.md", RULES.encode(), MINWON)
    service.add("minwon", "예산.txt", SECRET.encode(), MINWON)
    yield service
    service.store.close()


def test_passages_are_graded_at_ingest_and_a_marking_grades_the_whole_document(
    kb: KnowledgeBases,
) -> None:
    docs = {d.name: d for d in kb.documents("minwon", MINWON)}
    assert docs["규정.md"].grade is Grade.S  # a phone number in one passage
    assert docs["예산.txt"].grade is Grade.C
    passages = {p.document: [] for p in kb.store.passages(["minwon"])}
    for p in kb.store.passages(["minwon"]):
        passages[p.document].append(p)
    assert [p.grade for p in passages["규정.md"]] == [Grade.O, Grade.S]
    # The marking is in the first passage only; every passage carries its grade.
    assert len(passages["예산.txt"]) > 1
    assert {p.grade for p in passages["예산.txt"]} == {Grade.C}
    assert [p.section for p in passages["규정.md"]] == ["제1조 (목적)", "제2조 (담당)"]


def test_retrieval_answers_a_question_with_its_passage(kb: KnowledgeBases) -> None:
    hits = kb.search(["minwon"], "민원은 며칠 안에 처리해야 하나요?", MINWON, k=3)
    assert hits[0].passage.section == "제1조 (목적)"


def test_grades_filter_inside_the_ranking_so_k_readable_passages_come_back(
    kb: KnowledgeBases,
) -> None:
    question = "대외비 예산 편성안 사업비 총액 보안 유지"
    top = kb.search(["minwon"], question, MINWON, max_grade=Grade.C, k=2)
    assert top[0].passage.document == "예산.txt"
    allowed = kb.search(["minwon"], question, MINWON, max_grade=Grade.O, k=5)
    assert allowed and all(h.passage.send_grade is Grade.O for h in allowed)
    # Not a top-k filtered afterwards: the best passages an O model may receive
    # fill the list — the one that is S for a phone number too (masked down).
    sendable = [p for p in kb.store.passages(["minwon"]) if p.send_grade is Grade.O]
    assert len(allowed) == len(sendable)
    assert {p.grade for p in sendable} == {Grade.O, Grade.S}


def test_only_the_owner_and_readers_see_a_base(kb: KnowledgeBases) -> None:
    assert kb.search(["minwon"], "민원 처리 기간", GIHOEK, k=1)
    with pytest.raises(NotFound):
        kb.search(["minwon"], "민원 처리 기간", GAMSA, k=1)
    with pytest.raises(NotFound):  # the same answer as for a base that does not exist
        kb.search(["nothing-here"], "민원", GAMSA, k=1)
    assert [b.id for b in kb.readable(GAMSA)] == []
    with pytest.raises(PermissionDenied):  # readers read; they do not change
        kb.add("minwon", "x.txt", b"text", GIHOEK)


def test_re_adding_reindexes_only_the_changed_document(kb: KnowledgeBases) -> None:
    before = {d.name: d for d in kb.documents("minwon", MINWON)}
    same = kb.add("minwon", "규정.md", RULES.encode(), MINWON)
    assert not same.changed and same.document.id == before["규정.md"].id
    changed = kb.add(
        "minwon",
        "규정.md",
        (RULES + "# 제3조 (시행)\n이 규정은 공포한 날부터 시행한다.\n").encode(),
        MINWON,
    )
    after = {d.name: d for d in kb.documents("minwon", MINWON)}
    assert changed.changed and after["규정.md"].id != before["규정.md"].id
    assert after["예산.txt"].id == before["예산.txt"].id  # untouched
    hits = kb.search(["minwon"], "규정은 언제부터 시행하나요?", MINWON, k=1)
    assert hits[0].passage.section == "제3조 (시행)"


class CountingEmbedder:
    """The real encoder, counting the passages it is asked to embed (the point is
    which passages are embedded again, not the vectors)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.id, self.dim = inner.id, inner.dim
        self.embedded: list[str] = []

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.passages(texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.queries(texts)


def test_add_many_embeds_each_new_text_once_and_reports_each_upload(kb: KnowledgeBases) -> None:
    counting = CountingEmbedder(kb.embedder)
    kb.embedder, inner = counting, kb.embedder
    try:
        kb.create("batch", MINWON)
        notice = "# 제1조 (공지)\n청사 주차장은 3월 2일부터 공사로 닫는다.\n"
        hours = "# 제2조 (민원실)\n민원실은 평일 오전 9시부터 오후 6시까지 연다.\n"
        outcomes = kb.add_many(
            "batch",
            [
                Upload("공지.md", (notice + hours).encode()),
                Upload("빈.txt", b"   \n"),
                Upload("민원실.md", hours.encode()),  # the same passage as 공지.md's second
            ],
            MINWON,
        )
        assert isinstance(outcomes[1], InvalidRequest) and "빈.txt" in outcomes[1].message
        first, third = outcomes[0], outcomes[2]
        assert isinstance(first, Added) and isinstance(third, Added)
        assert first.changed and third.changed and first.document.passages == 2
        # Three passages stored, two distinct texts: each embedded once.
        assert sorted(counting.embedded) == sorted([notice.strip(), hours.strip()])
        stored = kb.store.passages(["batch"])
        assert len(stored) == 3
        by_text: dict[str, list[np.ndarray]] = {}
        for passage in stored:
            by_text.setdefault(passage.text, []).append(passage.vector)
        assert np.array_equal(*by_text[hours.strip()])

        # An edited document: only its new passage is embedded; the unchanged one
        # keeps the vector it had, which is the one a fresh embedding gives.
        counting.embedded.clear()
        late = "# 제3조 (야간)\n목요일에는 오후 8시까지 야간 민원실을 운영한다.\n"
        edited = kb.add("batch", "공지.md", (notice + hours + late).encode(), MINWON)
        assert edited.changed and edited.document.passages == 3
        assert counting.embedded == [late.strip()]
        unchanged = next(p for p in kb.store.passages(["batch"]) if p.text == notice.strip())
        fresh = inner.passages([notice.strip()])[0]
        assert np.allclose(unchanged.vector, fresh, atol=1e-5)
        hits = kb.search(["batch"], "목요일 야간 민원실은 몇 시까지 하나요?", MINWON, k=1)
        assert hits[0].passage.section == "제3조 (야간)"
    finally:
        kb.embedder = inner


def test_deleting_a_document_leaves_nothing_to_retrieve(kb: KnowledgeBases, tmp_path: Path) -> None:
    kb.create("scratch", MINWON)
    text = "한정판 고양이 우표 발행 계획: 우정사업본부는 고양이 우표를 발행한다."
    doc = kb.add("scratch", "우표.txt", text.encode(), MINWON).document
    assert kb.search(["scratch"], "고양이 우표", MINWON, k=5)  # warm the cached index
    assert kb.remove("scratch", "우표.txt", MINWON)
    assert kb.search(["scratch"], "고양이 우표", MINWON, k=5) == []
    assert kb.search(["scratch"], "우정사업본부", MINWON, k=5, mode="dense") == []
    # Nothing of it is left in the database: no passage, vector or document row.
    assert _rows_left(kb.store, "고양이", "scratch") == (0, 0)
    # No in-memory index still holds a copy of it.
    cached = [p for loaded in kb._cache.values() for p in loaded.passages]
    assert all(p.document_id != doc.id for p in cached)


def _rows_left(store: KnowledgeStore, word: str, kb_id: str) -> tuple[int, int]:
    """Passages holding ``word`` and documents of ``kb_id``, read from the database itself."""
    like = f"%{word}%"
    if isinstance(store, PostgresKnowledgeStore):
        with store._pool.connection() as conn:
            rows = conn.execute(
                "SELECT count(*) FROM kb_passages WHERE text LIKE %s", (like,)
            ).fetchone()
            docs = conn.execute(
                "SELECT count(*) FROM kb_documents WHERE kb_id = %s", (kb_id,)
            ).fetchone()
        assert rows is not None and docs is not None
        return int(rows[0]), int(docs[0])
    assert isinstance(store, SQLiteKnowledgeStore)
    db = sqlite3.connect(store._db.execute("PRAGMA database_list").fetchone()[2])
    counted = (
        db.execute("SELECT count(*) FROM passages WHERE text LIKE ?", (like,)).fetchone()[0],
        db.execute("SELECT count(*) FROM documents WHERE kb_id = ?", (kb_id,)).fetchone()[0],
    )
    db.close()
    return counted


def test_institution_bases_are_made_by_administrators() -> None:
    # Pure rules of the store value: '*' means every group.
    from gwanmun.kb.store import KnowledgeBase

    everyone = KnowledgeBase("all", "all", None, ("*",))
    assert everyone.readable_by("감사과") and everyone.readable_by(None)
    assert not KnowledgeBase("x", "x", "민원과", ()).readable_by(None)


def test_bm25_and_fusion_rank_as_expected() -> None:
    docs = [["민원", "처리", "기간"], ["예산", "편성"], ["민원", "담당자"]]
    index = LexicalIndex(docs)
    vectors = np.eye(3, dtype=np.float32)
    ranked = rank(index, vectors, ["민원", "기간"], vectors[0], allowed=None, k=3)
    assert ranked[0].row == 0
    masked = rank(
        index, vectors, ["민원", "기간"], vectors[0], allowed=np.array([False, True, True]), k=3
    )
    assert [r.row for r in masked][:1] == [2] and all(r.row != 0 for r in masked)


def test_cosines_are_the_matrix_product_up_to_rounding() -> None:
    # Not BLAS (whose idle threads spin on the e5 engine's core), the same ranking.
    rng = np.random.default_rng(20)
    vectors = rng.standard_normal((20_000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[7] + 0.5 * vectors[8]
    query /= np.linalg.norm(query)
    scores = cosines(vectors, query)
    assert scores.dtype == np.float32
    assert np.allclose(scores, vectors @ query, rtol=0, atol=1e-6)
    assert top(scores, None, 100) == top(vectors @ query, None, 100)


def test_split_keeps_sections_and_bounds_passages() -> None:
    pieces = split(
        "第1条 目的\n" + "この規則は手続を定める。" * 100 + "\n第2条 施行\n公布の日から施行する。"
    )
    assert all(len(p.text) <= 800 for p in pieces)
    assert pieces[0].section == "第1条 目的" and pieces[-1].section == "第2条 施行"


def test_passages_know_the_pages_they_span() -> None:
    # Lines are packed into passages of at most 800 characters, across page breaks.
    pieces = split("a" * 500 + "\f" + "b" * 400 + "\n" + "c" * 300 + "\f\f" + "d" * 50)
    assert [(p.page, p.page_end) for p in pieces] == [(1, 1), (2, 4)]
    assert all(p.page is None for p in split("no pages\nhere"))
