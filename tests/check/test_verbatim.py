"""Verbatim copying: documents of every supported format indexed; copies found
through whitespace, punctuation and small edits with their source and offsets;
unrelated and short overlaps not flagged; masked or stopped on the stream."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools import hwpx
from devtools.pdfs import write_pdf
from gwanmun.check.verbatim import CorpusIndex, VerbatimCheck
from gwanmun.documents import extract_text
from gwanmun.errors import InvalidRequest, OutputBlocked
from gwanmun.guard.base import IDENTITY_RESTORER, InputResult
from gwanmun.guard.output import CheckingOutputGuard
from gwanmun.policy import Policy, PolicyFile, load_policy
from gwanmun.types import ChatMessage, ChatRequest, Verdict

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))

KO = (
    "지방자치단체는 주민의 복리를 증진하기 위하여 필요한 시책을 수립하고 시행하여야 한다. "
    "이 조례는 주민 참여 예산의 편성과 운영에 관한 사항을 정함으로써 재정 운영의 투명성과 "
    "공정성을 높이는 것을 목적으로 한다. 시장은 매년 예산 편성 전에 주민 의견을 수렴하여야 한다."
)
JA = (
    "市は、市民の生活の安全を確保するため、防災に関する計画を策定し、これを実施しなければならない。"
    "この条例は、市民参加による予算編成の手続を定めることにより、財政運営の透明性を高めることを"
    "目的とする。市長は、毎年度、予算の編成前に市民の意見を聴かなければならない。"
)
EN = (
    "The council shall publish every decision on its website within seven days. Minutes of "
    "each meeting record the members present, the motions considered and the outcome of every "
    "vote, and are kept for at least ten years in the municipal archive."
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> CorpusIndex:
    directory = tmp_path_factory.mktemp("corpus") / "laws"
    CorpusIndex.build(directory, "laws", [("ko.txt", KO), ("ja.txt", JA)])
    # Added later, in a second run: the first documents stay findable.
    return CorpusIndex.build(directory, "laws", [("en.md", EN)])


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        (f"답변드립니다. {KO[40:150]} 참고하세요.", "ko.txt"),
        ("요약: " + KO[40:160].replace(" ", "\n").replace(".", "") + " 끝.", "ko.txt"),
        (f"回答します。{JA[30:120]}以上です。", "ja.txt"),
        ("In short: " + EN[20:160].upper().replace(",", ";"), "en.md"),
        # small edits every ~30 characters
        (KO[40:70] + "것" + KO[71:100] + "을" + KO[101:160], "ko.txt"),
    ],
)
def test_copies_are_found_with_source_and_offsets(
    index: CorpusIndex, answer: str, source: str
) -> None:
    (match,) = index.matches(answer, min_chars=50)
    assert match.doc.path == source
    copied = answer[match.answer_start : match.answer_end]
    assert len(copied) >= 50 and match.similarity > 0.8
    original = {"ko.txt": KO, "ja.txt": JA, "en.md": EN}[source]
    assert original[match.doc_start : match.doc_end][:4].casefold() in original.casefold()


@pytest.mark.parametrize(
    "answer",
    [
        "주민 참여 예산에 대해 문의하신 내용은 담당 부서에서 검토한 뒤 회신드리겠습니다.",
        "予算について、担当課から改めてご連絡いたします。よろしくお願いします。",
        KO[40:75],  # a copy shorter than min_chars
        "",
    ],
)
def test_unrelated_or_short_text_is_not_flagged(index: CorpusIndex, answer: str) -> None:
    assert index.matches(answer, min_chars=50) == []


def verbatim_policy(action: str) -> Policy:
    data = load_policy().data.model_dump()
    data["kinds"]["VERBATIM"] = {"action": action, "grade": "O", "min_score": 0.5}
    return Policy(PolicyFile.model_validate(data))


def stream(index: CorpusIndex, action: str, answer: str) -> tuple[str, list[str]]:
    guard = CheckingOutputGuard(
        verbatim_policy(action), scanner=None, span_checks=[VerbatimCheck([index])]
    )
    request = ChatRequest("m", (ChatMessage("user", "요약해 주세요"),), 64)
    session = guard.open(request, InputResult(Verdict.allow(), request, IDENTITY_RESTORER))
    delivered = "".join(session.feed(answer[i : i + 3]) for i in range(0, len(answer), 3))
    delivered += session.finish()
    return delivered, [f.kind for f in session.report().findings]


def test_masked_on_the_stream_beyond_the_minimum(index: CorpusIndex) -> None:
    answer = "요약하면, " + KO[40:200] + " 이상입니다."
    delivered, kinds = stream(index, "mask", answer)
    assert kinds == ["VERBATIM"] and delivered.count("[VERBATIM]") == 1
    assert delivered.endswith(" 이상입니다.")
    shown = delivered.split("[VERBATIM]")[0]
    assert len(shown) < len("요약하면, ") + 60  # at most about min_chars of the copy shown
    warned, kinds = stream(index, "warn", answer)
    assert warned == answer and kinds == ["VERBATIM"]
    with pytest.raises(OutputBlocked, match="VERBATIM"):
        stream(index, "block", answer)


def _hwpx(path: Path, paragraphs: list[str]) -> None:
    path.write_bytes(hwpx.document(paragraphs))


def _pdf(path: Path, text: str) -> None:
    """A minimal one-page PDF with a text layer (Helvetica, ASCII)."""
    write_pdf(path, [text])


def test_every_format_is_read(tmp_path: Path) -> None:
    import docx

    (tmp_path / "a.txt").write_text(KO, encoding="utf-8")
    (tmp_path / "b.md").write_text("# 제목\n\n" + JA, encoding="utf-8")
    document = docx.Document()
    document.add_paragraph(EN)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "셀 하나"
    document.save(str(tmp_path / "c.docx"))
    _hwpx(tmp_path / "d.hwpx", ["첫 문단입니다.", KO[:60]])
    _pdf(tmp_path / "e.pdf", "Minutes are kept for at least ten years in the archive")
    assert extract_text(tmp_path / "a.txt") == KO
    assert JA in extract_text(tmp_path / "b.md")
    assert EN in extract_text(tmp_path / "c.docx") and "셀 하나" in extract_text(
        tmp_path / "c.docx"
    )
    assert extract_text(tmp_path / "d.hwpx") == "첫 문단입니다.\n" + KO[:60]
    assert "kept for at least ten years" in extract_text(tmp_path / "e.pdf")
    (tmp_path / "f.txt").write_bytes("한글".encode("cp949"))
    with pytest.raises(InvalidRequest, match="not UTF-8"):
        extract_text(tmp_path / "f.txt")
    (tmp_path / "g.hwp").write_bytes(b"\xd0\xcf\x11\xe0")  # a truncated HWP 5 file
    with pytest.raises(InvalidRequest, match="not an HWP 5 document"):
        extract_text(tmp_path / "g.hwp")


def test_corpus_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "조례.txt").write_text(KO, encoding="utf-8")
    _hwpx(docs / "規則.hwpx", [JA])
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")

    def run(*args: str, **kw: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [GWANMUN, "corpus", *args], env=env, capture_output=True, text=True, timeout=120, **kw
        )

    added = run("add", str(docs), "--name", "rules")
    assert added.returncode == 1, added.stderr  # one file skipped, and said so
    assert "skipped" in added.stderr and "broken.pdf" in added.stderr
    assert "2 documents added" in added.stderr
    assert "rules: 2 documents" in run("list").stdout
    found = run("check", "-", input=f"회신: {KO[30:140]}")
    assert found.returncode == 2 and "조례.txt" in found.stdout
    clean = run("check", "-", input="문의하신 내용을 확인했습니다.")
    assert clean.returncode == 0 and "no copied spans" in clean.stdout
    assert run("remove", "rules").returncode == 0
    assert "no corpora" in run("list").stdout
