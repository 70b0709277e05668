"""Small helpers shared by the detectors.  [pure]"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Iterator

from gwanmun.types import Finding

# Digit-run boundaries that still allow a glued Korean particle or Japanese
# okurigana after the value (``900101-1234567이고``, ``…5678です``).
# A value is not part of a longer dashed or dotted number either: no "-1111"
# continuing it. After a space a number may follow (``… 1234568 2024년``,
# ``4111 1111 1111 1111 12/27``): whether it continues a space-grouped value
# is ``spaced_continuation``'s to say.
NO_DIGIT_BEFORE = r"(?<![0-9A-Za-z])(?<![0-9][-.])"
NO_DIGIT_AFTER = r"(?![0-9A-Za-z])(?![-.][0-9])"
# An optional separator inside a structured number (after normalisation).
SEP = r"[ .\-]?"
# In a trigger (hyperscan has no lookarounds): the one or two characters before
# or after a value that NO_DIGIT_BEFORE / NO_DIGIT_AFTER allow, or the text's
# edge. A trigger with these fires at a free-standing number, not inside a longer
# one — nor at the inner groups of a dashed one (1234-5678-…).
EDGE_BEFORE = r"(?:^|(?:^|[^0-9])[-.]|[^0-9A-Za-z\-.])"
EDGE_AFTER = r"(?:$|[-.](?:$|[^0-9])|[^0-9A-Za-z\-.])"
# How far a context word that names a value (주민등록번호, マイナンバー) may be
# from it: a sentence, not only the words next to it. Words that name it as
# something else (電話) count only closer, and never against a naming word.
CONTEXT_REACH = 60
# The longest digit group ``spaced_continuation`` compares (it reads one more).
_GROUP_MAX = 8


def spaced_continuation(text: str, start: int, end: int) -> bool:
    """Whether the number ``text[start:end]`` is only part of a longer number
    grouped by spaces: its groups are separated by spaces and one more group of
    the same length follows (or precedes) it after a space — the first twelve
    digits of ``4111 1111 1111 1111`` are no My Number. A number after a space
    that groups differently is another one: ``900101-1234568 2024년``,
    ``4111 1111 1111 1111 12/27``, ``010-1234-5678 010-9999-8888``."""
    if text.find(" ", start, end) < 0:
        return False  # not grouped by spaces: nothing can continue it that way
    if end < len(text) and text[end] == " ":
        tail = _group_len(text, end - 1, -1)  # the value's last group, after a space?
        grouped = start <= end - tail - 1 and text[end - tail - 1] == " "
        if grouped and _group_len(text, end + 1, 1) == tail:
            return True
    if start > 0 and text[start - 1] == " ":
        head = _group_len(text, start, 1)  # its first group, before a space?
        grouped = start + head < end and text[start + head] == " "
        if grouped and _group_len(text, start - 2, -1) == head:
            return True
    return False


def _group_len(text: str, at: int, step: int) -> int:
    """The length of the group of ASCII letters and digits that runs from ``at``
    in direction ``step`` (read at most ``_GROUP_MAX + 1``), or 0 when it holds
    no digit (a word, not a group of a number: ``DE23`` of an IBAN is one)."""
    n, digit = 0, False
    while 0 <= at < len(text) and text[at] in _ASCII_ALNUM and n <= _GROUP_MAX:
        digit = digit or text[at] <= "9"
        n += 1
        at += step
    return n if digit else 0


# Where a number starts: a digit (any script's) and the ASCII digits after it. It
# opens with a character class, so the engine skips to the next digit.
DIGIT_RUN = re.compile(r"\d[0-9]*")
_ASCII_ALNUM = frozenset(string.digits + string.ascii_letters)


def matches_at_starts(
    pattern: re.Pattern[str], text: str, starts: re.Pattern[str] = DIGIT_RUN
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match begins where a
    match of ``starts`` begins, never after an ASCII letter or digit, and so never
    inside a run of ASCII digits (``NO_DIGIT_BEFORE`` and a digit, say): tried
    only there. A pattern that opens with a lookbehind is otherwise tried at
    every position of the text (2-3x slower on prose)."""
    pos = 0
    search, match = starts.search, pattern.match
    while (run := search(text, pos)) is not None:
        at = run.start()
        m = None if at and text[at - 1] in _ASCII_ALNUM else match(text, at)
        if m is None or spaced_continuation(text, m.start(), m.end()):
            # No match starts later in a run of ASCII digits (a digit precedes
            # each); after another script's digit (٣) or a sign, the next may.
            pos = run.end() if text[at] in _ASCII_ALNUM else at + 1
            continue
        yield m
        pos = m.end()


# The non-ASCII characters Python's case-insensitive matching folds to an ASCII
# letter (ı ~ i, ſ ~ s, K ~ k, İ ~ i̇) — where lower() or hyperscan's ASCII case
# folding would not find what the regex finds.
_FOLDS_TO_ASCII = ("ı", "ſ", "\u212a", "İ")


def folds_to_ascii(text: str) -> bool:
    """Whether ``text`` holds one of those characters: a shortcut that looks for
    a case-insensitive regex's words some cheaper way is then not exact."""
    return any(c in text for c in _FOLDS_TO_ASCII)


def near(text: str, start: int, end: int, words: Iterable[str], window: int = 24) -> bool:
    """Whether any of ``words`` (case-insensitive) occurs within ``window``
    characters before ``start`` or after ``end``."""
    found = any_of(tuple(words)).search
    return (
        found(text[max(0, start - window) : start].lower()) is not None
        or found(text[end : end + window].lower()) is not None
    )


@functools.lru_cache(maxsize=256)
def any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for "one of ``words`` (lower-cased) occurs": a search with
    it costs what one ``in`` test does, not one per word (the detectors ask
    this of every match, with ten to twenty words)."""
    if not words:
        return re.compile(r"(?!x)x")  # an empty alternation would match anywhere
    return re.compile("|".join(re.escape(w.lower()) for w in words))


def digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def make(kind: str, start: int, end: int, score: float, detector: str) -> Finding:
    score = round(min(1.0, max(0.0, score)), 3)
    return Finding(kind=kind, start=start, end=end, score=score, detector=detector)


class PatternDetector:
    """One kind found by one compiled regex, each match judged by ``score``.

    Subclasses set ``id``, ``kind`` and ``pattern`` and override ``score``
    (return ``None`` to drop a match). The match's ``value`` group, if any,
    is the reported span; otherwise the whole match.
    """

    id: str = ""
    kind: str = ""
    pattern: re.Pattern[str] = re.compile(r"(?!x)x")
    # Where every match begins, if the pattern allows skipping (``matches_at_starts``).
    starts: re.Pattern[str] | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,)

    @property
    def digit_bounded(self) -> bool:
        """Whether the pattern ends its numbers with ``NO_DIGIT_AFTER`` (or starts
        them with ``NO_DIGIT_BEFORE``), which leave what follows a space to
        ``spaced_continuation``."""
        return NO_DIGIT_AFTER in self.pattern.pattern or NO_DIGIT_BEFORE in self.pattern.pattern

    def score(self, match: re.Match[str], text: str) -> float | None:
        return 0.9

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        matches = (
            self.pattern.finditer(text)
            if self.starts is None
            else matches_at_starts(self.pattern, text, self.starts)
        )
        grouped = self.starts is None and self.digit_bounded
        for match in matches:
            if grouped and spaced_continuation(text, match.start(), match.end()):
                continue
            score = self.score(match, text)
            if score is None or score < 0.5:
                continue
            group = "value" if "value" in self.pattern.groupindex else 0
            found.append(make(self.kind, match.start(group), match.end(group), score, self.id))
        return found
