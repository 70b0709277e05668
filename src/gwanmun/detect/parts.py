"""Identifiers named in parts: ``생년월일 900101 … 뒷자리는 1234568``,
``マイナンバーの前半は 1234、後半は 5678 9018``.  [pure]

Registered as ``identifier_parts`` (kinds KR_RRN and JP_MY_NUMBER). A person
who knows a number is guarded may give it in pieces with words between them;
no piece is an identifier, the pieces together are. Two or three groups of
digits, each a few words from the next, that together make a valid number —
a resident number's date, gender digit and check digit, a My Number's check
digit — and a word naming that number near the first piece: each piece is
reported, so each is masked where it was typed. Without a naming word, two
numbers near each other are two numbers.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import CONTEXT_REACH, make, near
from gwanmun.detect.japan import my_number_ok
from gwanmun.detect.korea import _date_ok, rrn_checksum_ok
from gwanmun.types import Finding

# A piece: digits standing alone, perhaps grouped (5678 9018); a particle may
# follow (1234568이고).
_GROUP = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][.\-])[0-9]{1,11}(?:[ .\-][0-9]{1,11}){0,12}"
    r"(?![0-9A-Za-z])(?![-.][0-9])"
)
# The most characters of words between two pieces.
GAP = 48
_RRN_WORDS = ("주민", "생년월일", "뒷자리", "앞자리", "뒤 7자리", "RRN", "resident", "住民")
_MY_NUMBER_WORDS = ("マイナンバー", "個人番号", "my number", "마이넘버")


@dataclass(frozen=True, slots=True)
class _Whole:
    kind: str
    length: int
    words: tuple[str, ...]

    def valid(self, digits: str) -> bool:
        if self.kind == "KR_RRN":
            gender = digits[6]
            return gender in "1234" and _date_ok(digits[:6], gender) and rrn_checksum_ok(digits)
        return my_number_ok(digits)


_WHOLES = (
    _Whole("KR_RRN", 13, _RRN_WORDS),
    _Whole("JP_MY_NUMBER", 12, _MY_NUMBER_WORDS),
)


class IdentifierParts:
    id = "identifier_parts"
    kinds = ("KR_RRN", "JP_MY_NUMBER")

    def detect(self, text: str) -> list[Finding]:
        wholes = [w for w in _WHOLES if any(word in text for word in w.words)]
        if not wholes:
            return []  # no word naming such a number: most texts end here
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(text)]
        found: list[Finding] = []
        for i in range(len(groups)):
            for count in (2, 3):
                pieces = groups[i : i + count]
                if len(pieces) < count or any(
                    b[0] - a[1] > GAP or not _words_between(text, a[1], b[0])
                    for a, b in itertools.pairwise(pieces)
                ):
                    continue
                digits = "".join(c for lo, hi in pieces for c in text[lo:hi] if c.isdigit())
                for whole in wholes:
                    if len(digits) != whole.length or not whole.valid(digits):
                        continue
                    if not near(text, pieces[0][0], pieces[-1][1], whole.words, CONTEXT_REACH):
                        continue
                    found += [make(whole.kind, lo, hi, 0.95, self.id) for lo, hi in pieces]
        return found


def _words_between(text: str, lo: int, hi: int) -> bool:
    """Whether a letter stands between two pieces: pieces joined by separators
    only are one grouped number, the other detectors' to read."""
    return any(c.isalpha() for c in text[lo:hi])


REGISTRY.register(IdentifierParts())
