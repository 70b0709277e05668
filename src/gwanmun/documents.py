"""Text out of the documents institutions keep: txt, md, pdf, docx and hwpx.

- txt, md: UTF-8 (with or without BOM); other encodings are refused with a
  clear message rather than guessed.
- pdf: pypdf's text extraction (scanned PDFs have no text layer: refused).
- docx: python-docx, paragraphs and table cells in document order.
- hwpx (한글 OWPML): a zip of XML parts; the text runs (``hp:t``) of each
  ``Contents/section*.xml`` in order, one paragraph (``hp:p``) per line.
  Old binary .hwp files are refused: save them as hwpx.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from gwanmun.errors import InvalidRequest

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".hwpx")
_HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
# A zip member larger than this (uncompressed) is refused: no zip bombs.
_MAX_MEMBER = 512 * 1024 * 1024


def extract_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return _utf8(path)
    if suffix == ".pdf":
        return _pdf(path)
    if suffix == ".docx":
        return _docx(path)
    if suffix == ".hwpx":
        return _hwpx(path)
    if suffix == ".hwp":
        raise InvalidRequest(f"{path}: binary .hwp is not supported; save it as .hwpx")
    raise InvalidRequest(f"{path}: unsupported file type (supported: {', '.join(SUPPORTED)})")


def extract_upload(name: str, data: bytes) -> str:
    """Text out of an uploaded file's bytes; ``name`` (the file's name on the
    sender's side) picks the format and is what error messages name."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidRequest(f"{name}: unsupported file type (supported: {', '.join(SUPPORTED)})")
    # The parsers read files; the upload lives on disk only inside this block.
    with tempfile.TemporaryDirectory(prefix="gwanmun-doc-") as tmp:
        path = Path(tmp) / f"document{suffix}"
        path.write_bytes(data)
        try:
            return extract_text(path)
        except InvalidRequest as exc:  # name the upload, not the temporary file
            raise InvalidRequest(exc.message.replace(str(path), name)) from None


def iter_documents(root: Path) -> Iterator[Path]:
    """Supported files under ``root`` (or ``root`` itself), in a stable order."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUPPORTED:
            yield path


def _utf8(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"{path}: not UTF-8 (byte {exc.start}); convert it first, e.g. "
            "`iconv -f cp949 -t utf-8`"
        ) from None


def _pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise InvalidRequest(f"{path}: cannot read this PDF ({type(exc).__name__})") from None
    if not text.strip():
        raise InvalidRequest(f"{path}: the PDF has no text layer (a scan?); OCR it first")
    return text


def _docx(path: Path) -> str:
    import docx
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document: Document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InvalidRequest(f"{path}: not a valid .docx ({type(exc).__name__})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _hwpx(path: Path) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InvalidRequest(f"{path}: not a valid .hwpx (not a zip archive)") from None
    with archive:
        sections = sorted(
            (n for n in archive.namelist() if re.fullmatch(r"Contents/section\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n)),
        )
        if not sections:
            raise InvalidRequest(f"{path}: no Contents/section*.xml: not an OWPML .hwpx file")
        lines: list[str] = []
        for name in sections:
            if archive.getinfo(name).file_size > _MAX_MEMBER:
                raise InvalidRequest(f"{path}: {name} is too large")
            try:
                root = ElementTree.fromstring(archive.read(name))
            except ElementTree.ParseError as exc:
                raise InvalidRequest(f"{path}: {name} is not valid XML ({exc})") from None
            for paragraph in root.iter(f"{_HP}p"):
                # Runs directly in this paragraph (nested table paragraphs come on their own).
                text = "".join(
                    t.text or ""
                    for run in paragraph.findall(f"{_HP}run")
                    for t in run.findall(f"{_HP}t")
                )
                if text:
                    lines.append(text)
    return "\n".join(lines)
