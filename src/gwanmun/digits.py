"""Numbers as a person reads them: the digit passes of ``gwanmun.text.normalize``.  [pure]

Each pass takes the text so far and, per character, the original offset it
came from (``starts``), and returns both rewritten — so a finding on the
rewritten text still maps back to what the user typed. They run after the
per-character normalisation (NFKC, other scripts' digits, dashes, invisible
characters removed):

1. ``drop_marks_after_digits``: combining marks on a digit (``1⃣`` keycap,
   ``9̶``) removed;
2. ``read_numerals``: Hangul and kanji numerals read digit by digit
   (``구공공일공일``, ``九〇〇一〇一``, 영/공 and 〇/零 for zero), and the
   letters ``O o`` / ``I l`` inside a digit group (``9OO1O1``) — only in a
   numeric run long enough to be a number, never inside a word; same length;
3. ``unify_separators``: any short run of punctuation, whitespace or dashes
   between two digits (``/ ~ _ , : · = + |``, ``--``, a line break, two
   spaces, `` - ``) becomes one ``-``; a single ``-``, space or ``.``, a
   thousands comma (``1,234,567``), the colons of an IPv6 address, a bullet
   at a line start and a separator before a short count (``235, 3층``) stay;
4. ``close_single_digits``: digits written one by one with dots or hyphens
   (``9.0.0.1.0.1``) closed up, as ``text`` already closes spaced ones;
5. ``close_regrouped``: digits regrouped into other group sizes
   (``9001-0112-34568``, ``900-101-123-4568``, ``4111 11 111111 1111 1``)
   closed up when they add up to an identifier's length (12, 13 or 16) and
   are not its usual grouping, a date and time, or an IPv4 address: the
   detectors then judge the bare digits by checksum and date.

Example::

    >>> from gwanmun.text import normalize
    >>> normalize("구공공일공일 / 1234568").text
    '900101-1234568'
"""

from __future__ import annotations

import enum
import functools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import hyperscan
import numpy as np
import numpy.typing as npt

Offsets = npt.NDArray[np.int64]

# Combining marks a digit may carry (diacritics, the keycap and other enclosing marks).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARKS_AFTER_DIGIT = re.compile(f"[0-9]([{_MARKS}]+)")
_ANY_MARK = re.compile(f"[{_MARKS}]")

# Numerals read digit by digit: Sino-Korean syllables and kanji (and the legal
# 壱弐参). 一 between two ASCII digits is a dash (text._DIGIT_DASHES), not a one.
NUMERALS = {
    **dict.fromkeys("영공", "0"), "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
    **dict.fromkeys("육륙", "6"), "칠": "7", "팔": "8", "구": "9",
    **dict.fromkeys("〇零", "0"), **dict.fromkeys("一壱", "1"), **dict.fromkeys("二弐", "2"),
    **dict.fromkeys("三参", "3"), "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}  # fmt: skip
# Letters read as digits inside a digit group.
HOMOGLYPHS = {"O": "0", "o": "0", "I": "1", "l": "1"}
_NUMERAL_CLASS = "".join(NUMERALS)
# Separator characters between digit groups.
SEPARATORS = " \t\r\n-./~_,:·=+|\\'\u30fb\u3001\u3002\u301c\u223c\uff5e"
# A numeric run: numerals, digits and look-alike letters, joined by at most
# five separator characters. A run counts when it holds at least
# ``_RUN_DIGITS`` digit-like characters: "구공공일공일" does, 이사 (moving)
# and 오이 (cucumber) do not.
_RUN_DIGITS = 6
# Only runs of at least _RUN_DIGITS such characters: the rest (이, 사이, 일이 —
# everywhere in Korean prose) are never looked at one by one.
_DIGIT_LIKE = f"[{_NUMERAL_CLASS}0-9OoIl]"
_RUN = re.compile(
    f"{_DIGIT_LIKE}(?:[{re.escape(SEPARATORS)}\u30fc\uff70]{{0,5}}{_DIGIT_LIKE})"
    f"{{{_RUN_DIGITS - 1},}}"
)
_RUN_HINT = re.compile(f"[{_NUMERAL_CLASS}]|[0-9][OoIl]|[OoIl][0-9]")
_CONVERTIBLE = re.compile(f"[{_NUMERAL_CLASS}OoIl]")
_GROUP = re.compile(f"[{_NUMERAL_CLASS}0-9OoIl]+")
_ASCII_DIGITS = frozenset("0123456789")

# Two to five separator characters, or one that is not the usual "-", " " or
# ".": the usual ones (dates, decimals, grouped numbers) are never looked at.
_UNUSUAL = SEPARATORS.replace("-", "").replace(".", "").replace(" ", "")
_SEPARATOR_RUN = re.compile(
    f"[0-9]([{re.escape(SEPARATORS)}]{{2,5}}|[{re.escape(_UNUSUAL)}])(?=[0-9])"
)
_KEPT_AS_IS = frozenset({"-", " ", "."})
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")

# Six or more digits written one at a time, joined by dots or hyphens (or
# spaces and hyphens: text closes runs joined by spaces alone).
_SINGLE_DIGITS = re.compile(r"[0-9](?<![0-9.][0-9])(?:[ .\-][0-9](?![0-9])){5,}(?![0-9])")
_SINGLE_HINT = re.compile(r"[0-9][.\-][0-9][ .\-][0-9]|[0-9] [0-9][.\-][0-9]")


def rewrite(text: str, starts: Offsets, edits: list[tuple[int, int, str]]) -> tuple[str, Offsets]:
    """``text`` with each ``text[lo:hi]`` replaced by ``new`` (sorted, disjoint,
    ``len(new) <= hi - lo``); the i-th new character keeps the offset of
    ``text[lo + i]``, the rest of the slice is dropped."""
    if not edits:
        return text, starts
    # The kept offsets as slices joined, not a mask over the whole text
    # (~35 against ~50 us on 100 KB).
    pieces: list[str] = []
    kept: list[Offsets] = []
    previous = 0
    for lo, hi, new in edits:
        pieces += (text[previous:lo], new)
        kept.append(starts[previous : lo + len(new)])
        previous = hi
    pieces.append(text[previous:])
    kept.append(starts[previous:])
    return "".join(pieces), np.concatenate(kept)


def holds_mark(text: str) -> bool:
    """Whether ``text`` holds a mark ``drop_marks_after_digits`` may drop."""
    return _ANY_MARK.search(text) is not None


def drop_marks_after_digits(text: str, starts: Offsets) -> tuple[str, Offsets]:
    if not _ANY_MARK.search(text):
        return text, starts
    edits = [(m.start(1), m.end(1), "") for m in _MARKS_AFTER_DIGIT.finditer(text)]
    return rewrite(text, starts, edits)


def read_numerals(text: str) -> str:
    """Numerals and look-alike letters read as digits in numeric runs (same length)."""
    if not _RUN_HINT.search(text):
        return text
    chars: list[str] | None = None
    runs = _RUN.finditer(text) if len(text) < _VIEW_MIN else convertible_runs(text)
    for run in runs:
        if not _CONVERTIBLE.search(text, *run.span()):
            continue  # ASCII digits and separators: nothing to read
        groups = _word_pairs_dropped(
            text,
            [
                span
                for g in _GROUP.finditer(text, *run.span())
                if (span := _number_group(text, *g.span())) is not None
            ],
        )
        if sum(hi - lo for lo, hi in groups) < _RUN_DIGITS:
            continue
        for lo, hi in groups:
            # A look-alike letter only between digits of its group: a leading O
            # is a letter (the Korean official passport O72725056).
            inner = _inner(text, lo, hi)
            for at in range(lo, hi):
                digit = NUMERALS.get(text[at]) or (
                    HOMOGLYPHS.get(text[at]) if at in inner else None
                )
                if digit is None or (text[at] == "一" and _between_ascii_digits(text, at)):
                    continue  # a digit, or 一 as a dash between two digits
                if chars is None:
                    chars = list(text)
                chars[at] = digit
    return text if chars is None else "".join(chars)


# ---- the runs read_numerals reads, found in a one-byte view of the text ------------
#
# ``_RUN`` opens with a class of numerals that Korean and Japanese prose is
# full of (이, 일, 사, 一), so the regex engine tries it at every character:
# 0.27-0.38 ms on 100 KB, where one run of ~100 holds a numeral or none does.
# Each code point is mapped to one byte (d: a digit, n: a numeral or
# look-alike letter, s: a separator, x: anything else) through a table, and
# hyperscan finds six digit-likes joined by at most five separators with an
# ``n`` among them: every run ``read_numerals`` reads holds six such in a row
# (a run is the whole chain of digit-likes from its first: the pattern's
# repeats are greedy and the classes disjoint). On short texts numpy's setup
# costs more than the regex scan (~4 us either way on 1 KB).
_VIEW_MIN = 2048
_LIKES = frozenset(_NUMERAL_CLASS + "0123456789OoIl")
_JOINS = frozenset(SEPARATORS + "\u30fc\uff70")
_SIX_WITH_NUMERAL = "|".join(
    "s{0,5}".join("n" if i == k else "[dn]" for i in range(_RUN_DIGITS)) for k in range(_RUN_DIGITS)
)


@functools.lru_cache(maxsize=1)
def _view_table() -> npt.NDArray[np.uint8]:
    table = np.full(0x110000, ord("x"), dtype=np.uint8)
    table[[ord(c) for c in "0123456789"]] = ord("d")
    table[[ord(c) for c in _NUMERAL_CLASS + "OoIl"]] = ord("n")
    table[[ord(c) for c in _JOINS]] = ord("s")
    return table


@functools.lru_cache(maxsize=2)
def _one_pattern(expression: str) -> hyperscan.Database:
    """A hyperscan block-mode database of one ``expression`` over bytes."""
    database = hyperscan.Database()
    database.compile(expressions=[expression.encode()], ids=[0], elements=1, flags=[0])
    return database


def convertible_runs(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_RUN.finditer(text)`` that hold a numeral or a
    look-alike letter, found from the one-byte view's scan."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ends: list[int] = []

    def on_match(number: int, start: int, end: int, flags: int, context: object) -> None:
        ends.append(end)

    _scan(_one_pattern(_SIX_WITH_NUMERAL), _view_table()[codes].tobytes(), on_match)
    done = 0
    for end in sorted(ends):  # the end of a sixth digit-like in a run
        if end <= done:
            continue  # in the run just read
        start = at = end - 1
        gap = 0
        while at > 0:  # back to the run's first digit-like
            at -= 1
            if text[at] in _LIKES:
                start, gap = at, 0
            elif text[at] in _JOINS and gap < 5:
                gap += 1
            else:
                break
        run = _RUN.match(text, start)
        if run is None:
            done = end
            continue
        yield run
        done = run.end()


def numeral_run(text: str) -> bool:
    """Whether ``text`` may hold a number ``read_numerals`` reads (a run of
    numerals or look-alike letters among digits): a cheap test before the
    whole normalisation."""
    if _RUN_HINT.search(text) is not None and _RUN.search(text) is not None:
        return True
    return any(_read_run(text, lo, hi) for lo, hi in positional_runs(text))


# ---- positional numerals ----------------------------------------------------------

# Numbers said with their units, as a phone number is read aloud (공일공
# 천이백삼십사 오천육백칠십팔, 〇一〇 千二百三十四 五千六百七十八): each group
# up to five digits, units 만 천 백 십 / 万 千 百 十 with an optional digit before.
UNITS = {"만": 4, "천": 3, "백": 2, "십": 1, "万": 4, "千": 3, "百": 2, "十": 1}
_NONZERO = "".join(c for c, d in NUMERALS.items() if d != "0")
_POSITIONAL = (
    f"(?=[{_NONZERO}]?[{''.join(UNITS)}])"
    f"(?:[{_NONZERO}]?[만万])?(?:[{_NONZERO}]?[천千])?(?:[{_NONZERO}]?[백百])?"
    f"(?:[{_NONZERO}]?[십十])?[{_NONZERO}]?"
)
# Digits and digit-by-digit numerals. A numeral before a unit is the unit's
# digit (이천, 〇九〇四千: 090 4000), but a one after other numerals is not:
# said aloud, a unit takes no one (공일백칠십이: 01 172).
_PLAIN = (
    f"(?:[{_NUMERAL_CLASS}0-9](?![{''.join(UNITS)}])|[일一壱](?<=[{_NUMERAL_CLASS}0-9][일一壱]))+"
)
_POSITIONAL_TOKEN = re.compile(f"{_POSITIONAL}|{_PLAIN}")
# A unit beside a digit numeral: where a run is looked for (rare in prose).
_POSITIONAL_HINT = re.compile(f"[{_NONZERO}][{''.join(UNITS)}]|[{''.join(UNITS)}][{_NONZERO}]")
_NONZERO_SET = frozenset(_NONZERO)
_RUN_CHARS = frozenset(_NUMERAL_CLASS + "".join(UNITS) + "0123456789")
_RUN_JOINS = frozenset(SEPARATORS + "\u30fc\uff70")


def positional_runs(text: str) -> Iterator[tuple[int, int]]:
    """Each numeric run around a unit beside a numeral: numerals, units and
    digits joined by at most five separator characters, found outward from the
    hint (work in proportion to the hints, not to the text). Found from the
    hint's unit: a run's edges are the same from any of its characters."""
    end = 0
    for at in _units_beside(text):
        if at < end:
            continue
        lo, hi = _run_edge(text, at, -1), _run_edge(text, at, 1)
        end = hi
        yield lo, hi


def _units_beside(text: str) -> list[int]:
    """Where a unit stands beside a digit numeral, ascending. Found with
    ``str.find`` per unit (units are rare): a regex opening with the units'
    class still tests every character of the text, 3-7x slower on 100 KB."""
    found: list[int] = []
    for unit in UNITS:
        at = text.find(unit)
        while at != -1:
            if (at > 0 and text[at - 1] in _NONZERO_SET) or text[at + 1 : at + 2] in _NONZERO_SET:
                found.append(at)
            at = text.find(unit, at + 1)
    found.sort()
    return found


def _run_edge(text: str, at: int, step: int) -> int:
    """The run's first index (``step`` -1) or its end (``step`` 1) from ``at``."""
    edge = at
    i = at + step
    while 0 <= i < len(text):
        gap = 0
        while 0 <= i < len(text) and text[i] in _RUN_JOINS and gap < 5:
            i += step
            gap += 1
        if 0 <= i < len(text) and text[i] in _RUN_CHARS:
            edge = i
            i += step
        else:
            break
    return edge if step < 0 else edge + 1


def read_positional(text: str, starts: Offsets) -> tuple[str, Offsets]:
    """Positional numerals in a numeric run read as digits (천이백삼십사 → 1234),
    the spaces between the run's groups closed up; each digit keeps the offset
    of the numeral it came from (a zero, of the unit before it), the last the
    run's last character, so a finding maps back over everything typed. One
    group alone (이천이십사년, 삼십 분) or a run of fewer than _RUN_DIGITS
    digits is prose, and a run glued to a word before it is part of the word."""
    pieces: list[str] = []
    offsets: list[Offsets] = []
    previous = 0
    for lo, hi in positional_runs(text):
        if lo > 0 and _word_char(text[lo - 1]) and text[lo - 1] not in UNITS:
            continue
        read = _read_run(text, lo, hi)
        if read is None:
            continue
        new, where = read
        pieces.append(text[previous:lo])
        offsets.append(starts[previous:lo])
        pieces.append(new)
        offsets.append(starts[np.array(where, dtype=np.int64)])
        previous = hi
    if not pieces:
        return text, starts
    pieces.append(text[previous:])
    offsets.append(starts[previous:])
    return "".join(pieces), np.concatenate(offsets)


def _read_run(text: str, lo: int, hi: int) -> tuple[str, list[int]] | None:
    """The digits of ``text[lo:hi]`` and, per digit, the index it came from;
    None unless it has two groups or more, one of them positional, and
    _RUN_DIGITS digits once read."""
    out: list[str] = []
    where: list[int] = []
    positional = groups = 0
    at = lo
    for token in _POSITIONAL_TOKEN.finditer(text, lo, hi):
        between = text[at : token.start()]
        if between and not between.isspace():  # other separators: the later passes
            out += between
            where += range(at, token.start())
        at = token.end()
        groups += 1
        if not any(c in UNITS for c in token.group()):
            out += token.group()  # digit by digit: read_numerals reads it
            where += range(token.start(), token.end())
            continue
        positional += 1
        digits, indices = _positional_value(text, token.start(), token.end())
        out += digits
        where += indices
    if not positional or groups < 2:
        return None
    if sum(c.isdigit() or c in NUMERALS for c in out) < _RUN_DIGITS:
        return None
    return "".join(out), where


def _positional_value(text: str, lo: int, hi: int) -> tuple[str, list[int]]:
    """``text[lo:hi]`` (one positional group) as digits, with the index each
    digit came from: its numeral, else its unit, else (a zero between) the last
    character before it; the last digit always the group's last character."""
    by_power: dict[int, tuple[int, int]] = {}  # power -> (digit, index)
    pending: tuple[int, int] | None = None
    for i in range(lo, hi):
        char = text[i]
        if char in UNITS:
            digit, index = pending if pending is not None else (1, i)
            by_power[UNITS[char]] = (digit, index)
            pending = None
        else:
            pending = (int(NUMERALS[char]), i)
    if pending is not None:
        by_power[0] = pending
    top = max(by_power)
    digits: list[str] = []
    indices: list[int] = []
    last = lo
    for power in range(top, -1, -1):
        digit, index = by_power.get(power, (0, last))
        digits.append(str(digit))
        indices.append(index)
        last = max(last, index)
    indices[-1] = hi - 1
    return "".join(digits), indices


# A day written with digits after a month (1월 1일, 12월 31일): its 일 is the unit.
_DAY_AFTER_MONTH = re.compile(r"(?:[1-9]|[12][0-9]|3[01]|0[1-9])일")
_MONTH_BEFORE = re.compile(r"(?:[1-9]|1[0-2]|0[1-9])월\s*$")


def _number_group(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The part of ``text[lo:hi]`` (numerals, digits, look-alike letters) written
    as a number, or None when it is part of a word: glued to another letter,
    syllable or ideograph — a particle aside (일 of 월일 before it, 이 of 이에요
    or 이고 after it)."""
    if text[lo] == "일" and lo > 0 and text[lo - 1] == "월":
        lo += 1
    elif lo > 0 and _word_char(text[lo - 1]):
        return None
    if hi > lo and text[hi - 1] == "이" and hi < len(text) and _word_char(text[hi]):
        hi -= 1
    elif hi < len(text) and _word_char(text[hi]):
        return None
    group = text[lo:hi]
    if not any(c in _ASCII_DIGITS or c in NUMERALS for c in group):
        return None  # the letters O and l with no digit
    if _DAY_AFTER_MONTH.fullmatch(group) and _MONTH_BEFORE.search(text, max(0, lo - 8), lo):
        return None  # 3월 1일: the day's unit, not a digit (3월 11 …)
    return lo, hi


def _word_pairs_dropped(text: str, groups: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``groups`` without pairs of numerals among words — 오이 사이 구이, 이사,
    二三 are words — but with a pair joined to a neighbour by a dash or the like
    (일공일-공일-…), or next to a longer group or a pair kept for that reason
    (a business number's middle; 일칠일이 공오사오일 구일 사칠, regrouped)."""

    def pair(i: int) -> bool:
        lo, hi = groups[i]
        return hi - lo == 2 and all(c in NUMERALS for c in text[lo:hi])

    def dashed(i: int, j: int) -> bool:
        a, b = sorted((i, j))
        return bool(text[groups[a][1] : groups[b][0]].strip())

    kept = [not pair(i) for i in range(len(groups))]
    changed = True
    while changed:  # a kept group keeps the pairs next to it, and those theirs
        changed = False
        for i in range(len(groups)):
            if kept[i]:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(groups) and (kept[j] or dashed(i, j)):
                    kept[i] = changed = True
                    break
    return [g for g, k in zip(groups, kept, strict=True) if k]


def _inner(text: str, lo: int, hi: int) -> range:
    """The positions of ``text[lo:hi]`` with a digit or numeral on both sides."""
    first = next((i for i in range(lo, hi) if text[i] not in HOMOGLYPHS), hi)
    last = next((i for i in range(hi - 1, lo - 1, -1) if text[i] not in HOMOGLYPHS), lo)
    return range(first + 1, last)


def _word_char(char: str) -> bool:
    """A letter, syllable or ideograph that is not itself a numeral."""
    return (
        char not in NUMERALS
        and char not in HOMOGLYPHS
        and (
            char.isalpha()
            and (char.isascii() or "\uac00" <= char <= "\ud7a3" or "\u4e00" <= char <= "\u9fff")
        )
    )


def _between_ascii_digits(text: str, at: int) -> bool:
    return (
        0 < at < len(text) - 1 and text[at - 1] in _ASCII_DIGITS and text[at + 1] in _ASCII_DIGITS
    )


def unify_separators(text: str, starts: Offsets) -> tuple[str, Offsets]:
    edits: list[tuple[int, int, str]] = []
    for m in separator_runs(text):
        lo, hi = m.span(1)
        run = m.group(1)
        if run in _KEPT_AS_IS or _kept(text, lo, hi, run):
            continue
        edits.append((lo, hi, "-"))
    return rewrite(text, starts, edits)


def _kept(text: str, lo: int, hi: int, run: str) -> bool:
    """Separators that mean something else: a thousands comma, the colons of an
    IPv6 address (a time's become dashes: harmless), a bullet at the start of a
    line, and any before a short count of something (``235, 3층``, ``1, 2번``)."""
    end = hi
    while end < len(text) and text[end] in _ASCII_DIGITS:
        end += 1
    if end - hi <= 3 and end < len(text) and text[end].isalpha():
        return True
    if run == ",":
        begin = lo
        while begin > 0 and text[begin - 1] in "0123456789,":
            begin -= 1
        end = hi
        while end < len(text) and text[end] in "0123456789,":
            end += 1
        return _THOUSANDS.fullmatch(text, begin, end) is not None
    if set(run) == {":"}:
        begin, end = lo, hi
        while begin > 0 and text[begin - 1] in _HEX_COLON:
            begin -= 1
        while end < len(text) and text[end] in _HEX_COLON:
            end += 1
        stretch = text[begin:end]  # an IPv6 address has a hex letter or a "::"
        return "::" in stretch or any(c.isalpha() for c in stretch)
    if "\n" in run:
        tail = run.rsplit("\n", 1)[1].lstrip(" \t")
        return tail.startswith("-") and run.endswith(" ")  # "2024⏎- 2025": a list
    return False


def close_single_digits(
    text: str, starts: Offsets, found: GroupStarts | None = None
) -> tuple[str, Offsets]:
    """``found``: ``group_starts(text)``, so the pattern is tried only where
    its matches may start, not at every digit."""
    if not (_SINGLE_HINT.search(text) if found is None else found.single_hint):
        return text, starts
    edits: list[tuple[int, int, str]] = []
    matches = (
        _SINGLE_DIGITS.finditer(text)
        if found is None
        else _matches_at(_SINGLE_DIGITS, text, found.single)
    )
    for m in matches:
        run = m.group()
        joints = run[1::2]
        # The joint used most is the one between single digits; another one
        # (9.0.0.1.0.1-1.2.3 …) separates groups and stays.
        joint = max(set(joints), key=joints.count)
        edits.extend(
            (m.start() + i, m.start() + i + 1, "") for i in range(1, len(run), 2) if run[i] == joint
        )
    return rewrite(text, starts, edits)


# Digit groups joined by one and the same separator; the lengths an identifier
# regrouped by a user adds up to (My Number, a resident number, a card, a
# phone), and the usual groupings of those lengths, which the detectors read
# as they are. Opens with a digit (the engine skips to digits) and looks ahead
# for the 11 characters the shortest such number has, before anything else.
_GROUPED = re.compile(
    r"[0-9](?<![0-9A-Za-z+.\-][0-9])(?=[0-9 .\-]{11})[0-9]{0,14}(?:([-. ])[0-9]{1,15})+"
    r"(?![0-9A-Za-z])(?![-.][0-9])"
)
_GROUPED_HINT = re.compile(r"[0-9][-. ][0-9]")
_REGROUPED_LENGTHS = frozenset({12, 13, 16})
# Also another identifier's grouping of those lengths, which its detector
# reads grouped: a Korean driver's licence (2-2-6-2; closed up, it reads as a
# Japanese one). A bank account regrouped is still found closed up (the account
# detector reads ten to fourteen bare digits beside a bank word).
_USUAL_GROUPS = frozenset({(4, 4, 4), (6, 7), (4, 4, 4, 4), (4, 6, 5), (1, 4, 4, 4), (2, 2, 6, 2)})
# A phone number regrouped (0101-234-5678, 01-0123-45678): ten or eleven digits
# opening with 0, as every Korean and Japanese number does (a list of scores
# or amounts does not), and not one of the ways phone numbers are written.
_PHONE_LENGTHS = frozenset({10, 11})
_PHONE_GROUPS = frozenset({(3, 4, 4), (3, 3, 4), (2, 4, 4), (2, 3, 4), (4, 2, 4), (4, 3, 3),
                           (5, 1, 4), (3, 8), (2, 8), (4, 6)})  # fmt: skip


def close_regrouped(
    text: str, starts: Offsets, found: GroupStarts | None = None
) -> tuple[str, Offsets]:
    """``found``: as for ``close_single_digits``."""
    if found is None and not _GROUPED_HINT.search(text):
        return text, starts  # (every match holds the hint: a shortcut only)
    edits: list[tuple[int, int, str]] = []
    matches = (
        _GROUPED.finditer(text) if found is None else _matches_at(_GROUPED, text, found.regrouped)
    )
    for m in matches:
        separator = m.group(1)
        groups = m.group().split(separator)
        sizes = tuple(len(g) for g in groups)
        if sum(sizes) in _PHONE_LENGTHS:
            if not groups[0].startswith("0") or sizes in _PHONE_GROUPS:
                continue
        elif sum(sizes) not in _REGROUPED_LENGTHS or sizes in _USUAL_GROUPS:
            continue
        if not all(g.isdigit() for g in groups):
            continue  # a mixed run (1-2.3)
        if _date_or_address(groups, separator):
            continue
        at = m.start()
        for group in groups[:-1]:
            at += len(group)
            edits.append((at, at + 1, ""))
            at += 1
    return rewrite(text, starts, edits)


def _date_or_address(groups: list[str], separator: str) -> bool:
    """A date with a time (2024.01.15.12.30, 1990 01 01 0930) or an IPv4 address
    (192.168.100.200; not 989.406.669.418): numbers whose groups add up by chance."""
    if separator == "." and len(groups) == 4 and all(len(g) <= 3 and int(g) <= 255 for g in groups):
        return True
    head = groups[0]
    return (
        len(head) == 4
        and head[:2] in ("19", "20")
        and len(groups) >= 3
        and all(len(g) <= 2 for g in groups[1:3])
    )


# ---- which passes a text needs, in one scan --------------------------------------


class Pass(enum.IntEnum):
    """Passes of ``text.normalize`` that ``needed`` can rule out."""

    NUMERALS = 0
    SPACED = 1
    SEPARATORS = 2
    SINGLE = 3
    REGROUPED = 4
    POSITIONAL = 5


def _class(chars: str) -> str:
    """A hyperscan character class of ``chars`` (UTF-8 mode)."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(set(chars))) + "]"


# ``read_numerals`` acts on a run of six digit-likes holding a numeral or a
# look-alike letter; such a run holds three in a row with that character
# among them (a pattern hyperscan compiles in milliseconds, not a second).
_LIKE = _class("0123456789" + _NUMERAL_CLASS + "OoIl")
_JOIN = _class(SEPARATORS + "\u30fc\uff70") + "{0,5}"
_CONVERT = _class(_NUMERAL_CLASS + "OoIl")
_NUMERALS_NEED = "|".join(
    _JOIN.join(three)
    for three in ((_CONVERT, _LIKE, _LIKE), (_LIKE, _CONVERT, _LIKE), (_LIKE, _LIKE, _CONVERT))
)
# The later passes, on the text once numerals are digits and wrapped numbers
# joined. Each pattern matches wherever its pass could change something, also
# after the passes before it: those only shorten or remove what stands between
# digits, never add a digit, so allowing up to five separators is never
# narrower than the pass.
_SEP = _class(SEPARATORS)
_SLACK = 11
_NEEDS: dict[Pass, str] = {
    Pass.NUMERALS: _NUMERALS_NEED,
    # a unit beside a digit numeral (read_positional's own first test)
    Pass.POSITIONAL: f"{_class(_NONZERO)}{_class(''.join(UNITS))}|"
    f"{_class(''.join(UNITS))}{_class(_NONZERO)}",
    Pass.SPACED: " [0-9\\-] [0-9\\-] ",
    Pass.SEPARATORS: f"[0-9](?:{_SEP}{{2,{_SLACK}}}|{_class(_UNUSUAL)})[0-9]",
    Pass.SINGLE: f"[0-9]{_SEP}{{1,{_SLACK}}}[0-9]{_SEP}{{1,{_SLACK}}}[0-9]",
    # eleven characters of a run of digits and separators: every run holding
    # ten digits has them (looser than "at most _SLACK between two digits",
    # whose eleven bounded repeats take long to compile)
    Pass.REGROUPED: f"[0-9](?:[0-9]|{_SEP}){{10}}",
}


@functools.lru_cache(maxsize=4)
def _needs_database(passes: tuple[Pass, ...]) -> hyperscan.Database:
    database = hyperscan.Database()
    flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH
    database.compile(
        expressions=[_NEEDS[p].encode() for p in passes],
        ids=[int(p) for p in passes],
        elements=len(passes),
        flags=[flags] * len(passes),
    )
    return database


_local = threading.local()


def _scan(
    database: hyperscan.Database,
    data: bytes,
    on_match: Callable[[int, int, int, int, object], None],
    context: object = None,
) -> None:
    """``database.scan(data)`` with this thread's scratch space for it (hyperscan
    wants one per thread): one per database, keyed by the database itself (a
    handful, all cached), so no scratch outlives the database it was made for."""
    scratches: dict[hyperscan.Database, hyperscan.Scratch]
    scratches = _local.__dict__.setdefault("scratches", {})
    scratch = scratches.get(database)
    if scratch is None:
        scratch = scratches[database] = hyperscan.Scratch(database)
    database.scan(data, match_event_handler=on_match, scratch=scratch, context=context)


NUMERAL_PASSES = (Pass.POSITIONAL, Pass.NUMERALS)
GROUP_PASSES = (Pass.SPACED, Pass.SEPARATORS, Pass.SINGLE, Pass.REGROUPED)
# Both in one scan (1.7 us less than two on 1 KB): the group passes' answers
# hold when the passes before them leave the text as it was.
ALL_PASSES = NUMERAL_PASSES + GROUP_PASSES


def warm_up() -> None:
    """Compile the databases (a few hundred milliseconds) ahead of traffic."""
    needed("", ALL_PASSES)
    needed("", GROUP_PASSES)
    group_starts("")
    list(separator_runs(""))
    list(convertible_runs(""))


def _on_match(number: int, start: int, end: int, flags: int, found: object) -> None:
    assert isinstance(found, set)
    found.add(number)


def needed(text: str, passes: tuple[Pass, ...]) -> set[int]:
    """Which of ``passes`` may change ``text`` (their numbers: ``Pass`` is an
    ``IntEnum``): one hyperscan scan instead of a regex scan per pass (most
    texts need none of them, or one or two)."""
    found: set[int] = set()
    _scan(_needs_database(passes), text.encode("utf-8", "surrogatepass"), _on_match, found)
    return found


# ---- where the single-digit and regrouped patterns may match, in one scan ---------
#
# ``_SINGLE_DIGITS`` and ``_GROUPED`` open with a digit, so the regex engine
# tries them at every digit: ~0.33 ms each on 100 KB of digit-dense prose
# where they find nothing. Every match of ``_SINGLE_DIGITS`` starts with a
# digit, a joint, a digit, a joint and a digit, after a character that is no
# digit or dot; every match of ``_GROUPED`` with a digit and ten digits or
# separators, after a character outside [0-9A-Za-z+.-]. Hyperscan finds where
# those start and the patterns are tried there only. It scans the text as
# ASCII with every other character as "?": one byte a character (a byte
# offset is a character index), and "?" is in none of the patterns' classes,
# as the characters it stands for are not.
_STARTS = (
    # _SINGLE_DIGITS: the digit it starts at is five characters before the end
    r"(?:^|[^0-9.])[0-9][ .\-][0-9][ .\-][0-9]",
    # _SINGLE_HINT (close_single_digits runs only on a text that holds one)
    r"[0-9][.\-][0-9][ .\-][0-9]|[0-9] [0-9][.\-][0-9]",
    # _GROUPED: eleven characters from the digit it starts at
    r"(?:^|[^0-9A-Za-z+.\-])[0-9][0-9 .\-]{10}",
)
_STARTS_WIDTH = (5, 0, 11)


@dataclass(frozen=True, slots=True)
class GroupStarts:
    """Where ``_SINGLE_DIGITS`` and ``_GROUPED`` may match (character indices,
    ascending), and whether ``_SINGLE_HINT`` occurs."""

    single: list[int]
    single_hint: bool
    regrouped: list[int]


@functools.lru_cache(maxsize=1)
def _starts_database() -> hyperscan.Database:
    database = hyperscan.Database()
    database.compile(
        expressions=[e.encode() for e in _STARTS],
        ids=list(range(len(_STARTS))),
        elements=len(_STARTS),
        flags=[0, hyperscan.HS_FLAG_SINGLEMATCH, 0],  # the hint: whether, not where
    )
    return database


def group_starts(text: str) -> GroupStarts:
    """One scan for ``close_single_digits`` and ``close_regrouped``."""
    found: tuple[list[int], list[int], list[int]] = ([], [], [])

    def on_match(number: int, start: int, end: int, flags: int, context: object) -> None:
        found[number].append(end - _STARTS_WIDTH[number])

    _scan(_starts_database(), text.encode("ascii", "replace"), on_match)
    return GroupStarts(found[0], bool(found[1]), found[2])


# ---- where unify_separators' pattern matches, in one scan -------------------------
#
# ``_SEPARATOR_RUN`` opens with a digit, so the regex engine tries it at every
# character (0.24-0.26 ms on 100 KB of Korean or Japanese prose, for a dozen
# matches). Hyperscan finds where it matches in the text as UTF-32: four bytes
# a character, so a byte offset over four is a character index (no decoding,
# unlike UTF-8), and the non-ASCII separators are themselves (unlike the
# one-byte view of ``group_starts``, where "?" stands for every Hangul
# syllable next to a digit). A match is a digit, a run of two to five
# separators or one unusual one, and a digit: the same in four-byte units.


def _utf32(chars: str) -> str:
    """A hyperscan alternation of ``chars``, each as its UTF-32-LE bytes."""
    units = ("".join(f"\\x{b:02x}" for b in c.encode("utf-32-le")) for c in sorted(set(chars)))
    return "(?:" + "|".join(units) + ")"


_DIGIT_32 = r"[\x30-\x39]\x00\x00\x00"
_SEPARATOR_RUN_32 = f"{_DIGIT_32}(?:{_utf32(SEPARATORS)}{{2,5}}|{_utf32(_UNUSUAL)}){_DIGIT_32}"
_SEPARATOR_SET = frozenset(SEPARATORS)


def separator_runs(text: str) -> Iterator[re.Match[str]]:
    """``_SEPARATOR_RUN.finditer(text)``, the pattern tried only before each
    digit where the UTF-32 scan says a run of separators ends. (Its matches
    never overlap: each is a digit and the whole run of separators after it.)"""
    ends: list[int] = []

    def on_match(number: int, start: int, end: int, flags: int, context: object) -> None:
        if not end & 3:  # a match of whole characters (bytes across two cannot be one)
            ends.append(end >> 2)

    _scan(_one_pattern(_SEPARATOR_RUN_32), text.encode("utf-32-le", "surrogatepass"), on_match)
    for end in sorted(ends):
        at = end - 2  # the run's last separator; the digit before the run opens the match
        while text[at] in _SEPARATOR_SET:
            at -= 1
        m = _SEPARATOR_RUN.match(text, at)
        if m is not None:
            yield m


def _matches_at(pattern: re.Pattern[str], text: str, at: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that can match only where
    ``at`` (ascending) says: tried there, not inside an earlier match."""
    end = 0
    for start in at:
        if start < end:
            continue
        m = pattern.match(text, start)
        if m is not None:
            yield m
            end = m.end()
