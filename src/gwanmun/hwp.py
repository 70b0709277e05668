"""Text out of binary HWP 5.x documents (한글 97–2022's .hwp), after Hancom's
published "한글 문서 파일 구조 5.0".

An .hwp is an OLE compound file (read with ``olefile``) whose ``FileHeader``
says whether the ``BodyText/Section*`` streams are raw-deflate compressed and
whether the document is password-protected or a distribution ("배포용") copy:
those two are encrypted and refused with a message saying how to get a readable
copy. Each section is a sequence of tagged records; paragraphs (PARA_HEADER)
and the controls inside them (CTRL_HEADER: tables, footnotes, text boxes,
headers and footers) nest by the record's level. The output keeps the shape the
docx and hwpx readers give: one line per paragraph, a table row as one line of
tab-separated cells, and a control's paragraphs (a footnote's text, a text box)
as lines right after the paragraph holding it — the same place they stand in
an hwpx. Why a reader of our own: see docs/knowledge-bases.md (the candidates
on PyPI either lose table cells or footnotes, read only the preview, need
Python 3.12, or are AGPL).

Bounded like the zip formats: the number of OLE entries, each section's
compressed and decompressed size, the decompression ratio, the total text and
the time are all capped by ``DocumentsConfig``, and decompression stops at the
cap instead of finishing first. Memory holds one section's records at most.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import olefile

from gwanmun.errors import DocumentRejected

if TYPE_CHECKING:
    from gwanmun.documents import _Caps

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURE = b"HWP Document File"
# FileHeader property bits (표 3): what makes a body unreadable without a key.
_COMPRESSED = 1 << 0
_UNPROTECTED = "save a copy without protection in Hangul and upload that"
_LOCKED = {
    1 << 1: f"is password-protected; {_UNPROTECTED}",
    1 << 2: 'is a distribution ("배포용") copy, whose text is encrypted; ask its author for '
    "the original .hwp or .hwpx",
    1 << 4: f"is DRM-protected; {_UNPROTECTED}",
    1 << 8: f"is encrypted with a certificate; {_UNPROTECTED}",
    1 << 10: f"is DRM-protected with a certificate; {_UNPROTECTED}",
}
_PARA_HEADER, _PARA_TEXT, _CTRL_HEADER, _LIST_HEADER, _TABLE = 0x42, 0x43, 0x47, 0x48, 0x4D
_TABLE_ID = "tbl "
# PARA_TEXT: control characters that take eight WCHARs (inline and extended
# controls: tabs, fields, tables, footnotes, ...); the rest take one.
_WIDE = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
_CHAR = {9: "\t", 10: "\n", 24: "-", 30: " ", 31: " "}
_CONTROL_UNIT = re.compile(rb"[\x00-\x1f]\x00", re.DOTALL)
_CLOCK_EVERY = 4096
_CHUNK = 64 * 1024
_RATIO_FLOOR = 1024 * 1024


def read(path: Path, caps: _Caps) -> str:
    """The text of an HWP 5 file, one paragraph per line, sections in order."""
    with path.open("rb") as handle:
        head = handle.read(len(_SIGNATURE))
    if head.startswith(_SIGNATURE):
        raise DocumentRejected(
            f"{path}: an HWP 3.x document (before 한글 97); open it in Hangul and save it as "
            ".hwpx or .hwp (5.x)"
        )
    if head[: len(OLE_MAGIC)] != OLE_MAGIC:
        raise DocumentRejected(f"{path}: not an HWP 5 document (no OLE compound-file header)")
    try:
        return _read_ole(path, caps)
    except OSError as exc:
        # olefile raises OSError (OleFileError) for a broken header, FAT, directory or
        # sector chain, whether on opening the file or a stream.
        raise DocumentRejected(f"{path}: not a readable .hwp file ({exc})") from None


def _read_ole(path: Path, caps: _Caps) -> str:
    with olefile.OleFileIO(str(path)) as ole:
        entries = ole.listdir(streams=True, storages=True)
        if len(entries) > caps.limits.max_members:
            raise caps.refuse(f"the file holds {len(entries):,} streams", "max_members")
        flags = _header_flags(ole, path)
        for bit, what in _LOCKED.items():
            if flags & bit:
                raise DocumentRejected(f"{path}: the document {what}")
        names = sorted(
            ("/".join(e) for e in entries if len(e) == 2 and e[0] == "BodyText"),
            key=lambda n: (len(n), n),
        )
        names = [n for n in names if re.fullmatch(r"BodyText/Section\d+", n)]
        if not names:
            raise DocumentRejected(f"{path}: no BodyText sections: not an HWP 5 document")
        sizes = {name: ole.get_size(name) for name in names}
        for name, size in sizes.items():  # judged before any is read
            if size > caps.limits.max_member_bytes:
                raise caps.refuse(f"{name} is {size:,} bytes", "max_member_bytes")
        lines: list[str] = []
        for name in names:
            with ole.openstream(name) as stream:
                raw = stream.read(caps.limits.max_member_bytes + 1)
            data = _inflate(raw, name, caps) if flags & _COMPRESSED else raw
            if not flags & _COMPRESSED:
                caps.add(len(data))
            _Section(caps, lines).feed(data, name)
    return "\n".join(lines)


def _header_flags(ole: olefile.OleFileIO, path: Path) -> int:
    # olefile reads a whole stream when opening it: the header's size is checked first.
    if not ole.exists("FileHeader") or ole.get_size("FileHeader") > 4096:
        raise DocumentRejected(
            f"{path}: an OLE file without an HWP FileHeader (a .doc or .xls?); "
            "save it as .docx, .hwpx or .hwp"
        )
    with ole.openstream("FileHeader") as stream:
        header = stream.read(256)
    if not header.startswith(_SIGNATURE) or len(header) < 40:
        raise DocumentRejected(
            f"{path}: an OLE file but not an HWP document (a .doc or .xls?); "
            "save it as .docx, .hwpx or .hwp"
        )
    version, flags = struct.unpack_from("<II", header, 32)
    if version >> 24 != 5:
        raise DocumentRejected(f"{path}: HWP version {version >> 24}.x is not supported (5.x is)")
    return int(flags)


def _inflate(raw: bytes, name: str, caps: _Caps) -> bytes:
    """A raw-deflate stream inflated in chunks, stopped at the member and total caps."""
    limit = caps.limits.max_member_bytes
    inflater = zlib.decompressobj(-15)
    out = bytearray()
    for at in range(0, len(raw), _CHUNK):
        caps.tick()
        pending = raw[at : at + _CHUNK]
        end = at + len(pending)
        while pending:
            try:
                piece = inflater.decompress(pending, _CHUNK)
            except zlib.error:
                raise DocumentRejected(
                    f"{caps.path}: {name} is corrupt (its compressed data does not inflate); "
                    "open and save it again in Hangul"
                ) from None
            pending = inflater.unconsumed_tail
            out += piece
            caps.add(len(piece))
            if len(out) > limit:
                raise caps.refuse(
                    f"{name} expands to more than {limit:,} bytes", "max_member_bytes"
                )
            ratio = len(out) / max(end - len(pending), 1)
            if len(out) > _RATIO_FLOOR and ratio > caps.limits.max_compression_ratio:
                raise caps.refuse(
                    f"{name} is compressed {ratio:.0f} to 1 (a decompression bomb?)",
                    "max_compression_ratio",
                )
    tail = inflater.flush(_CHUNK)  # what a last call left inside the inflater
    caps.add(len(tail))
    out += tail
    if not inflater.eof:
        raise DocumentRejected(f"{caps.path}: {name} is cut short (a truncated .hwp?)")
    return bytes(out)


@dataclass
class _Paragraph:
    level: int
    text: str = ""
    after: list[str] = field(default_factory=list)  # lines of its controls


@dataclass
class _Control:
    level: int
    ctrl_id: str
    lists: list[tuple[int | None, list[str]]] = field(default_factory=list)  # (row, lines)


class _Section:
    """Records to lines: open paragraphs and controls on a stack, by level."""

    def __init__(self, caps: _Caps, out: list[str]) -> None:
        self._caps = caps
        self._out = out
        self._stack: list[_Paragraph | _Control] = []

    def feed(self, data: bytes, name: str) -> None:
        for count, (tag, level, body) in enumerate(_records(data, name, self._caps)):
            if count % _CLOCK_EVERY == 0:
                self._caps.tick()
            if tag == _PARA_HEADER:
                self._close(level)
                self._stack.append(_Paragraph(level))
            elif tag == _PARA_TEXT:
                top = self._stack[-1] if self._stack else None
                if isinstance(top, _Paragraph) and top.level == level - 1:
                    top.text = _text(body)
            elif tag == _CTRL_HEADER:
                self._close(level)
                ctrl_id = bytes(body[:4][::-1]).decode("latin-1")
                self._stack.append(_Control(level, ctrl_id))
            elif tag == _LIST_HEADER:
                self._close(level)  # the previous list (a cell's paragraphs) ends here
                control = self._control()
                if control is not None:
                    row = struct.unpack_from("<H", body, 10)[0] if len(body) >= 12 else None
                    control.lists.append((row, []))
        self._close(0)

    def _control(self) -> _Control | None:
        for node in reversed(self._stack):
            if isinstance(node, _Control):
                return node
        return None

    def _close(self, level: int) -> None:
        """Finish every open node at ``level`` or deeper (a record at ``level`` ends them)."""
        while self._stack and self._stack[-1].level >= level:
            node = self._stack.pop()
            if isinstance(node, _Paragraph):
                lines = ([node.text] if node.text else []) + node.after
                self._sink().extend(lines)
            else:
                parent = self._stack[-1] if self._stack else None
                target = parent.after if isinstance(parent, _Paragraph) else self._sink()
                target.extend(_render(node))

    def _sink(self) -> list[str]:
        """Where a finished paragraph goes: its control's current list, or the section."""
        for node in reversed(self._stack):
            if isinstance(node, _Control):
                if not node.lists:
                    node.lists.append((None, []))
                return node.lists[-1][1]
            return node.after
        return self._out


def _render(control: _Control) -> list[str]:
    if control.ctrl_id != _TABLE_ID:
        return [line for _, lines in control.lists for line in lines]
    rows: dict[int, list[str]] = {}
    for n, (row, lines) in enumerate(control.lists):
        rows.setdefault(n if row is None else row, []).append("\n".join(lines))
    return ["\t".join(cells) for _, cells in sorted(rows.items()) if any(cells)]


def _records(data: bytes, name: str, caps: _Caps) -> Iterator[tuple[int, int, memoryview]]:
    view = memoryview(data)
    at, end = 0, len(data)
    while at < end:
        if at + 4 > end:
            raise DocumentRejected(f"{caps.path}: {name} ends inside a record (a broken .hwp?)")
        (header,) = struct.unpack_from("<I", data, at)
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        at += 4
        if size == 0xFFF:
            if at + 4 > end:
                raise DocumentRejected(f"{caps.path}: {name} ends inside a record (a broken .hwp?)")
            (size,) = struct.unpack_from("<I", data, at)
            at += 4
        if at + size > end:
            raise DocumentRejected(f"{caps.path}: {name} ends inside a record (a broken .hwp?)")
        yield tag, level, view[at : at + size]
        at += size


def _text(body: memoryview) -> str:
    """A PARA_TEXT record's characters, controls dropped (tabs and breaks kept)."""
    data = bytes(body[: len(body) - len(body) % 2])
    parts: list[str] = []
    at = 0
    search = 0
    while True:
        found = _CONTROL_UNIT.search(data, search)
        if found is None:
            break
        start = found.start()
        if start % 2:  # the pattern straddled two characters: not a control
            search = start + 1
            continue
        code = data[start]
        parts.append(data[at:start].decode("utf-16-le", errors="replace"))
        if code == 13:
            at = len(data)
            break
        parts.append(_CHAR.get(code, ""))
        at = start + (16 if code in _WIDE else 2)
        search = at
    if at < len(data):
        parts.append(data[at:].decode("utf-16-le", errors="replace"))
    return "".join(parts)
