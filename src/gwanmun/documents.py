"""Text out of the documents institutions keep: txt, md, pdf, docx, hwpx and hwp.

- txt, md: UTF-8 (with or without BOM); other encodings are refused with a
  clear message rather than guessed.
- pdf: pypdf's text extraction (scanned PDFs have no text layer: refused).
- docx: the paragraphs of the main document part in order; a table row is one
  line of tab-separated cells.
- hwpx (한글 OWPML): a zip of XML parts; the text runs (``hp:t``) of each
  ``Contents/section*.xml`` in order, one paragraph (``hp:p``) per line.
- hwp (binary HWP 5.x, an OLE compound file): ``gwanmun.hwp``, the same shape
  (paragraph lines, tab-separated table rows, footnotes after their paragraph).
  HWP 3.x, password-protected and distribution copies are refused.

The name's extension says which formats are accepted, but the bytes decide how a
file is read: an OLE compound file is read as HWP, a zip as docx or hwpx, a
``%PDF`` as PDF, whatever the name says among those (a .hwpx saved with an .hwp
name is common, and a renamed file must not reach the wrong parser).

Documents come from users, so every read is capped (``DocumentsConfig``): a
docx or hwpx is a zip whose headers declare each part's size, and those sizes,
ratios and the member count are checked *before* anything is decompressed. The
XML is then read through a counting reader and parsed as a stream, dropping
each element once its text is taken, so memory stays flat whatever the part
holds. (python-docx built a full tree of the whole part: a 30 KB docx that
declared 20 MB of XML took minutes and grew the process by ~850 MB.) A refused
or broken document is a ``DocumentRejected`` (HTTP 400) naming the limit.
"""

from __future__ import annotations

import re
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from gwanmun.errors import DocumentRejected, InvalidRequest
from gwanmun.settings import DocumentsConfig

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".hwpx", ".hwp")
_BINARY = (".pdf", ".docx", ".hwpx", ".hwp")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Between two pages of a PDF's text, when pages are asked for.
PAGE_BREAK = "\f"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
# The compression ratio is only meaningful for parts big enough to matter.
_RATIO_FLOOR = 1024 * 1024
# How many XML events between two looks at the clock.
_CLOCK_EVERY = 2048
# Office XML never carries a DTD; one in a user's document is refused outright
# rather than trusting the parser's entity-expansion limits.
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY")
# What a malformed archive, part or PDF raises from the stdlib and pypdf.
_BROKEN: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    struct.error,
    ElementTree.ParseError,
    NotImplementedError,
    RuntimeError,  # encrypted members; RecursionError on absurd nesting
    ValueError,
    KeyError,
    IndexError,
    TypeError,
)


def extract_text(path: Path, limits: DocumentsConfig | None = None, *, pages: bool = False) -> str:
    """The text of one document, refused with a clear message when over ``limits``.

    With ``pages``, a PDF's pages are separated by ``PAGE_BREAK`` (a form feed,
    as pdftotext writes them) so that passages can cite their page; otherwise
    by a line break."""
    caps = _Caps(limits or DocumentsConfig(), path)
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return _utf8(path)
    if suffix not in _BINARY:
        raise InvalidRequest(f"{path}: unsupported file type (supported: {', '.join(SUPPORTED)})")
    kind = sniff(path, suffix)
    readers = {".pdf": _pdf, ".docx": _docx, ".hwpx": _hwpx, ".hwp": _hwp}
    try:
        text = readers[kind](path, caps)
    except _BROKEN as exc:
        raise DocumentRejected(
            f"{path}: not a readable {kind} file ({type(exc).__name__}); "
            "open and save it again in its office program"
        ) from None
    return text if pages else text.replace(PAGE_BREAK, "\n")


def extract_upload(
    name: str, data: bytes, limits: DocumentsConfig | None = None, *, pages: bool = False
) -> str:
    """Text out of an uploaded file's bytes; ``name`` (the file's name on the
    sender's side) picks the format and is what error messages name. ``pages``:
    as in ``extract_text``."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidRequest(f"{name}: unsupported file type (supported: {', '.join(SUPPORTED)})")
    # The parsers read files; the upload lives on disk only inside this block.
    with tempfile.TemporaryDirectory(prefix="gwanmun-doc-") as tmp:
        path = Path(tmp) / f"document{suffix}"
        path.write_bytes(data)
        try:
            return extract_text(path, limits, pages=pages)
        except InvalidRequest as exc:  # name the upload, not the temporary file
            # The same class (a refused document keeps its code and the limit hit).
            raise type(exc)(
                exc.message.replace(str(path), name), param=exc.param, details=exc.details
            ) from None


def sniff(path: Path, suffix: str) -> str:
    """The reader for a binary document, from its first bytes; the name's ``suffix``
    only where the bytes do not tell (a zip is a docx or an hwpx, and unknown
    bytes go to the named reader, which says what is wrong with them)."""
    with path.open("rb") as handle:
        head = handle.read(len(_OLE_MAGIC))
    if head == _OLE_MAGIC:
        return ".hwp"
    if head.startswith(b"PK\x03\x04"):
        return ".docx" if suffix == ".docx" else ".hwpx"
    if head.startswith(b"%PDF"):
        return ".pdf"
    return suffix


def iter_documents(root: Path) -> Iterator[Path]:
    """Supported files under ``root`` (or ``root`` itself), in a stable order."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUPPORTED:
            yield path


@dataclass
class _Caps:
    """The limits of one extraction, with its running totals and deadline."""

    limits: DocumentsConfig
    path: Path
    extracted: int = 0
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.limits.timeout_s

    def refuse(self, what: str, setting: str) -> DocumentRejected:
        env = "GWANMUN_DOCUMENTS__" + setting.upper()
        return DocumentRejected(
            f"{self.path}: {what}, over the documents.{setting} limit; split the document, "
            f"or raise the limit ({env}) if it is genuine",
            details={"limit": f"documents.{setting}"},
        )

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.refuse(f"reading took longer than {self.limits.timeout_s:g} s", "timeout_s")

    def add(self, count: int) -> None:
        self.extracted += count
        if self.extracted > self.limits.max_extracted_bytes:
            raise self.refuse(
                f"more than {self.limits.max_extracted_bytes:,} bytes of content",
                "max_extracted_bytes",
            )

    def check_member(self, info: zipfile.ZipInfo) -> None:
        """Refuse a part from its header alone, before any byte is decompressed."""
        limits = self.limits
        if info.flag_bits & 0x1:
            raise DocumentRejected(
                f"{self.path}: {info.filename} is encrypted; save it without protection"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DocumentRejected(
                f"{self.path}: {info.filename} uses an unusual compression method; "
                "save the document again in its office program"
            )
        if info.file_size > limits.max_member_bytes:
            raise self.refuse(
                f"{info.filename} expands to {info.file_size:,} bytes", "max_member_bytes"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise self.refuse(
                f"{info.filename} is compressed {ratio:.0f} to 1 (a zip bomb?)",
                "max_compression_ratio",
            )
        if self.extracted + info.file_size > limits.max_extracted_bytes:
            raise self.refuse(
                f"the parts to read expand to more than {limits.max_extracted_bytes:,} bytes",
                "max_extracted_bytes",
            )


class _CountingReader:
    """A zip member read through the caps: bytes counted, the clock watched, no DTD.

    zipfile already stops at the size the header declared (and fails the CRC if
    the header lied), so the count here is the second lock on the same door.
    """

    def __init__(self, raw: IO[bytes], caps: _Caps, name: str) -> None:
        self._raw = raw
        self._caps = caps
        self._name = name
        self._seen = 0
        self._head = b""

    def read(self, size: int = -1) -> bytes:
        self._caps.tick()
        limit = self._caps.limits.max_member_bytes
        want = limit + 1 - self._seen if size < 0 else min(size, limit + 1 - self._seen)
        data = self._raw.read(max(want, 1))
        self._seen += len(data)
        if self._seen > limit:
            raise self._caps.refuse(f"{self._name} is larger than declared", "max_member_bytes")
        self._caps.add(len(data))
        if len(self._head) < 65536:
            self._head = (self._head + data)[:65536]
            if _DTD.search(self._head):
                raise DocumentRejected(
                    f"{self._caps.path}: {self._name} declares a DTD, which office XML never "
                    "does; refused"
                )
        return data


@dataclass(frozen=True, slots=True)
class _Markup:
    """The element names one format uses for what extraction needs."""

    paragraph: str
    text: str
    run: str
    tab: str | None = None
    breaks: tuple[str, ...] = ()
    row: str | None = None
    cell: str | None = None


_DOCX = _Markup(
    paragraph=f"{_W}p",
    text=f"{_W}t",
    run=f"{_W}r",
    tab=f"{_W}tab",
    breaks=(f"{_W}br", f"{_W}cr"),
    row=f"{_W}tr",
    cell=f"{_W}tc",
)
_HWPX = _Markup(paragraph=f"{_HP}p", text=f"{_HP}t", run=f"{_HP}run")


def _stream_lines(source: _CountingReader, markup: _Markup, caps: _Caps, out: list[str]) -> None:
    """Append the paragraphs of one XML part to ``out``, one line each.

    Streamed: every element is detached from its parent once its end is seen
    (text elements keep their inline children until they end), so memory holds
    one path from the root, not the document.
    """
    stack: list[ElementTree.Element] = []
    paragraphs: list[list[str]] = []  # open paragraphs, innermost last
    sinks: list[list[str]] = [out]  # where a finished paragraph goes (a table cell, or out)
    rows: list[list[str]] = []
    events = 0
    for event, element in ElementTree.iterparse(source, events=("start", "end")):
        events += 1
        if events % _CLOCK_EVERY == 0:
            caps.tick()
        tag = element.tag
        if event == "start":
            stack.append(element)
            if tag == markup.paragraph:
                if paragraphs and paragraphs[-1]:
                    # A paragraph inside another (a table or text box in a run): what
                    # came before it is a line of its own, so the order is kept.
                    sinks[-1].append("".join(paragraphs[-1]))
                    paragraphs[-1].clear()
                paragraphs.append([])
            elif tag == markup.cell:
                sinks.append([])
            elif tag == markup.row:
                rows.append([])
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if tag == markup.text and paragraphs:
            paragraphs[-1].append("".join(element.itertext()))
        elif paragraphs and parent is not None and parent.tag == markup.run:
            if tag == markup.tab:
                paragraphs[-1].append("\t")
            elif tag in markup.breaks:
                paragraphs[-1].append("\n")
        if tag == markup.paragraph:
            text = "".join(paragraphs.pop())
            if text:
                sinks[-1].append(text)
        elif tag == markup.cell and len(sinks) > 1:
            cell = "\n".join(sinks.pop())
            if rows:
                rows[-1].append(cell)
        elif tag == markup.row and rows:
            cells = rows.pop()
            if any(cells):
                sinks[-1].append("\t".join(cells))
        if parent is not None and parent.tag != markup.text:
            parent.remove(element)


def _open_zip(path: Path, caps: _Caps, kind: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise DocumentRejected(
            f"{path}: not a valid {kind} (not a zip archive); open and save it again"
        ) from None
    count = len(archive.infolist())
    if count > caps.limits.max_members:
        archive.close()
        raise caps.refuse(f"the archive holds {count:,} files", "max_members")
    return archive


def _read_parts(
    archive: zipfile.ZipFile, names: list[str], markup: _Markup, caps: _Caps
) -> list[str]:
    infos = [archive.getinfo(name) for name in names]
    for info in infos:  # every part is judged before the first is decompressed
        caps.check_member(info)
    declared = sum(info.file_size for info in infos)
    if declared > caps.limits.max_extracted_bytes:
        raise caps.refuse(f"the parts to read expand to {declared:,} bytes", "max_extracted_bytes")
    lines: list[str] = []
    for info in infos:
        with archive.open(info) as raw:
            _stream_lines(_CountingReader(raw, caps, info.filename), markup, caps, lines)
    return lines


def _utf8(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"{path}: not UTF-8 (byte {exc.start}); convert it first, e.g. "
            "`iconv -f cp949 -t utf-8`"
        ) from None


def _pdf(path: Path, caps: _Caps) -> str:
    # pypdf caps each stream's decompressed size itself (ZLIB_MAX_OUTPUT_LENGTH and
    # friends); pages, total text and time are capped here. One page's extraction
    # cannot be interrupted, so the clock is read between pages.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        pages = len(reader.pages)
        if pages > caps.limits.max_pdf_pages:
            raise caps.refuse(f"the PDF has {pages:,} pages", "max_pdf_pages")
        parts: list[str] = []
        for page in reader.pages:
            caps.tick()
            text = page.extract_text() or ""
            caps.add(len(text.encode("utf-8")))
            parts.append(text)
    except PyPdfError as exc:
        raise DocumentRejected(f"{path}: cannot read this PDF ({type(exc).__name__})") from None
    text = PAGE_BREAK.join(parts)
    if not text.strip():
        raise InvalidRequest(f"{path}: the PDF has no text layer (a scan?); OCR it first")
    return text


def _docx(path: Path, caps: _Caps) -> str:
    with _open_zip(path, caps, ".docx") as archive:
        main = _docx_main_part(archive, caps)
        if main is None:
            raise DocumentRejected(f"{path}: no main document part: not a Word .docx file")
        return "\n".join(_read_parts(archive, [main], _DOCX, caps))


def _docx_main_part(archive: zipfile.ZipFile, caps: _Caps) -> str | None:
    """The main part named by the package relationships (usually word/document.xml)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        info = archive.getinfo("_rels/.rels")
        caps.check_member(info)
        with archive.open(info) as raw:
            rels = ElementTree.parse(_CountingReader(raw, caps, info.filename)).getroot()
        for rel in rels.iter(f"{_REL}Relationship"):
            if rel.get("Type", "").endswith(_OFFICE_DOCUMENT):
                target = rel.get("Target", "").lstrip("/")
                if target in names:
                    return target
    return "word/document.xml" if "word/document.xml" in names else None


def _hwp(path: Path, caps: _Caps) -> str:
    from gwanmun import hwp

    return hwp.read(path, caps)


def _hwpx(path: Path, caps: _Caps) -> str:
    with _open_zip(path, caps, ".hwpx") as archive:
        sections = sorted(
            (n for n in archive.namelist() if re.fullmatch(r"Contents/section\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n)),
        )
        if not sections:
            raise DocumentRejected(f"{path}: no Contents/section*.xml: not an OWPML .hwpx file")
        return "\n".join(_read_parts(archive, sections, _HWPX, caps))
