"""Small HWPX files for tests: a zip with the mimetype and one section of
OWPML paragraphs (what Hangul writes, reduced to what text extraction reads)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

PARAGRAPH_NS = "http://www.hancom.co.kr/hwpml/2011/paragraph"


def archive(section_xml: str) -> bytes:
    """An HWPX archive whose only section is ``section_xml`` (any XML, for bad cases)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("mimetype", "application/hwp+zip")
        out.writestr("Contents/section0.xml", section_xml)
    return buffer.getvalue()


def document(paragraphs: Sequence[str]) -> bytes:
    """An HWPX document with one paragraph per item."""
    body = "".join(f"<hp:p><hp:run><hp:t>{escape(p)}</hp:t></hp:run></hp:p>" for p in paragraphs)
    return archive(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<hs:sec xmlns:hs="x" xmlns:hp="{PARAGRAPH_NS}">{body}</hs:sec>'
    )
