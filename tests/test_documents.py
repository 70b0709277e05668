"""Reading documents users hand in: zip bombs, too many parts, DTDs and garbage
are refused fast, with a 400 that names the limit, and memory stays flat."""

from __future__ import annotations

import base64
import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools import hwp, hwpx
from devtools.fakes import FakeBackend
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.documents import extract_text
from gwanmun.errors import DocumentRejected
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.policy import load_policy
from gwanmun.services import build_services
from gwanmun.settings import DocumentsConfig, Settings
from gwanmun.types import Role
from tests.servers import running_gateway

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _docx(body: str | bytes, *, extra: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", body)
        for n in range(extra):
            archive.writestr(f"word/media/x{n}.xml", "<x/>")
    return buffer.getvalue()


def _document(inner: str) -> str:
    return f'<w:document xmlns:w="{W}"><w:body>{inner}</w:body></w:document>'


def _bomb_docx(xml_bytes: int) -> bytes:
    # Millions of empty paragraphs: a few KB compressed, megabytes of XML.
    head, tail = _document("|").split("|")
    count = (xml_bytes - len(head) - len(tail)) // len("<w:p/>")
    return _docx(head + "<w:p/>" * count + tail)


def _hwpx(section: str) -> bytes:
    return hwpx.archive(section)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path: Path, limits: DocumentsConfig | None = None) -> tuple[DocumentRejected, float]:
    """Extract expecting a refusal; returns it with the peak Python memory it took."""
    tracemalloc.start()
    try:
        with pytest.raises(DocumentRejected) as caught:
            extract_text(path, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value, peak


def test_a_docx_bomb_is_refused_from_its_headers(tmp_path: Path) -> None:
    data = _bomb_docx(40 * 1024 * 1024)
    assert len(data) < 100_000  # tiny on the wire
    started = time.monotonic()
    error, peak = _refused(_write(tmp_path, "bomb.docx", data))
    assert time.monotonic() - started < 2
    assert peak < 4 * 1024 * 1024  # nothing was decompressed
    assert error.status == 400 and error.details == {"limit": "documents.max_member_bytes"}
    assert "max_member_bytes" in error.message and "GWANMUN_DOCUMENTS__" in error.message


def test_a_part_under_the_size_cap_is_refused_by_its_ratio(tmp_path: Path) -> None:
    error, peak = _refused(_write(tmp_path, "ratio.docx", _bomb_docx(8 * 1024 * 1024)))
    assert error.details == {"limit": "documents.max_compression_ratio"}
    assert "zip bomb" in error.message
    assert peak < 4 * 1024 * 1024


def test_a_big_real_document_streams_in_flat_memory(tmp_path: Path) -> None:
    # Varied text compresses like real documents; 6 MB of XML, read whole.
    rows = "".join(
        f"<w:p><w:r><w:t>문단 {n} 의 내용 {n * 7919 % 10007} 입니다.</w:t></w:r></w:p>"
        for n in range(60_000)
    )
    path = _write(tmp_path, "big.docx", _docx(_document(rows)))
    tracemalloc.start()
    try:
        started = time.monotonic()
        text = extract_text(path)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert text.count("\n") == 59_999 and text.startswith("문단 0 의 내용 0 입니다.")
    assert elapsed < 20
    # The text itself is ~2 MB as str; the XML tree is never held.
    assert peak < 5 * len(text) + 8 * 1024 * 1024


def test_the_total_cap_and_its_setting(tmp_path: Path) -> None:
    body = _document("<w:p><w:r><w:t>" + "안녕" * 600 + "</w:t></w:r></w:p>")
    path = _write(tmp_path, "small.docx", _docx(body))
    assert extract_text(path) == "안녕" * 600
    error, _ = _refused(path, DocumentsConfig(max_extracted_bytes=2048))
    assert error.details == {"limit": "documents.max_extracted_bytes"}


def test_an_hwpx_bomb_is_refused(tmp_path: Path) -> None:
    section = f'<hs:sec xmlns:hs="x" xmlns:hp="{HP}">' + "<hp:p/>" * 4_000_000 + "</hs:sec>"
    started = time.monotonic()
    error, peak = _refused(_write(tmp_path, "bomb.hwpx", _hwpx(section)))
    assert time.monotonic() - started < 2 and peak < 4 * 1024 * 1024
    assert error.details == {"limit": "documents.max_member_bytes"}


def test_too_many_members(tmp_path: Path) -> None:
    path = _write(tmp_path, "many.docx", _docx(_document(""), extra=40))
    error, _ = _refused(path, DocumentsConfig(max_members=20))
    assert error.details == {"limit": "documents.max_members"}
    assert "42 files" in error.message


def test_slow_documents_stop_at_the_time_limit(tmp_path: Path) -> None:
    rows = "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 200_000
    path = _write(tmp_path, "slow.docx", _docx(_document(rows)))
    started = time.monotonic()
    error, _ = _refused(path, DocumentsConfig(timeout_s=0.05, max_compression_ratio=1000))
    assert time.monotonic() - started < 2
    assert error.details == {"limit": "documents.timeout_s"}


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("garbage.docx", b"\x00\xffnot a zip at all" * 50, "not a zip archive"),
        ("garbage.hwpx", b"PK\x03\x04broken", "not a zip archive"),
        ("nomain.docx", _hwpx("<x/>"), "no main document part"),
        ("notxml.docx", _docx(b"<w:document><w:body><unclosed"), "not a readable .docx"),
        (
            "dtd.docx",
            _docx('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'),
            "DTD",
        ),
        ("garbage.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100, "PDF"),
    ],
)
def test_broken_documents_are_refused_clearly(
    tmp_path: Path, name: str, data: bytes, needle: str
) -> None:
    error, _ = _refused(_write(tmp_path, name, data))
    assert error.status == 400 and needle in error.message


def test_a_corrupt_deflate_stream_is_refused(tmp_path: Path) -> None:
    data = bytearray(_docx(_document("<w:p><w:r><w:t>" + "가나다" * 2000 + "</w:t></w:r></w:p>")))
    start = data.index(b"word/document.xml") + len("word/document.xml")
    data[start + 10 : start + 40] = b"\xff" * 30  # inside the compressed data
    error, _ = _refused(_write(tmp_path, "corrupt.docx", bytes(data)))
    assert "not a readable .docx" in error.message


def test_tables_tabs_and_breaks_keep_their_shape(tmp_path: Path) -> None:
    inner = (
        "<w:p><w:pPr><w:tabs><w:tab w:val='left'/></w:tabs></w:pPr>"
        "<w:r><w:t>제목</w:t><w:tab/><w:t>끝</w:t><w:br/><w:t>둘째 줄</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>셀 하나</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>셀 둘</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:hyperlink><w:r><w:t>링크</w:t></w:r></w:hyperlink></w:p>"
    )
    path = _write(tmp_path, "shape.docx", _docx(_document(inner)))
    assert extract_text(path) == "제목\t끝\n둘째 줄\n셀 하나\t셀 둘\n링크"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("docs"), embedded={"enabled": False})
    services = build_services(
        settings,
        backends=[FakeBackend()],  # type: ignore[list-item]
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
    )
    key, _ = services.keys.create("kim", group="민원과", role=Role.USER)
    with running_gateway(settings, services) as base:
        yield base, key
    services.keys.close()


def _upload(site: tuple[str, str], name: str, data: bytes) -> httpx.Response:
    base, key = site
    return httpx.post(
        f"{base}/documents/extract",
        headers={"authorization": f"Bearer {key}"},
        json={"name": name, "data_base64": base64.b64encode(data).decode()},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("bomb.docx", _bomb_docx(40 * 1024 * 1024), "documents.max_member_bytes"),
        ("ratio.hwpx", _hwpx(f'<s xmlns:hp="{HP}">' + "<hp:p/>" * 1_000_000 + "</s>"),
         "documents.max_compression_ratio"),
        ("garbage.docx", b"this is not a word document" * 10, "not a zip archive"),
    ],
)  # fmt: skip
def test_refusals_over_http_are_400_naming_the_limit(
    site: tuple[str, str], name: str, data: bytes, needle: str
) -> None:
    started = time.monotonic()
    response = _upload(site, name, data)
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and needle in error["message"]
    assert name in error["message"] and "gwanmun-doc-" not in error["message"]


def test_a_good_docx_over_http(site: tuple[str, str]) -> None:
    response = _upload(site, "ok.docx", _docx(_document("<w:p><w:r><w:t>회의록</w:t></w:r></w:p>")))
    assert response.status_code == 200 and response.json()["text"] == "회의록"


def test_an_hwp_attachment_over_http(site: tuple[str, str]) -> None:
    table = hwp.Table([["안건", "결과"], ["예산", "통과"]])
    response = _upload(site, "회의록.hwp", hwp.document(["회의록", [table]]))
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "회의록\n안건\t결과\n예산\t통과"
    locked = _upload(site, "기밀.hwp", hwp.document(["기밀 회의록"], password=True))
    assert locked.status_code == 400 and "password-protected" in locked.json()["error"]["message"]
