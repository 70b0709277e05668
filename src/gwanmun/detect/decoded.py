"""Numbers written so that a reader — or a model — decodes them: digits spelled
as English or Japanese words (``nine zero zero one…``, ``いち、なな、よん…``),
HTML character references (``&#57;&#48;…``), percent-escapes between digits
(``900101%2D1234568``), and digit groups in quotes or code marks
(``["900101", "1234568"]``, `` `900101`-`1234568` ``).  [pure]

Registered by ``gwanmun.detect.builtin`` over the structured detectors
registered before them, one detector a way of writing: ``spelled_digits_en``,
``spelled_digits_ja``, ``character_references``, ``percent_escapes``,
``quoted_digits``. Each such run is decoded and read again by
the structured detectors, with the words around it (a context word such as
주민번호 or "my number" counts as it would beside plain digits); what they find
in the decoded run is reported over the whole run as typed, so the mask covers
every word or escape of it. A run that decodes to nothing those detectors
report is left alone: ``one two three`` in prose is no identifier.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Sequence
from urllib.parse import unquote

from gwanmun.detect import Detector, run_detectors
from gwanmun.detect._common import make
from gwanmun.types import Finding

_EN = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_JA = {
    "ぜろ": "0", "れい": "0", "まる": "0", "ゼロ": "0", "レイ": "0", "マル": "0",
    "いち": "1", "イチ": "1", "に": "2", "ニ": "2", "さん": "3", "サン": "3",
    "よん": "4", "ヨン": "4", "し": "4", "シ": "4", "ご": "5", "ゴ": "5",
    "ろく": "6", "ロク": "6", "なな": "7", "ナナ": "7", "しち": "7", "シチ": "7",
    "はち": "8", "ハチ": "8", "きゅう": "9", "キュウ": "9", "く": "9", "ク": "9",
}  # fmt: skip
_EN_WORD = r"(?:" + "|".join(_EN) + r")\b"
# Longest first, so きゅう is not read as き…, しち not as し + ち.
_JA_WORD = "(?:" + "|".join(sorted(_JA, key=len, reverse=True)) + ")"
# Between spelled digits: a few spaces and punctuation, or a dash said as a word.
_EN_GAP = r"(?:[\s,.;:/\-]{1,3}|\s?\b(?:dash|hyphen)\b\s?)"
_JA_GAP = r"[\s、,，・.\-ー－の]{0,3}"
# Runs of six or more spelled digits (a phone number has ten, a My Number twelve).
_EN_RUN = re.compile(rf"(?i)\b{_EN_WORD}(?:{_EN_GAP}\b{_EN_WORD}){{5,}}")
_JA_RUN = re.compile(rf"{_JA_WORD}(?:{_JA_GAP}{_JA_WORD}){{5,}}")
# Three spelled digits in a row — in Japanese with a kana word of two or more
# characters among them (one kana is any particle: 田中さんにご連絡): every run
# has them, and ordinary text seldom does.
_EN_THREE = rf"(?i:\b{_EN_WORD}{_EN_GAP}\b{_EN_WORD}{_EN_GAP}\b{_EN_WORD})"
_JA_LONG = "(?:" + "|".join(w for w in sorted(_JA, key=len, reverse=True) if len(w) > 1) + ")"
_JA_THREE = "|".join(
    _JA_GAP.join(_JA_LONG if i == long else _JA_WORD for i in range(3)) for long in range(3)
)
# Character references and the digits and separators between them.
_REFERENCE = r"&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});"
_REFERENCE_RUN = re.compile(rf"(?:{_REFERENCE}|[0-9])(?:{_REFERENCE}|[0-9 .\-])*")
# Digits with percent-escapes among them.
_ESCAPE = r"%[0-9A-Fa-f]{2}"
# (Not from the middle of an escape: in %34%37, "4%37" is no digit and an escape.)
_ESCAPED_RUN = re.compile(
    rf"(?<!%)(?<!%[0-9A-Fa-f])[0-9](?:[0-9]|{_ESCAPE})*{_ESCAPE}(?:[0-9]|{_ESCAPE})*"
)
# Digit groups with quotes, code marks or brackets around them: between two
# groups, one or two closing marks, a short separator, opening marks — or a
# plain separator, when another gap of the run is quoted.
_Q_CLOSE = "\"'`“”‘’」\\])"
_Q_OPEN = "\"'`“”‘’「\\[("
_QUOTED_GAP = rf"[{_Q_CLOSE}]{{1,2}}[\s,+\-:;]{{0,3}}[{_Q_OPEN}]{{0,2}}"
_QUOTED_RUN = re.compile(rf"[0-9]+(?:(?:{_QUOTED_GAP}|[\s,+\-:;]{{1,3}})[0-9]+)+")
_QUOTED = re.compile(rf"[0-9]{_QUOTED_GAP}[0-9]")
_DIGIT_GROUP = re.compile(r"[0-9]+")
# How many characters around a run the detectors read again (their context
# words lie within 40 of a value).
_AROUND = 48


def _spelled(words: dict[str, str], word: re.Pattern[str], *, fold: bool) -> Callable[[str], str]:
    """Decode a run of spelled digits: each word its digit (``fold``: read in
    lower case), the gaps as one space."""

    def decode(run: str) -> str:
        return " ".join(words[w.lower() if fold else w] for w in word.findall(run))

    return decode


def as_number(min_digits: int = 6) -> Callable[[str], tuple[str, ...]]:
    """How a reader joins a decoded run: its digit groups at their dashes, else
    all one number — nothing when it holds fewer than ``min_digits`` digits."""

    def readings(decoded: str) -> tuple[str, ...]:
        groups = _DIGIT_GROUP.findall(decoded)
        if sum(map(len, groups)) < min_digits:
            return ()
        return "-".join(groups), "".join(groups)

    return readings


_AS_NUMBER = as_number()


class DecodedNumbers:
    """Runs of one way of writing a number (``pattern``), decoded (``decode``)
    and read again by ``inner``, the structured detectors, in each of the
    ``readings`` of the decoded run (by default its digit groups). ``trigger``:
    what every such run — or, with ``cue``, the cue word a run must have within
    ``_AROUND`` characters — contains (hyperscan and Python read it alike), so
    each way is looked for only where it may be."""

    def __init__(
        self,
        id: str,
        trigger: str,
        pattern: re.Pattern[str],
        decode: Callable[[str], str],
        inner: Sequence[Detector],
        *,
        readings: Callable[[str], tuple[str, ...]] = _AS_NUMBER,
        cue: re.Pattern[str] | None = None,
    ) -> None:
        self.id = id
        self.trigger = trigger
        self._pattern = pattern
        if cue is None:
            # What ``detector_reach`` reads: a pattern of bounded length gets
            # slices wide enough to hold a whole run (base64 of a sentence).
            self.pattern = pattern
            self.context = _AROUND
        self._decode = decode
        self._readings = readings
        self._cue = cue
        self.inner = tuple(inner)
        self.kinds = tuple(sorted({kind for d in self.inner for kind in d.kinds}))

    def detect(self, text: str) -> list[Finding]:
        found: dict[tuple[str, int, int], Finding] = {}
        for run in self._pattern.finditer(text):
            befores = [text[max(0, run.start() - _AROUND) : run.start()]]
            if self._cue is not None:
                cue = self._cue.search(text, max(0, run.start() - _AROUND), run.end() + _AROUND)
                if cue is None:
                    continue
                if cue.end() <= run.start():
                    # As a reader who has done what the cue asks: the number in
                    # place of the words asking for it (사업자번호 거꾸로: …).
                    befores.append(text[max(0, cue.start() - _AROUND) : cue.start()])
            readings = self._readings(self._decode(run.group()))
            after = text[run.end() : run.end() + _AROUND]
            for before, decoded in itertools.product(befores, readings):
                window = before + " " + decoded + " " + after
                lo, hi = len(before) + 1, len(before) + 1 + len(decoded)
                hits = [f for f in run_detectors(window, self.inner) if f.start < hi and lo < f.end]
                for finding in hits:
                    key = (finding.kind, run.start(), run.end())
                    if key not in found or found[key].score < finding.score:
                        found[key] = make(*key, finding.score, self.id)
                if hits:
                    break
        return sorted(found.values(), key=lambda f: (f.start, f.kind))


def decoders(inner: Sequence[Detector]) -> list[DecodedNumbers]:
    """One detector per way of writing a number, each reading with ``inner``."""
    return [
        DecodedNumbers(
            "spelled_digits_en",
            _EN_THREE,
            _EN_RUN,
            _spelled(_EN, re.compile(rf"(?i)\b{_EN_WORD}"), fold=True),
            inner,
        ),
        DecodedNumbers(
            "spelled_digits_ja",
            _JA_THREE,
            _JA_RUN,
            _spelled(_JA, re.compile(_JA_WORD), fold=False),
            inner,
        ),
        DecodedNumbers(
            "character_references",
            "&#",
            _REFERENCE_RUN,
            lambda run: html.unescape(run) if "&#" in run else "",
            inner,
        ),
        DecodedNumbers(
            "percent_escapes",
            "[0-9]%[0-9A-Fa-f]|%[0-9A-Fa-f]{2}[0-9]",
            _ESCAPED_RUN,
            unquote,
            inner,
        ),
        DecodedNumbers(
            "quoted_digits",
            _QUOTED.pattern,
            _QUOTED_RUN,
            lambda run: run if _QUOTED.search(run) else "",
            inner,
        ),
    ]
