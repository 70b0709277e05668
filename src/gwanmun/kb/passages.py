"""A document's text cut into passages a model can cite. Pure.

Lines are kept whole and packed into passages of at most ``MAX_CHARS``
characters (a longer line is cut at a sentence end where one is near). Each
passage remembers the last heading above it — a Markdown heading, a numbered
article or chapter (제3조, 第2章), a numbered title — as its section, which is
what a citation shows, and, when the text has pages (a PDF's, separated by
``documents.PAGE_BREAK``), the pages it spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gwanmun.documents import PAGE_BREAK

MAX_CHARS = 800
_HEADING = re.compile(
    r"^\s*(#{1,6}\s+\S.*|제\s*\d+\s*[조장절관편](\s*\(.{1,40}\))?.*|第[0-9０-９一二三四五六七八九十百]+[条章節款編].*"
    r"|\d+(\.\d+)*\.?\s+\S.{0,60})$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


@dataclass(frozen=True, slots=True)
class Piece:
    seq: int
    section: str | None
    text: str
    page: int | None = None  # first page (1-based), when the text has pages
    page_end: int | None = None  # last page


def _heading(line: str) -> str | None:
    if len(line) > 80 or not _HEADING.match(line):
        return None
    return line.strip().lstrip("#").strip()[:80]


def _cut(line: str) -> list[str]:
    """A line longer than a passage, cut after sentence ends (or hard, if none)."""
    out: list[str] = []
    rest = line
    while len(rest) > MAX_CHARS:
        window = rest[:MAX_CHARS]
        ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() > MAX_CHARS // 2]
        at = ends[-1] if ends else MAX_CHARS
        out.append(rest[:at].strip())
        rest = rest[at:]
    if rest.strip():
        out.append(rest.strip())
    return out


def split(text: str) -> list[Piece]:
    pieces: list[Piece] = []
    section: str | None = None
    current: list[str] = []
    size = 0
    current_section: str | None = None
    paged = PAGE_BREAK in text
    first = last = 1

    def flush() -> None:
        nonlocal current, size
        body = "\n".join(current).strip()
        if body:
            span = (first, last) if paged else (None, None)
            pieces.append(Piece(len(pieces), current_section, body, *span))
        current, size = [], 0

    for number, page in enumerate(text.split(PAGE_BREAK), start=1):
        for raw in page.splitlines():
            line = raw.strip()
            if not line:
                continue
            heading = _heading(line)
            if heading is not None:
                flush()
                section = heading
            for part in _cut(line):
                if size + len(part) + 1 > MAX_CHARS and current:
                    flush()
                if not current:
                    current_section = section
                    first = number
                current.append(part)
                last = number
                size += len(part) + 1
    flush()
    return pieces
