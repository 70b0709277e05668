"""Institution terms (project code names, system names, staff names).  [pure]

``OrgTermDetector`` is built from the policy's ``org_terms`` (not registered
globally). All terms are compiled into one hyperscan database, so a scan costs
about the same with ten terms or ten thousand. Latin-script terms match whole
words only (``Haneul`` not inside ``Haneulsoft``); Korean and Japanese terms
match anywhere, since particles and okurigana attach to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import hyperscan

from gwanmun.detect import Scanner
from gwanmun.detect._common import make
from gwanmun.types import Finding


@dataclass(frozen=True, slots=True)
class OrgTerm:
    term: str
    grade: str = "S"
    action: str = "mask"
    case_sensitive: bool = False
    note: str = ""


def _latin(term: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9]", term))


class OrgTermDetector:
    id = "org_terms"
    kinds = ("ORG_TERM",)

    def __init__(self, terms: Sequence[OrgTerm]) -> None:
        self.terms = [t for t in terms if t.term.strip()]
        self._scanner: Scanner | None = None
        if not self.terms:
            return
        flags = [
            hyperscan.HS_FLAG_SOM_LEFTMOST | (0 if t.case_sensitive else hyperscan.HS_FLAG_CASELESS)
            for t in self.terms
        ]
        self._scanner = Scanner([re.escape(t.term) for t in self.terms], flags)

    def term_for(self, value: str) -> OrgTerm | None:
        for t in self.terms:
            if (t.term == value) if t.case_sensitive else (t.term.casefold() == value.casefold()):
                return t
        return None

    def detect(self, text: str) -> list[Finding]:
        if self._scanner is None or not text:
            return []
        hits = self._scanner.spans(text)  # one scratch per thread; offsets in characters
        found: list[Finding] = []
        for start, end, term_id in sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]))):
            term = self.terms[term_id]
            if _latin(term.term) and (
                (start > 0 and text[start - 1].isalnum() and text[start - 1].isascii())
                or (end < len(text) and text[end].isalnum() and text[end].isascii())
            ):
                continue  # inside a longer Latin word
            if found and start < found[-1].end:
                continue  # overlapped by a longer (earlier) term
            found.append(make("ORG_TERM", start, end, 0.99, self.id))
        return found
