"""Binary HWP 5 documents (devtools/hwp.py writes them as Hangul does): text,
table cells in their rows, footnotes and sections come out in the docx/hwpx
shape; hostile, broken and protected files are refused fast with a 400 that
says why; the bytes, not the name, decide how a file is read."""

from __future__ import annotations

import random
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools import hwp, hwpx
from gwanmun.documents import extract_text, extract_upload
from gwanmun.errors import DocumentRejected, InvalidRequest
from gwanmun.settings import DocumentsConfig

RULES: list[str | list[hwp.Part]] = [
    "제1조 (목적)",
    "이 규정은 주민 불편 신고의 처리 절차를 정한다.",
    ["민원은 접수한 날부터 7일 안에 처리한다", hwp.Footnote("공휴일은 기간에 넣지 않는다."), "."],
    [hwp.Table([["구분", "기간"], ["일반 민원", "7일"], ["고충 민원", "14일\n연장 가능"]])],
    "끝.",
]
RULES_TEXT = (
    "제1조 (목적)\n"
    "이 규정은 주민 불편 신고의 처리 절차를 정한다.\n"
    "민원은 접수한 날부터 7일 안에 처리한다.\n"
    "공휴일은 기간에 넣지 않는다.\n"  # the footnote, after the paragraph holding it
    "구분\t기간\n"
    "일반 민원\t7일\n"
    "고충 민원\t14일\n연장 가능\n"  # a cell of two paragraphs
    "끝."
)


def _read(tmp_path: Path, data: bytes, name: str = "doc.hwp", **limits: float) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return extract_text(path, DocumentsConfig(**limits))  # type: ignore[arg-type]


def _refused(tmp_path: Path, data: bytes, name: str = "doc.hwp", **limits: float) -> str:
    with pytest.raises(DocumentRejected) as caught:
        _read(tmp_path, data, name, **limits)
    assert caught.value.status == 400
    return caught.value.message


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (RULES, RULES_TEXT),
        (["한 줄", "", "두 줄"], "한 줄\n두 줄"),  # empty paragraphs drop out
        (["제목\t끝", "a\nb"], "제목\t끝\na\nb"),  # tab control, line break
        ([["앞", hwp.Table([["가", "나"], ["", ""], ["다", ""]]), "뒤"]], "앞뒤\n가\t나\n다\t"),
        (["日本語の段落も読める。", "English too."], "日本語の段落も読める。\nEnglish too."),
        ([["본문", hwp.TextBox("글상자 안의 글")], "다음"], "본문\n글상자 안의 글\n다음"),
        (["😀 이모지와 한자 漢字"], "😀 이모지와 한자 漢字"),  # surrogate pairs
        (["가" * 5000], "가" * 5000),  # a record over 4095 bytes: the long size form
    ],
    ids=[
        "rules",
        "empty",
        "tab-break",
        "table-in-text",
        "japanese",
        "text-box",
        "surrogates",
        "long",
    ],
)
def test_text_tables_and_footnotes(tmp_path: Path, body: list[str], expected: str) -> None:
    assert _read(tmp_path, hwp.document(body)) == expected
    assert _read(tmp_path, hwp.document(body, compressed=False)) == expected


def test_sections_follow_in_order(tmp_path: Path) -> None:
    sections = [[f"제{n}장 구역 {n}", f"본문 {n}"] for n in range(12)]  # Section10 after Section9
    text = _read(tmp_path, hwp.document(*sections))
    assert text.splitlines() == [line for s in sections for line in s]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=32, exclude_categories=("Cs",))), max_size=8))
def test_any_paragraphs_round_trip(paragraphs: list[str]) -> None:
    got = extract_upload("doc.hwp", hwp.document(paragraphs or [""]))
    assert got == "\n".join(p for p in paragraphs if p)


def test_the_bytes_decide_not_the_name(tmp_path: Path) -> None:
    # An .hwp saved with an .hwpx (or .docx) name, and an .hwpx with an .hwp name.
    assert _read(tmp_path, hwp.document(["본문"]), "renamed.hwpx") == "본문"
    assert _read(tmp_path, hwp.document(["본문"]), "renamed.docx") == "본문"
    assert _read(tmp_path, hwpx.document(["한글 문서"]), "renamed.hwp") == "한글 문서"
    assert extract_upload("지침.HWP", hwp.document(["지침"])) == "지침"


def test_a_decompression_bomb_is_refused_fast_in_flat_memory(tmp_path: Path) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()
    data = hwp.document(raw_sections=[bomb])
    assert len(data) < 300_000  # 200 MiB of records behind it
    tracemalloc.start()
    try:
        started = time.monotonic()
        message = _refused(tmp_path, data)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "max_compression_ratio" in message and "bomb" in message
    assert elapsed < 2 and peak < 8 * 1024 * 1024


@pytest.mark.parametrize(
    ("limits", "setting"),
    [
        ({"max_member_bytes": 4096}, "max_member_bytes"),
        ({"max_extracted_bytes": 4096}, "max_extracted_bytes"),
        ({"max_members": 10}, "max_members"),
        ({"timeout_s": 1e-9}, "timeout_s"),
    ],
)
def test_each_cap_names_its_setting(tmp_path: Path, limits: dict[str, float], setting: str) -> None:
    sections = [[f"문단 {n} 의 내용 {n * 7919 % 10007} 입니다." for n in range(300)]] * 12
    message = _refused(tmp_path, hwp.document(*sections), **limits)
    assert f"documents.{setting}" in message and "GWANMUN_DOCUMENTS__" in message


def test_a_compressed_stream_over_the_member_cap_is_refused_before_reading(
    tmp_path: Path,
) -> None:
    stored = hwp.document(raw_sections=[bytes(64 * 1024)], compressed=False)
    message = _refused(tmp_path, stored, max_member_bytes=32 * 1024)
    assert "BodyText/Section0 is 65,536 bytes" in message


def _record(tag: int, data: bytes, size: int | None = None) -> bytes:
    return struct.pack("<I", tag | (len(data) if size is None else size) << 20) + data


GOOD = hwp.document(RULES)
HEADER = hwp.SIGNATURE.ljust(32, b"\0") + struct.pack("<II", hwp.VERSION, 0)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (GOOD[: len(GOOD) // 2], "not a readable .hwp"),  # truncated file
        (hwp.document(raw_sections=[_deflate(hwp.section(["끝"]))[:-4]]), "cut short"),
        (hwp.document(raw_sections=[b"\xff" * 300]), "corrupt"),
        (hwp.document(raw_sections=[_deflate(_record(0x43, b"ab", size=400))]), "inside a record"),
        (hwp.document(raw_sections=[_deflate(b"\x42\x00")]), "inside a record"),
        (hwp.OLE_MAGIC + bytes(600), "not a readable .hwp"),
        (b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + bytes(100), "HWP 3.x"),
        (b"\x00\xffnot an hwp at all" * 20, "no OLE compound-file header"),
        (hwp.compound_file({"WordDocument": bytes(600)}), "a .doc or .xls?"),
        (hwp.compound_file({"FileHeader": bytes(256)}), "not an HWP document"),
        (hwp.compound_file({"FileHeader": HEADER}), "no BodyText"),
        (hwp.document(RULES, password=True), "password-protected"),
        (hwp.document(RULES, distribution=True), "distribution"),
    ],
    ids=[
        "truncated", "deflate-cut", "deflate-garbage", "record-overrun", "record-header-cut",
        "ole-garbage", "hwp3", "garbage", "word-doc", "bad-signature", "no-body", "password",
        "distribution",
    ],
)  # fmt: skip
def test_broken_and_protected_files_are_refused_clearly(
    tmp_path: Path, data: bytes, needle: str
) -> None:
    assert needle in _refused(tmp_path, data)


def test_refusals_name_the_upload_not_the_temporary_file() -> None:
    with pytest.raises(InvalidRequest) as caught:
        extract_upload("기밀.hwp", hwp.document(["비밀"], password=True))
    assert caught.value.message.startswith("기밀.hwp: the document is password-protected")
    assert "gwanmun-doc-" not in caught.value.message and "비밀" not in caught.value.message


def test_damaged_files_give_text_or_a_clear_refusal_never_a_crash(tmp_path: Path) -> None:
    """Bytes overwritten anywhere (header, FAT, directory, streams): every outcome is
    text or a 400, never another exception (which the server would make a 5xx)."""
    rng = random.Random(20)
    for round_ in range(300):
        data = bytearray(hwp.document(RULES, ["둘째 구역"], compressed=round_ % 2 == 0))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            data[at : at + 4] = rng.randbytes(4)
        try:
            text = extract_upload("damaged.hwp", bytes(data))
        except InvalidRequest as exc:
            assert exc.status == 400 and exc.message.startswith("damaged.hwp: ")
        else:
            assert isinstance(text, str)
