"""Small HWP 5.x files for tests, written byte by byte after Hancom's published
"한글 문서 파일 구조 5.0" (no PyPI package for Python 3.11 writes HWP 5).

An HWP 5 file is an OLE compound file (MS-CFB, version 3, 512-byte sectors)
holding ``FileHeader``, ``DocInfo`` and ``BodyText/Section0..n``; the last two
are sequences of tagged records, raw-deflate compressed when the header says so.
What is written is what Hangul writes for the parts text extraction reads: the
first paragraph carries the section and column definitions ('secd', 'cold'),
paragraphs are PARA_HEADER with PARA_TEXT / PARA_CHAR_SHAPE / PARA_LINE_SEG, a
table is a CTRL_HEADER 'tbl ' with its TABLE record and a LIST_HEADER per cell
followed by the cell's paragraphs, a footnote a CTRL_HEADER 'fn  ' with its
list, a text box a 'gso ' drawing object with its list under SHAPE_COMPONENT.
A ``PrvText`` preview (the start of the text, as Hangul keeps it) is there too,
so a reader that only reads the preview shows what it misses. Not written:
DocInfo's fonts, shapes and styles (no reader of text needs them), BinData.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURE = b"HWP Document File"
VERSION = 0x05010001  # 5.1.0.1 (Hangul 2018+)
COMPRESSED, PASSWORD, DISTRIBUTION = 0x1, 0x2, 0x4

# Record tags (HWPTAG_BEGIN = 0x10).
DOCUMENT_PROPERTIES, ID_MAPPINGS, DISTRIBUTE_DOC_DATA = 0x10, 0x11, 0x1C
PARA_HEADER, PARA_TEXT, PARA_CHAR_SHAPE, PARA_LINE_SEG = 0x42, 0x43, 0x44, 0x45
CTRL_HEADER, LIST_HEADER, PAGE_DEF, SHAPE_COMPONENT, TABLE = 0x47, 0x48, 0x49, 0x4C, 0x4D

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


@dataclass(frozen=True)
class Table:
    """A table control: rows of cells, each cell one or more paragraphs (lines)."""

    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Footnote:
    """A footnote control at this point of its paragraph."""

    text: str


@dataclass(frozen=True)
class TextBox:
    """A drawing object ('gso ') holding a text box: its paragraphs sit one level
    below its SHAPE_COMPONENT record."""

    text: str


Part = str | Table | Footnote | TextBox


@dataclass
class _Section:
    records: list[bytes] = field(default_factory=list)
    instance: int = 0

    def add(self, tag: int, level: int, data: bytes) -> None:
        size = len(data)
        if size < 0xFFF:
            self.records.append(struct.pack("<I", tag | level << 10 | size << 20) + data)
        else:
            self.records.append(struct.pack("<II", tag | level << 10 | 0xFFF << 20, size) + data)

    def paragraph(
        self, parts: Sequence[Part], level: int, *, last: bool, first: bool = False
    ) -> None:
        """One paragraph: its header and text, then a CTRL_HEADER per control in it."""
        text = bytearray()
        controls: list[tuple[bytes, Part | None]] = []
        if first:  # section and column definitions open a body, as Hangul writes them
            controls += [(b"secd", None), (b"cold", None)]
            text += _control(2, b"secd") + _control(2, b"cold")
        mask = 1 << 2 if first else 0
        for part in parts:
            if isinstance(part, str):
                # A tab is an inline control of eight WCHARs; a line break one WCHAR (10).
                pieces = part.split("\t")
                for n, piece in enumerate(pieces):
                    text += piece.encode("utf-16-le")
                    if n < len(pieces) - 1:
                        text += struct.pack("<H", 9) + bytes(12) + struct.pack("<H", 9)
                        mask |= 1 << 9
            elif isinstance(part, Table):
                controls.append((b"tbl ", part))
                text += _control(11, b"tbl ")
                mask |= 1 << 11
            elif isinstance(part, TextBox):
                controls.append((b"gso ", part))
                text += _control(11, b"gso ")
                mask |= 1 << 11
            else:
                controls.append((b"fn  ", part))
                text += _control(17, b"fn  ")
                mask |= 1 << 17
        text += "\r".encode("utf-16-le")
        chars = len(text) // 2
        self.instance += 1
        header = struct.pack(
            "<IIHBBHHHIH", chars | (0x80000000 if last else 0), mask, 0, 0, 0, 1, 0, 1,
            self.instance, 0,
        )  # fmt: skip
        self.add(PARA_HEADER, level, header)
        if chars > 1:
            self.add(PARA_TEXT, level + 1, bytes(text))
        self.add(PARA_CHAR_SHAPE, level + 1, struct.pack("<II", 0, 0))
        self.add(PARA_LINE_SEG, level + 1, bytes(36))
        for ctrl_id, part in controls:
            self.add(CTRL_HEADER, level + 1, _chid(ctrl_id) + bytes(42 if part else 12))
            if ctrl_id == b"secd":
                self.add(
                    PAGE_DEF, level + 2, struct.pack("<7I", 59528, 84188, *(5669,) * 5) + bytes(4)
                )
            elif isinstance(part, Table):
                self.table(part, level + 2)
            elif isinstance(part, Footnote):
                self.add(LIST_HEADER, level + 2, struct.pack("<HHI", 1, 0, 0) + bytes(8))
                self.paragraph([part.text], level + 2, last=True)
            elif isinstance(part, TextBox):
                self.add(SHAPE_COMPONENT, level + 2, _chid(b"$rec") * 2 + bytes(188))
                self.add(LIST_HEADER, level + 3, struct.pack("<HHI", 1, 0, 0) + bytes(8))
                self.paragraph([part.text], level + 3, last=True)

    def table(self, table: Table, level: int) -> None:
        rows, cols = len(table.rows), max(len(r) for r in table.rows)
        self.add(
            TABLE,
            level,
            struct.pack("<IHHH4H", 0x04000006, rows, cols, 0, 510, 510, 141, 141)
            + struct.pack(f"<{rows}H", *(len(r) for r in table.rows))
            + struct.pack("<HH", 1, 0),
        )
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                lines = cell.split("\n")
                self.add(
                    LIST_HEADER,
                    level,
                    struct.pack("<HHI4H2I4HH", len(lines), 0, 0x20, c, r, 1, 1, 12000, 1000,
                                510, 510, 141, 141, 1),
                )  # fmt: skip
                for n, line in enumerate(lines):
                    self.paragraph([line], level, last=n == len(lines) - 1)


def _chid(name: bytes) -> bytes:
    """A control id as Hangul stores it: MAKE_4CHID as a little-endian UINT32."""
    return name[::-1]


def _control(ch: int, ctrl_id: bytes) -> bytes:
    """An extended control inside PARA_TEXT: eight WCHARs, the code at both ends."""
    return struct.pack("<H", ch) + _chid(ctrl_id) + bytes(8) + struct.pack("<H", ch)


def section(body: Sequence[str | Sequence[Part]]) -> bytes:
    """A BodyText section's records (uncompressed): one paragraph per item; an item
    is a string or a list of strings, tables and footnotes."""
    out = _Section()
    for n, item in enumerate(body):
        parts: Sequence[Part] = [item] if isinstance(item, str) else item
        out.paragraph(parts, 0, last=n == len(body) - 1, first=n == 0)
    return b"".join(out.records)


def _docinfo(sections: int) -> bytes:
    out = _Section()
    out.add(DOCUMENT_PROPERTIES, 0, struct.pack("<7H3I", sections, 1, 1, 1, 1, 1, 1, 0, 0, 0))
    out.add(ID_MAPPINGS, 0, bytes(4 * 18))
    return b"".join(out.records)


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def document(
    *sections: Sequence[str | Sequence[Part]],
    compressed: bool = True,
    password: bool = False,
    distribution: bool = False,
    raw_sections: Sequence[bytes] = (),
) -> bytes:
    """An HWP 5 document with one BodyText section per argument (see ``section``).
    ``raw_sections``: section streams as given (already compressed if ``compressed``),
    for broken and hostile cases. ``password``/``distribution``: the header flags of
    an encrypted or distribution ("배포용") document, whose body is unreadable."""
    flags = (COMPRESSED if compressed else 0) | (PASSWORD if password else 0)
    flags |= DISTRIBUTION if distribution else 0
    pack = _deflate if compressed else bytes
    header = SIGNATURE.ljust(32, b"\0") + struct.pack("<II", VERSION, flags)
    bodies = [pack(section(s)) for s in sections] + list(raw_sections)
    streams: dict[str, bytes] = {
        "FileHeader": header.ljust(256, b"\0"),
        "DocInfo": pack(_docinfo(len(bodies))),
    }
    folder = "ViewText" if distribution else "BodyText"
    for n, body in enumerate(bodies):
        if distribution:  # the body is encrypted with a key inside this record
            body = pack(_record(DISTRIBUTE_DOC_DATA, 0, os.urandom(256)) + os.urandom(len(body)))
        streams[f"{folder}/Section{n}"] = body
    preview = "\r\n".join(p for s in sections for p in s if isinstance(p, str))[:1024]
    streams["PrvText"] = preview.encode("utf-16-le")
    # An empty OLE property set: Hangul always writes one, and some readers insist on it.
    streams["\x05HwpSummaryInformation"] = struct.pack("<HHI16sI", 0xFFFE, 0, 0x20006, bytes(16), 0)
    return compound_file(streams)


def _record(tag: int, level: int, data: bytes) -> bytes:
    out = _Section()
    out.add(tag, level, data)
    return out.records[0]


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file (CFB v3) holding ``streams`` ("Storage/Stream" paths)."""
    # Directory: the root, then storages and streams, each storage's children a
    # balanced binary tree (all black: a valid red-black tree).
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "kids": []}]
    index = {"": 0}
    for path in streams:
        parent = ""
        parts = path.split("/")
        for depth, name in enumerate(parts):
            here = "/".join(parts[: depth + 1])
            if here not in index:
                kind = 2 if depth == len(parts) - 1 else 1
                index[here] = len(entries)
                entries.append({"name": name, "type": kind, "kids": [], "path": here})
                kids = entries[index[parent]]["kids"]
                assert isinstance(kids, list)
                kids.append(index[here])
            parent = here

    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes) -> int:
        if not data:
            return _END
        start = len(sectors)
        count = -(-len(data) // _SECTOR)
        for n in range(count):
            sectors.append(data[n * _SECTOR : (n + 1) * _SECTOR].ljust(_SECTOR, b"\0"))
            fat.append(start + n + 1 if n < count - 1 else _END)
        return start

    mini = bytearray()
    minifat: list[int] = []
    for entry in entries[1:]:
        if entry["type"] != 2:
            continue
        data = streams[str(entry["path"])]
        entry["size"] = len(data)
        if len(data) >= _CUTOFF:
            entry["start"] = chain(data)
        elif data:
            start = len(mini) // _MINI
            count = -(-len(data) // _MINI)
            mini += data.ljust(count * _MINI, b"\0")
            minifat += [start + n + 1 if n < count - 1 else _END for n in range(count)]
            entry["start"] = start
        else:
            entry["start"] = _END
    entries[0]["start"] = chain(bytes(mini))
    entries[0]["size"] = len(mini)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    minifat_bytes += struct.pack("<I", _FREE) * ((-len(minifat)) % 128)
    first_minifat = chain(minifat_bytes)

    def tree(kids: list[int]) -> int:
        if not kids:
            return _NOSTREAM
        mid = len(kids) // 2
        entries[kids[mid]]["left"] = tree(kids[:mid])
        entries[kids[mid]]["right"] = tree(kids[mid + 1 :])
        return kids[mid]

    for entry in entries:
        kids = entry["kids"]
        assert isinstance(kids, list)
        kids.sort(key=lambda i: (len(str(entries[i]["name"])), str(entries[i]["name"]).upper()))
        entry["child"] = tree(kids)
    directory = b"".join(_dir_entry(e) for e in entries)
    directory += _dir_entry(None) * ((-len(entries)) % 4)
    first_dir = chain(directory)

    fat_count = 1
    while len(sectors) + fat_count > fat_count * 128:
        fat_count += 1
    assert fat_count <= 109, "no DIFAT: files up to ~7 MB"
    fat_start = len(sectors)
    fat += [_FATSECT] * fat_count
    fat += [_FREE] * (fat_count * 128 - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    difat = list(range(fat_start, fat_start + fat_count)) + [_FREE] * (109 - fat_count)
    header = (
        OLE_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, fat_count, first_dir, 0, _CUTOFF,
                      first_minifat, len(minifat_bytes) // _SECTOR, _END, 0)
        + struct.pack("<109I", *difat)
    )  # fmt: skip
    return header + b"".join(sectors) + fat_bytes


def _dir_entry(entry: dict[str, object] | None) -> bytes:
    if entry is None:
        return (
            bytes(64)
            + struct.pack("<HBBIII", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM)
            + bytes(16 + 4 + 16 + 4 + 8)
        )
    name = str(entry["name"]).encode("utf-16-le") + b"\0\0"
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB", len(name), int(str(entry["type"])), 1)
        + struct.pack("<III", entry.get("left", _NOSTREAM), entry.get("right", _NOSTREAM),
                      entry["child"])
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", entry.get("start", _END), entry.get("size", 0))
    )  # fmt: skip
