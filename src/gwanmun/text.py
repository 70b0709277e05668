"""Text normalisation with an offset map back to the original.  [pure]

Detectors see one clean view of the text; findings are mapped back so they
always point into what the user actually sent. The view:

* NFKC per character (``㊙`` excepted: it is a marking, 秘 alone is not):
  full-width digits and letters,
  ``①`` → ``1``, ideographic space → space; decimal digits of any script
  (``٣``, ``३``) → ASCII digits;
* dash variants (``‐ ‑ ‒ – — ― − ﹣``, and ``ー``/``一`` between digits) → ``-``;
* zero-width, bidi-control and other invisible format characters removed;
* spaced-out digits (``9 0 0 1 0 1 - 1 2 3 …``) closed up;
* numbers read as a person reads them (``gwanmun.digits``): Hangul and kanji
  numerals and look-alike letters in a numeric run, combining marks on digits
  dropped, any short run of separators between digits one ``-``, digits
  written one by one with dots or hyphens closed up.

Example::

    >>> n = normalize("９００１０１\u200b－１２３４５６７")
    >>> n.text
    '900101-1234567'
    >>> n.span_to_original(0, 14)
    (0, 15)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gwanmun import digits

# Dashes that mean "hyphen" in identifiers and phone numbers.
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043\u30a0")
# Look like a dash only between digits (a long-vowel mark, the kanji for one, or
# the Hangul vowel ㅡ that a Korean keyboard gives for a dash, elsewhere).
_DIGIT_DASHES = frozenset("\u30fc\uff70\u4e00\u3161\u1173")  # ㅡ is U+1173 after NFKC
# Invisible characters used to break up a value: zero-width, bidi controls, BOM, soft hyphen.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
    "\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
)
# The rest of Unicode's default-ignorable code points (variation selectors,
# Mongolian free variation selectors, reserved ones) and the braille blank:
# invisible, and so as good as a zero-width space for breaking up a value.
_IGNORABLE_RANGES = (
    (0x180B, 0x180F),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0xFE00, 0xFE0F),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0xE0000, 0xE0FFF),
)
# Line and paragraph separators and NEL are line breaks.
_LINE_BREAKS = frozenset("\u0085\u2028\u2029")
# Kept as they are: NFKC would turn the circled 秘 marking into the plain kanji,
# which in running text is no marking at all.
_KEEP = frozenset("\u3299")
# Characters NFKC leaves as they are and that are neither dashes, invisible nor
# digits: printable ASCII, Hangul syllables, CJK ideographs, kana, CJK brackets,
# and the punctuation and symbols of Korean and Japanese prose (· ‘ ’ “ ” ※ → ∼
# ○ ● □ ■ △ ▲ ★ ♥ …) — tests/test_text.py checks every one of them.
STABLE_CLASS = (
    "\t\n\r\x20-\x7e\uac00-\ud7a3\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fc\u3001\u3002"
    "\u3008-\u3011\u3014-\u301b\u00b7\u2018-\u201d\u203b\u2190-\u2199\u223c"
    "\u25a0-\u25ff\u2605\u2606\u2660-\u2667"
)
_UNSTABLE = re.compile(f"[^{STABLE_CLASS}]")
# Both open with a character class, the lookbehind after it: the regex engine
# then skips to candidate characters instead of trying every position (a
# pattern that opens with a lookbehind cost 3x as much on 100 KB of prose).
_DIGIT_DASH = re.compile("[" + "".join(sorted(_DIGIT_DASHES)) + "](?<=[0-9].)(?=[0-9])")
_DASH_BETWEEN = {
    dash: re.compile(f"{dash}(?<=[0-9]{dash})(?=[0-9])") for dash in sorted(_DIGIT_DASHES)
}
_DIGIT_TAB = re.compile(r"\t(?<=[0-9]\t)(?=[0-9])")
# Six or more single digits (or hyphens) each followed by one space: "0 1 0 - 1 2 3 4".
_SPACED_DIGITS = re.compile(r"[0-9](?<![0-9][0-9])(?:[ ][0-9-]){5,}(?![0-9])")
# In every such run (" 0 1 " of "9 0 0 1 …"): opens with a literal, so the engine
# jumps between spaces; a text without it is not scanned for runs at all.
_SPACED_HINT = re.compile(r" [0-9-] [0-9-] ")
# A line break (and the spaces after it) before a number or a hyphen and a
# number: where a number wrapped at its hyphen may go on. Opens with the line
# break, so the engine jumps between lines.
_LINE_THEN_NUMBER = re.compile(r"\n[ \t]*(?=-?[0-9])")
ASCII_DIGITS = frozenset("0123456789")
_ANY_DIGIT = re.compile("[0-9]")
# What a person puts between the letters of a word they spell out (대 외 비,
# S.E.C.R.E.T, 部・外・秘): markings are found (detect/markings.py) and graded
# (policy.marking_grade) with these between their letters.
SPELLING_GAPS = " \t.·・_*/|,~+=:-"  # "-" last: literal in a character class


@dataclass(frozen=True, slots=True, eq=False)
class Normalized:
    """The normalised text and, per character, the original character it came from.

    Every normalised character comes from exactly one original character (NFKC
    may turn one into several: ``㎏`` → ``kg``), so ``starts[i]`` is where it came
    from and ``ends[i]`` where that character ends — ``starts[i] + 1``, except
    for a character composed from several (a base and its combining marks).
    """

    original: str
    text: str
    starts: npt.NDArray[np.int64]
    # Where each character's source ends, when that is not ``starts + 1``: a
    # character composed from a base and its combining marks (decomposed text).
    end_map: npt.NDArray[np.int64] | None = None

    @property
    def ends(self) -> npt.NDArray[np.int64]:
        return self.starts + 1 if self.end_map is None else self.end_map

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``text[start:end]`` to the smallest original span that produced it."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside the normalised text")
        if start == end:
            position = int(self.starts[start]) if start < len(self.starts) else len(self.original)
            return position, position
        last = self.starts[end - 1] + 1 if self.end_map is None else self.end_map[end - 1]
        return int(self.starts[start]), int(last)

    @property
    def changed(self) -> bool:
        return self.text != self.original


def normalize(original: str, *, composed: bool = False) -> Normalized:
    # Only characters outside STABLE_CLASS can change; they are found by one
    # regex scan and mapped through a cache. Most map to one character, so
    # offsets stay those of the original; only removed characters and NFKC
    # expansions (㎏ → kg) need the offset map rebuilt.
    pieces: list[str] = []
    lengths: dict[int, int] = {}  # original index -> its normalised length, where not 1
    joining: list[int] = []  # where a combining mark or a vowel/final jamo is
    enclosing = marked = False
    previous = 0
    for match in _UNSTABLE.finditer(original):
        index = match.start()
        char = original[index]
        out, kind = _char_kind(char)
        if kind:
            if kind & _JOINING:
                joining.append(index)
            enclosing = enclosing or bool(kind & _ENCLOSING)
            marked = marked or bool(kind & _MARKED)
        if out == char:
            continue
        pieces.append(original[previous:index])
        pieces.append(out)
        previous = index + 1
        if len(out) != 1:
            lengths[index] = len(out)
    if joining and not composed and (clusters := _clusters(original, joining)):
        return _normalize_decomposed(original, clusters)
    if pieces:
        pieces.append(original[previous:])
        text = "".join(pieces)
    else:
        text = original
    if lengths:
        repeats = np.ones(len(original), dtype=np.int64)
        repeats[list(lengths)] = list(lengths.values())
        offsets = np.repeat(np.arange(len(original), dtype=np.int64), repeats)
    else:
        offsets = np.arange(len(original), dtype=np.int64)
    # Marks left over (none composed with their base): 1⃣, 9́ — looked for
    # only when one is there (a vowel jamo, ᅲ, joins but is none).
    if (joining or enclosing) and marked:
        text, offsets = digits.drop_marks_after_digits(text, offsets)
    text, offsets = number_passes(text, offsets)
    return Normalized(original, text, offsets)


def number_passes(
    text: str, offsets: npt.NDArray[np.int64], *, every: bool = False
) -> tuple[str, npt.NDArray[np.int64]]:
    """The passes that read numbers (``gwanmun.digits``), each run only when
    one hyperscan scan says it may change something (``every``: all of them,
    the reference the tests hold the shortcut to)."""
    Pass = digits.Pass
    # One scan for every pass; the later passes' answers hold while the text
    # is the one scanned (most texts: nothing before them changes it).
    need: set[int] = set(Pass) if every else digits.needed(text, digits.ALL_PASSES)
    scanned = text
    if Pass.POSITIONAL in need:  # before: 오천육백 is no run of digits yet
        read, offsets = digits.read_positional(text, offsets)
        if read != text:
            text = read
            need.add(Pass.NUMERALS)  # the groups read digit by digit beside them
    if Pass.NUMERALS in need:
        text = digits.read_numerals(text)  # same length: offsets unchanged
    if _dash_between_digits(text):
        text = _DIGIT_DASH.sub("-", text)  # same length: offsets unchanged
    if "\t" in text:  # 900101<tab>1234568: the two halves in spreadsheet columns
        text = _DIGIT_TAB.sub(" ", text)
    if "\n" in text and "-" in text:  # 900101-⏎1234568: a number wrapped at its hyphen
        text, offsets = _join_wrapped_numbers(text, offsets)
    if not every and text is not scanned and text != scanned:
        need = digits.needed(text, digits.GROUP_PASSES) if _ANY_DIGIT.search(text) else set()
    if Pass.SPACED in need and _SPACED_HINT.search(text):
        text, offsets = _close_spaced_digits(text, offsets)
    if Pass.SEPARATORS in need:  # after: " - " inside a spaced run
        text, offsets = digits.unify_separators(text, offsets)
    # Where the last two passes' patterns may match, in one scan (not every=:
    # that runs them over the whole text, the reference the tests hold this to).
    found = None
    if not every and (Pass.SINGLE in need or Pass.REGROUPED in need):
        found = digits.group_starts(text)
    if Pass.SINGLE in need:
        closed, offsets = digits.close_single_digits(text, offsets, found)
        if closed != text:
            text, found = closed, None if every else digits.group_starts(closed)
    if Pass.REGROUPED in need:
        text, offsets = digits.close_regrouped(text, offsets, found)
    return text, offsets


# Joining characters — combining marks and the vowel and final conjoining jamo:
# text in decomposed form (NFD, as macOS file names and some PDF exports give
# it) spells 대외비 or パスワード with them, and one character at a time they
# never compose. (A lone leading consonant — ᄏᄏ for ㅋㅋ — joins nothing.)


def _clusters(original: str, joining: list[int]) -> list[tuple[int, int, str]]:
    """``(start, end, composed)`` of each base character and the run of joining
    characters after it (at ``joining``) that NFC composes into something else;
    lone jamo (ᅲᅲ) and marks with nothing to join give none."""
    runs: list[list[int]] = []
    for at in joining:
        if runs and runs[-1][1] == at:
            runs[-1][1] = at + 1
        else:
            runs.append([at, at + 1])
    clusters: list[tuple[int, int, str]] = []
    for start, end in runs:
        source = original[start - 1 : end]  # the base is the character before the run
        if start > 0 and (out := unicodedata.normalize("NFC", source)) != source:
            clusters.append((start - 1, end, out))
    return clusters


def _normalize_decomposed(original: str, clusters: list[tuple[int, int, str]]) -> Normalized:
    """``normalize`` for text with combining sequences: each base character and
    the marks or jamo that follow it are composed (NFC) first, the result
    pointing at the whole cluster, then normalised as usual."""
    # As in ``normalize``: per original character, how many composed characters
    # it gives (a cluster's all come from its base; its marks give none), and
    # where its source ends (a base's at the end of its cluster).
    lengths = np.ones(len(original), dtype=np.int64)
    source_end = np.arange(1, len(original) + 1, dtype=np.int64)
    pieces: list[str] = []
    marks: list[int] = []
    previous = 0
    for start, end, out in clusters:
        pieces += (original[previous:start], out)
        lengths[start] = len(out)
        source_end[start] = end
        marks.extend(range(start + 1, end))
        previous = end
    pieces.append(original[previous:])
    lengths[marks] = 0
    inner = normalize("".join(pieces), composed=True)
    starts = np.repeat(np.arange(len(original), dtype=np.int64), lengths)
    return Normalized(
        original, inner.text, starts[inner.starts], np.repeat(source_end, lengths)[inner.starts]
    )


def strip_invisible(text: str) -> str:
    """``text`` without the characters ``normalize`` deletes (zero-width, bidi
    controls, the Unicode TAG block, variation selectors, control characters
    other than tab and line breaks): what is forwarded to a model must not
    carry what the guard never read. Everything else is left as it is."""
    if not _UNSTABLE.search(text):
        return text
    return _UNSTABLE.sub(_kept_char, text)


def _kept_char(match: re.Match[str]) -> str:
    char = match.group()
    return char if _normalized_char(char) else ""


def _dash_between_digits(text: str) -> bool:
    """Whether ``_DIGIT_DASH`` has anything to replace: per dash, a substring
    test (fast, and most texts hold none) and a pattern that opens with the
    dash itself, so the engine jumps between occurrences (ー and 一 are
    common in Japanese prose: a Python loop over them cost 0.2-0.3 ms on
    100 KB, the class-opened ``_DIGIT_DASH`` as much)."""
    return any(dash in text and found.search(text) for dash, found in _DASH_BETWEEN.items())


# What ``_char_kind`` says of a character besides what it becomes.
_JOINING = 1  # a combining mark or a vowel/final conjoining jamo (see _clusters)
_ENCLOSING = 2  # an enclosing mark (the keycap): these have no combining class
_MARKED = 4  # normalises to a mark digits.drop_marks_after_digits may drop


@functools.lru_cache(maxsize=4096)
def _char_kind(char: str) -> tuple[str, int]:
    """What one character outside STABLE_CLASS becomes, and its kind: one
    cached look-up a character in ``normalize``'s loop. Without a ``_MARKED``
    character the text is not scanned for marks after digits (0.13 ms on
    100 KB of Korean with a vowel jamo in it)."""
    out = _normalized_char(char)
    kind = 0
    if unicodedata.combining(char) or "\u1160" <= char <= "\u11ff" or "\ud7b0" <= char <= "\ud7ff":
        kind |= _JOINING
    elif "\u20d0" <= char <= "\u20ff":
        kind |= _ENCLOSING
    if digits.holds_mark(out):
        kind |= _MARKED
    return out, kind


@functools.lru_cache(maxsize=4096)
def _normalized_char(char: str) -> str:
    """What one character outside STABLE_CLASS becomes ("" when removed)."""
    if char in _LINE_BREAKS:
        return "\n"
    if char in _INVISIBLE or unicodedata.category(char) in ("Cf", "Cc"):
        return ""  # format and control characters (tab, LF and CR are stable)
    if any(lo <= ord(char) <= hi for lo, hi in _IGNORABLE_RANGES):
        return ""
    if char in _DASHES:
        return "-"
    if char.isascii() or char in _KEEP:
        return char
    out = unicodedata.normalize("NFKC", char)
    if len(out) == 1 and unicodedata.category(out) == "Nd":
        return str(unicodedata.digit(out))  # ٣, ३, ๓ … (NFKC keeps them): 3
    value = unicodedata.digit(char, None)
    if value is not None:  # ❶ ➀ ⓵ (NFKC keeps them), ⑴ ⒈ 🄁 (NFKC adds brackets): the digit
        return str(value)
    return out


def _join_wrapped_numbers(
    text: str, starts: npt.NDArray[np.int64]
) -> tuple[str, npt.NDArray[np.int64]]:
    """Drop the line break of a number wrapped at its hyphen (``900101-`` at the
    end of one line, ``1234568`` on the next: a PDF or a narrow table cell),
    with the spaces around the break."""
    gaps: list[tuple[int, int]] = []
    for match in _LINE_THEN_NUMBER.finditer(text):
        lo = match.start()
        while lo > 0 and text[lo - 1] in " \t\r":
            lo -= 1
        if text[match.end()] == "-":  # 900101 ⏎ -1234568
            wrapped = lo > 0 and text[lo - 1] in ASCII_DIGITS
        else:  # 900101- ⏎ 1234568
            wrapped = lo > 1 and text[lo - 1] == "-" and text[lo - 2] in ASCII_DIGITS
        if wrapped:
            gaps.append((lo, match.end()))
    if not gaps:
        return text, starts
    keep = np.ones(len(text), dtype=bool)
    pieces: list[str] = []
    previous = 0
    for lo, hi in gaps:  # the slices between the gaps, copied whole
        keep[lo:hi] = False
        pieces.append(text[previous:lo])
        previous = hi
    pieces.append(text[previous:])
    return "".join(pieces), starts[keep]


def _close_spaced_digits(
    text: str, starts: npt.NDArray[np.int64]
) -> tuple[str, npt.NDArray[np.int64]]:
    runs = spaced_runs(text)
    if not runs:
        return text, starts
    # Each run copied without its spaces, the text between runs whole (not a
    # slice per dropped space: 0.1 ms of Python on 100 KB of digit-dense text).
    keep = np.ones(len(text), dtype=bool)
    pieces: list[str] = []
    previous = 0
    for start, end in runs:
        run = text[start:end]
        pieces += (text[previous:start], run.replace(" ", ""))
        keep[start:end] = np.frombuffer(run.encode("ascii"), dtype=np.uint8) != ord(" ")
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces), starts[keep]


_RUN_CHARS = frozenset("0123456789- ")
_STRETCH_MAX = 512


def spaced_runs(text: str) -> list[tuple[int, int]]:
    """The spans of ``_SPACED_DIGITS.finditer(text)``, looked for only in the
    stretches of digits, hyphens and spaces around a ``_SPACED_HINT``: every run
    holds one, and no run crosses a character outside those three, so each
    stretch is scanned on its own (its lookarounds see the real neighbours)
    instead of the engine trying every digit of the text."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (hint := _SPACED_HINT.search(text, pos)) is not None:
        lo, hi = hint.start(), hint.end()
        while lo > 0 and text[lo - 1] in _RUN_CHARS and hint.start() - lo < _STRETCH_MAX:
            lo -= 1
        while hi < len(text) and text[hi] in _RUN_CHARS and hi - hint.end() < _STRETCH_MAX:
            hi += 1
        if (lo > 0 and text[lo - 1] in _RUN_CHARS) or (hi < len(text) and text[hi] in _RUN_CHARS):
            return [m.span() for m in _SPACED_DIGITS.finditer(text)]  # a very long stretch
        spans.extend(m.span() for m in _SPACED_DIGITS.finditer(text, lo, min(hi + 1, len(text))))
        pos = hi
    return spans
