"""Identifiers named in parts: ``생년월일 900101 … 뒷자리는 1234568``,
``マイナンバーの前半は 1234、後半は 5678 9018``.  [pure]

Registered as ``identifier_parts`` (kinds KR_RRN and JP_MY_NUMBER). A person
who knows a number is guarded may give it in pieces with words between them;
no piece is an identifier, the pieces together are. Two or three groups of
digits, each a few words from the next, that together make a valid number —
a resident number's date, gender digit and check digit, a My Number's check
digit — and a word naming that number near the first piece: each piece is
reported, so each is masked where it was typed. Without a naming word, two
numbers near each other are two numbers — except in the cells of one table
row (``900101 | 가나다 | 1234568``), where they make a valid number together.

A front half may also be a birth date written as a date (``1990년 1월 1일``,
``구십년 일월 일일생``, ``1990.1.1``; ``gwanmun.detect.dates``), paired with a
back half of the year's century. Rows are cut where the user typed their
cells (``detect_normalized``): the normaliser joins ``900101 | 2024-03-01``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import hyperscan
import numpy as np

from gwanmun.detect import REGISTRY, literal
from gwanmun.detect._common import CONTEXT_REACH, make, near
from gwanmun.detect.dates import dates
from gwanmun.detect.japan import my_number_ok
from gwanmun.detect.korea import _date_ok, rrn_checksum_ok
from gwanmun.text import Normalized
from gwanmun.types import Finding

# A piece: digits standing alone, perhaps grouped (5678 9018); a particle may
# follow (1234568이고). Opens with a digit: the engine skips to digits.
_GROUP = re.compile(
    r"[0-9](?<![0-9A-Za-z][0-9])(?<![0-9][.\-][0-9])[0-9]{0,10}(?:[ .\-][0-9]{1,11}){0,12}"
    r"(?![0-9A-Za-z])(?![-.][0-9])"
)
# How far from a naming word the pieces may lie: its reach, two gaps and
# three pieces (a piece longer than this holds too many digits to be one).
_PIECE_MAX = 40
# The most characters of words between two pieces.
GAP = 48
_RRN_WORDS = ("주민", "생년월일", "뒷자리", "앞자리", "뒤 7자리", "RRN", "resident", "住民")
# Words that name a resident number and nothing else (주민 alone is also
# 주민센터, 지역 주민): with one of these near, a number issued since October
# 2020 — its back digits random, so no check digit — is taken in pieces too.
_RRN_ONLY_WORDS = (
    "주민번호", "주민등록", "생년월일", "뒷자리", "앞자리", "뒤 7자리", "RRN",
    "resident registration", "住民登録",
)  # fmt: skip
# The first birth date whose number carries no check digit (issued from
# 2020-10-01 on, gender digit 3 or 4).
_RANDOM_SINCE = "201001"
_MY_NUMBER_WORDS = ("マイナンバー", "個人番号", "my number", "마이넘버")


@dataclass(frozen=True, slots=True)
class _Whole:
    kind: str
    length: int
    words: tuple[str, ...]

    def valid(self, digits: str, *, named: bool = False) -> bool:
        """A valid number: date, gender digit and check digit (a resident
        number), or the check digit (My Number). ``named``: a word naming a
        resident number and nothing else is near, and a number issued since
        October 2020, which has no check digit, is valid too."""
        if self.kind == "KR_RRN":
            gender = digits[6]
            if gender not in "1234" or not _date_ok(digits[:6], gender):
                return False
            return rrn_checksum_ok(digits) or (named and _issued_random(digits))
        return my_number_ok(digits)


def _issued_random(digits: str) -> bool:
    """A resident number of someone born since October 2020 (valid date assumed):
    its last seven digits after the gender digit are random."""
    return digits[6] in "34" and digits[:6] >= _RANDOM_SINCE


_WHOLES = (
    _Whole("KR_RRN", 13, _RRN_WORDS),
    _Whole("JP_MY_NUMBER", 12, _MY_NUMBER_WORDS),
)
# Every naming word in one pattern: one scan finds which wholes a text names
# and where (a ``str.find`` per word cost 0.2-0.4 us each, twice).
_NAMING = re.compile("|".join(re.escape(word) for whole in _WHOLES for word in whole.words))
_WHOLE_OF = {word: whole for whole in _WHOLES for word in whole.words}
_WORDS = tuple(_WHOLE_OF)
# Where ``dates`` may find a date, as hyperscan expressions: a 년 (``_said``
# starts from one), and a dotted date's first separator with a digit before it
# and the month and second separator after it (``_DOTTED_HINT``'s lookarounds,
# as characters: each of its matches in ``text[lo:hi]`` is one of these
# ending after ``lo`` and by ``hi``).
_DATE_MARKS = (literal("년"), r"[0-9][.\-][0-9]{1,2}[.\-][0-9]")


def _naming_words(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` of every occurrence of every naming word, as a
    ``str.find`` per word finds them: each search starts one past the last
    match, so a word starting inside another (``my numberesident``) is found
    too; no word holds another (a test checks), so at most one starts at a
    position."""
    found: list[tuple[int, int, str]] = []
    match = _NAMING.search(text)
    while match is not None:
        found.append((match.start(), match.end(), match.group()))
        match = _NAMING.search(text, match.start() + 1)
    return found


class IdentifierParts:
    id = "identifier_parts"
    kinds = ("KR_RRN", "JP_MY_NUMBER")
    # The naming words and where a date may be, found by ``run_detectors``
    # in its trigger pass.
    hints = tuple((e, hyperscan.HS_FLAG_UTF8) for e in (*map(literal, _WORDS), *_DATE_MARKS))

    def detect(self, text: str) -> list[Finding]:
        return self._detect(text, _in_table_rows(text, self.id))

    def detect_normalized(
        self, normalized: Normalized, hints: list[tuple[int, int]] | None = None
    ) -> list[Finding]:
        """``detect`` with table rows cut where the user typed their cells.
        ``hints``: where the naming words end, when the caller found them
        (``run_detectors``: ``(end, number)`` of ``hints``)."""
        rows = _in_table_rows(normalized.text, self.id, normalized)
        if hints is None:
            return self._detect(normalized.text, rows)
        words = len(_WORDS)
        # by start: at most one word starts at a place
        named = sorted((end - len(_WORDS[n]), end, _WORDS[n]) for end, n in hints if n < words)
        marks = [end for end, n in hints if n >= words]  # sorted, as the hints
        return self._detect(normalized.text, rows, named, marks)

    def _detect(
        self,
        text: str,
        rows: list[Finding],
        named: list[tuple[int, int, str]] | None = None,
        marks: list[int] | None = None,
    ) -> list[Finding]:
        """``named``: ``_naming_words(text)``, and ``marks``: where the
        ``_DATE_MARKS`` end, when the caller found them."""
        if named is None:
            named = _naming_words(text)
        if not named:
            return rows  # no word naming such a number: most texts end here
        present = {_WHOLE_OF[word].kind for _, _, word in named}  # a kind hashes cheaper
        wholes = [whole for whole in _WHOLES if whole.kind in present]
        rrn_words = [(lo, hi) for lo, hi, word in named if _WHOLE_OF[word].kind == "KR_RRN"]
        found = _dated(text, rrn_words, self.id, marks) if rrn_words else []
        words = [(lo, hi) for lo, hi, _ in named]
        lengths = {whole.length for whole in wholes}
        # Pairs and triples of pieces whose digits add up to a whole's length,
        # found before anything else is looked at: in prose, numbers near a
        # naming word seldom do. The counts come from the pieces' strings
        # alone; their places only when some add up (a match object and a
        # span per piece cost more than the scan on 1 KB).
        counts = [_digit_count(piece) for piece in _piece_strings(text, words)]
        if next(_choices(counts, lengths), None) is None:
            return _merged(found, rows)
        groups = _pieces_near(text, words)
        for i, count in _choices(counts, lengths):
            # Whether each piece and the next are a few words apart (not one
            # grouped number, not two numbers a paragraph apart).
            if not all(_linked(text, groups[j], groups[j + 1]) for j in range(i, i + count - 1)):
                continue
            pieces = groups[i : i + count]
            digits = "".join(_NOT_DIGIT.sub("", text[lo:hi]) for lo, hi in pieces)
            for whole in wholes:
                if len(digits) != whole.length:
                    continue
                lo, hi = pieces[0][0], pieces[-1][1]
                only = whole.kind == "KR_RRN" and near(text, lo, hi, _RRN_ONLY_WORDS, CONTEXT_REACH)
                if not whole.valid(digits, named=only):
                    continue
                if not near(text, lo, hi, whole.words, CONTEXT_REACH):
                    continue
                found += [make(whole.kind, lo, hi, 0.95, self.id) for lo, hi in pieces]
        return _merged(found, rows)


def _merged(found: list[Finding], more: list[Finding]) -> list[Finding]:
    """``found`` and those of ``more`` not in it (a row's pieces may be named too)."""
    reported = {(f.kind, f.start, f.end) for f in found}
    return found + [f for f in more if (f.kind, f.start, f.end) not in reported]


# A back half beside a birth date: seven digits, perhaps grouped once.
_BACK = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){6}(?![0-9])(?![.\-][0-9])")
# How far from a naming word a date is looked for: the word's reach, a gap
# and a back half, and a date said aloud in full.
_DATE_REACH = CONTEXT_REACH + GAP + 40
# The gender digits each century allows (1800s numbers, 9 and 0, are not RRNs here).
_GENDERS = {1900: "12", 2000: "34"}


def _dated(
    text: str, words: list[tuple[int, int]], detector: str, marks: list[int] | None = None
) -> list[Finding]:
    """A birth date written as a date (``1990년 1월 1일``, ``구십년 일월 일일생``,
    ``1990.1.1``) and a back half a few words before or after it, named as a
    resident number: the date is the front half when the two make a valid
    number — a real date, a gender digit of the year's century, the check
    digit. Both pieces are reported. Dates are looked for only within reach
    of the naming words at ``words``, and (``marks``: where ``_DATE_MARKS``
    end, sorted) only where one of those ends."""
    found: list[Finding] = []
    stretches: list[list[int]] = []
    for lo, hi in words:
        lo, hi = max(0, lo - _DATE_REACH), min(len(text), hi + _DATE_REACH)
        if stretches and lo <= stretches[-1][1]:
            stretches[-1][1] = hi
        else:
            stretches.append([lo, hi])
    if marks is not None:
        stretches = [span for span in stretches if _ends_within(marks, *span)]
    for date in (d for lo, hi in stretches for d in dates(text, lo, hi)):
        if date.back is not None:  # run on from the day by the normaliser
            backs = [date.back]
        else:
            after = _BACK.search(text, date.end, min(len(text), date.end + GAP + 9))
            before = list(_BACK.finditer(text, max(0, date.start - GAP - 9), date.start))
            backs = [m.span() for m in (after, before[-1] if before else None) if m is not None]
        for b_lo, b_hi in backs:
            lo, hi = min(date.start, b_lo), max(date.end, b_hi)
            if hi - lo > GAP + (date.end - date.start) + (b_hi - b_lo):
                continue
            tail = _NOT_DIGIT.sub("", text[b_lo:b_hi])
            if date.century is not None and tail[0] not in _GENDERS.get(date.century, ""):
                continue  # 1990년 with a 3: not this person's number
            reach = text[max(0, lo - CONTEXT_REACH) : hi + CONTEXT_REACH].lower()
            if not any(word.lower() in reach for word in _RRN_WORDS):  # before, between or after
                continue
            only = any(word.lower() in reach for word in _RRN_ONLY_WORDS)
            if not any(_WHOLES[0].valid(front + tail, named=only) for front in date.readings):
                continue
            found += [
                make("KR_RRN", date.start, date.end, 0.9, detector),
                make("KR_RRN", b_lo, b_hi, 0.9, detector),
            ]
            break
    return found


def _ends_within(ends: list[int], lo: int, hi: int) -> bool:
    """Whether one of ``ends`` (sorted) lies in ``(lo, hi]``."""
    at = bisect.bisect_right(ends, lo)
    return at < len(ends) and ends[at] <= hi


def _digit_count(piece: str) -> int:
    """A piece is digits and single separators: its digits are its length
    less its separators."""
    if piece.isdigit():
        return len(piece)
    return len(piece) - piece.count(" ") - piece.count("-") - piece.count(".")


def _choices(counts: list[int], lengths: set[int]) -> Iterator[tuple[int, int]]:
    """``(first piece, how many)`` of each two or three pieces in a row whose
    digits add up to one of ``lengths``, in order."""
    for i in range(len(counts) - 1):
        two = counts[i] + counts[i + 1]
        if two in lengths:
            yield i, 2
        if i + 2 < len(counts) and two + counts[i + 2] in lengths:
            yield i, 3


def _linked(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether piece ``a`` and the next, ``b``, are a few words apart."""
    return b[0] - a[1] <= GAP and _LETTER.search(text, a[1], b[0]) is not None


# A table row: cells between pipes, tabs or commas (Markdown, pasted
# spreadsheets, CSV). One value in cells that are not next to each other
# (900101 | 가나다 | 1234568) is found without a naming word: only the row's
# cells holding nothing but a piece count, and the pieces must make a valid
# number together — date, gender digit and checksum, or My Number's check
# digit. Neighbouring cells are read as one grouped number by the others.
# A cell holding only a piece, between any of the separators (a cheap first
# look: a line with fewer than two has no value in pieces): the first cell,
# and any other with the separator before it. Opening with the separators'
# class, the engine skips to them (with a lookbehind first it tried every
# position: 1.2 ms on 100 KB of prose with commas).
_FIRST_DIGIT_CELL = re.compile(r"[ ]*[0-9]{1,8}(?:[ .\-][0-9]{1,8}){0,2}[ ]*(?=[|\t,]|$)")
_DIGIT_CELLS = re.compile(r"[|\t,][ ]*[0-9]{1,8}(?:[ .\-][0-9]{1,8}){0,2}[ ]*(?=[|\t,]|$)")
# A record as people paste it: at most this many cells, at most this many
# holding only digits — their pairs and triples are tried, so the work is
# bounded. Pieces with other cells between count in a record (a cell with
# more than a bare figure: a name, a department, a date); in a row of bare
# figures only with empty cells between (900101 |  | 1234568), never figures
# apart (2021 | 2022 | 2024).
_ROW_CELLS = 40
# A cell holding a date or a time as typed (2024-03-01, 2024.3.1, 2024/03/01,
# 2024. 3. 1., 10:30, 09:05:00): no half of a number.
_DATE_CELL = re.compile(
    r"(?:19|20)[0-9]{2}([./\-]) ?(?:0?[1-9]|1[0-2])\1 ?(?:0?[1-9]|[12][0-9]|3[01])\.?"
    r"|[0-2]?[0-9]:[0-5][0-9](?::[0-5][0-9])?"
)
_ROW_PIECES = 4
_CELL_SEPARATORS = "|\t,"
# A pattern per set of separators a line may use (in _CELL_SEPARATORS' order).
_SEPARATOR_OF = {
    "".join(chosen): re.compile("[" + re.escape("".join(chosen)) + "]")
    for n in range(1, len(_CELL_SEPARATORS) + 1)
    for chosen in itertools.combinations(_CELL_SEPARATORS, n)
}
# A cell's dash at either end is what the normaliser made of a separator
# run (`` | `` between digits becomes ``-``, kept at the run's first space).
_ROW_PIECE = re.compile(r"[\s\-]*([0-9]{1,8}(?:[ .\-][0-9]{1,8}){0,2})[\s\-]*")


def _in_table_rows(text: str, detector: str, typed: Normalized | None = None) -> list[Finding]:
    """The values in cells apart of each row of ``text``. With ``typed`` (the
    normalisation ``text`` came from), rows and cells are cut where the user
    typed them: the normaliser joins digit groups across `` | `` (``900101 |
    2024-03-01 | 1234568`` becomes one dashed number), and each cell is then
    read in ``text`` through the offset map."""
    found: list[Finding] = []
    source = typed.original if typed is not None and typed.changed else text
    counts = [source.count(c) for c in _CELL_SEPARATORS]
    if max(counts) < 2:
        return found  # no row anywhere: most texts (str.count, no regex)
    starts = typed.starts if source is not text and typed is not None else None
    lines = source.split("\n") if "\n" in source else [source]
    # Where each line starts and ends in ``text`` (one vectorised lookup).
    ends = list(itertools.accumulate(len(line) + 1 for line in lines))
    heads = [0, *ends[:-1]]
    if starts is None:
        spans_of_lines = list(zip(heads, (e - 1 for e in ends), strict=True))
    else:
        lo_hi = np.searchsorted(starts, [*heads, *(e - 1 for e in ends)], side="left").tolist()
        spans_of_lines = list(zip(lo_hi[: len(lines)], lo_hi[len(lines) :], strict=True))
    for line, lo_line, (lo_text, hi_text) in zip(lines, heads, spans_of_lines, strict=True):
        if len(lines) > 1:  # one line: its counts are the text's (100 KB of prose)
            counts = [line.count(c) for c in _CELL_SEPARATORS]
        separators = [c for c, n in zip(_CELL_SEPARATORS, counts, strict=True) if n >= 2]
        if not separators or sum(n for n in counts if n >= 2) >= _ROW_CELLS:
            continue  # no table row: prose, a list of numbers, a long CSV line
        # A line the normaliser left as it was is read as it is; only a
        # changed one is cut through the offset map.
        as_typed = starts is None or text[lo_text:hi_text] == line
        if as_typed:
            digit_cells = len(_DIGIT_CELLS.findall(line))
            if digit_cells + (_FIRST_DIGIT_CELL.match(line) is not None) < 2:
                continue  # most lines: prose with commas, at most one cell of digits
        cuts = _SEPARATOR_OF["".join(separators)].finditer(line)  # in C: 100 KB lines
        bounds = [-1, *(m.start() for m in cuts), len(line)]
        # Each cell in ``text``: the characters that came from it.
        if as_typed:
            spans = [(lo_text + a + 1, lo_text + b) for a, b in itertools.pairwise(bounds)]
        else:
            assert starts is not None
            cut = np.array(bounds, dtype=np.int64) + lo_line
            lefts = np.searchsorted(starts, cut[:-1], side="right")  # after each separator
            rights = np.searchsorted(starts, cut[1:], side="left")  # up to the next
            spans = list(zip(lefts.tolist(), rights.tolist(), strict=True))
        # Empty cells, dates and records as typed (2024-03-01 may be read 20240301)
        cells = [line[a + 1 : b].strip() for a, b in itertools.pairwise(bounds)]
        # (cell number, start, end, digits) of each cell holding only a piece
        pieces: list[tuple[int, int, int, str]] = []
        for n, (a, b) in enumerate(spans):  # empty cells count
            piece = _ROW_PIECE.fullmatch(text, a, b)
            if piece is None or _DATE_CELL.fullmatch(cells[n]):  # a date or time is no half
                continue
            if len(digits := _NOT_DIGIT.sub("", piece.group(1))) >= 2:
                pieces.append((n, piece.start(1), piece.end(1), digits))
        if len(pieces) > _ROW_PIECES or len(pieces) < 2:
            continue  # a row of figures, not a record with a value in pieces
        empty = {n for n, cell in enumerate(cells) if not cell}
        # a record: some cell holds more than a bare figure (a word, a date)
        record = any(cell and not cell.isdigit() for cell in cells)
        for chosen in _row_choices(pieces):
            gaps = [range(a[0] + 1, b[0]) for a, b in itertools.pairwise(chosen)]
            if not any(gaps):
                continue  # neighbours: one grouped number, read by the others
            if not record and not all(set(gap) <= empty for gap in gaps):
                continue  # figures apart in a row of figures (2021 | 2022 | 2024)
            digits = "".join(p[3] for p in chosen)
            for whole in _WHOLES:
                if len(digits) == whole.length and whole.valid(digits):
                    found += [make(whole.kind, lo, hi, 0.9, detector) for _, lo, hi, _ in chosen]
    return found


_LENGTHS = frozenset(whole.length for whole in _WHOLES)


def _row_choices(
    pieces: list[tuple[int, int, int, str]],
) -> Iterator[tuple[tuple[int, int, int, str], ...]]:
    """Pairs and triples of ``pieces`` (in order) whose digits add up to a
    whole's length: the lengths are checked before any digits are joined."""
    for i, j in itertools.combinations(range(len(pieces)), 2):
        total = len(pieces[i][3]) + len(pieces[j][3])
        if total in _LENGTHS:
            yield pieces[i], pieces[j]
        elif total < max(_LENGTHS):
            for k in range(j + 1, len(pieces)):
                if total + len(pieces[k][3]) in _LENGTHS:
                    yield pieces[i], pieces[j], pieces[k]


def _pieces_near(text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of ``_GROUP.finditer(text)`` that could be named by one of
    the naming words at ``words`` (their spans, in order): scanned only in the
    stretches around them (a piece further away is never reported), each
    stretch widened to the end of any run of digits and separators it cuts,
    so a piece is matched as on the whole text."""
    spans: list[tuple[int, int]] = []
    for lo, hi in _stretches(text, words):
        # Lookbehinds read before ``lo``; the lookaheads read up to two past ``hi``.
        end = min(len(text), hi + 2)
        found = [m.span() for m in _GROUP.finditer(text, lo, end)]
        while found and found[-1][1] > hi:  # past ``hi``: only the last ones can be
            found.pop()
        spans += found
    return spans


def _piece_strings(text: str, words: list[tuple[int, int]]) -> list[str]:
    """``[text[lo:hi] for lo, hi in _pieces_near(text, words)]``, without a
    match object per piece. No match ends past a stretch's ``hi`` (the
    character there is no digit or separator, and a piece is only those), so
    the one match to drop is one starting at ``hi + 1``."""
    pieces: list[str] = []
    for lo, hi in _stretches(text, words):
        end = min(len(text), hi + 2)
        found = _GROUP.findall(text, lo, end)
        if found and hi + 1 < end and _GROUP.match(text, hi + 1, end) is not None:
            found.pop()
        pieces += found
    return pieces


def _stretches(text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where ``_pieces_near`` scans: around the words, merged, each widened
    to the end of any run of digits and separators it cuts."""
    reach = CONTEXT_REACH + 2 * GAP + 3 * _PIECE_MAX
    merged: list[list[int]] = []
    for lo, hi in words:
        lo, hi = max(0, lo - reach), min(len(text), hi + reach)
        if merged and lo <= merged[-1][1] + 2 * GAP:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    stretches: list[tuple[int, int]] = []
    for lo, hi in merged:
        while lo > 0 and text[lo - 1] in _RUN_CHARS:
            lo -= 1
        while hi < len(text) and text[hi] in _RUN_CHARS:
            hi += 1
        stretches.append((lo, hi))
    return stretches


_RUN_CHARS = frozenset("0123456789 .-")
_NOT_DIGIT = re.compile("[^0-9]")
# A letter between two pieces: pieces joined by separators only are one
# grouped number, the other detectors' to read.
_LETTER = re.compile(r"[^\W\d_]")


REGISTRY.register(IdentifierParts())
