"""Birth dates written as a date — ``1990년 1월 1일``, ``구십년 일월 일일생``,
``90년 12월 25일``, ``1990.1.1`` — read as the front half of a resident
number (YYMMDD).  [pure]

Not a detector: ``identifier_parts`` pairs a date with a back half nearby
and judges the pair (gender digit against the century, checksum, a naming
word). A date alone is never reported.

Read on the normalised text, where the day's unit may already be a digit:
the normaliser reads ``일`` after digits as a numeral when more digits follow
(``1월 1일 1234568`` → ``1월 11 1234568``), so a day of digits ending in 1
with no unit after it is read every way (``11``: day 1 or day 11; ``21``,
as ``이십일`` said aloud is read, also day 20); the checksum decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sino-Korean numerals as said: positional (천구백구십, 이십오) or digit by
# digit (구공, 공일).
_DIGIT_OF = {
    "공": 0, "영": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6,
    "칠": 7, "팔": 8, "구": 9,
}  # fmt: skip
_UNIT_OF = {"천": 1000, "백": 100, "십": 10}
_HANGUL = "[공영일이삼사오육륙칠팔구십백천]"
_YEAR_CHARS = frozenset("0123456789공영일이삼사오육륙칠팔구십백천")
# 유월 (June) and 시월 (October) as they are said.
_MONTH_WORDS = {"유": 6, "시": 10}

_SAID = re.compile(
    rf"(?<![가-힣0-9])(?P<y>[0-9]{{4}}|[0-9]{{2}}|{_HANGUL}{{1,6}})\s?년\s?"
    rf"(?P<m>[0-9]{{1,2}}|{_HANGUL}{{1,3}}|[유시])\s?월\s?"
    rf"(?:(?P<dh>{_HANGUL}{{0,3}})일|(?P<dd>[0-9]{{1,3}})(?:\s?일)?)"
    r"(?:[ \-]?(?P<back>[0-9]{7}))?(?![0-9])"
)
# 1990.1.1, 90.01.01, 1990-01-01 (1990/1/1 and 1990. 1. 1. are normalised to dashes)
_DOTTED = re.compile(
    # opens with a digit, the lookbehind after it: the engine skips to digits
    r"(?P<y>[0-9](?<![0-9.\-][0-9])[0-9](?:[0-9]{2})?)(?P<s>[.\-])(?P<m>[0-9]{1,2})(?P=s)(?P<dd>[0-9]{1,2})"
    r"(?:[.\-](?P<back>[0-9]{7}))?(?![0-9])(?![.\-][0-9])"
)
# Where a dotted date may be (the patterns open with a lookbehind and try
# every position: a text without 년, or without this, is not scanned for them):
# a date's first separator, a digit before it and the month and second
# separator after it — a resident number's one dash (900101-1234568) is none.
_DOTTED_HINT = re.compile(r"[.\-](?<=[0-9].)(?=[0-9]{1,2}[.\-][0-9])")


@dataclass(frozen=True, slots=True)
class Date:
    """A date at ``text[start:end]`` and the ``YYMMDD`` each reading gives,
    with the century its year names (``None``: a two-digit year)."""

    start: int
    end: int
    readings: tuple[str, ...]
    century: int | None
    # Seven digits run straight on from the day (the normaliser joins
    # ``이십삼일 4112882`` into ``2314112882``, ``1994. 6. 18. - 2991391`` into
    # one dashed run): the back half's span, which the pair is judged with.
    back: tuple[int, int] | None = None


def dates(text: str, lo: int = 0, hi: int | None = None) -> list[Date]:
    """Every date written with 년/월/일 or dotted in ``text[lo:hi]``, each
    with its readings as ``YYMMDD``. (Its patterns open with numerals common
    in Korean prose, tried at every one: scan only where a date may matter.)
    Every date holds a 년 or ``_DOTTED_HINT``: ``identifier_parts`` looks for
    dates only where one of those is (``parts._DATE_MARKS``), so a new way of
    writing a date needs its mark there too."""
    hi = len(text) if hi is None else hi
    found: list[Date] = []
    for m in _said(text, lo, hi):
        year = _number(m.group("y"))
        month = _MONTH_WORDS.get(m.group("m")) or _number(m.group("m"))
        if m.group("dd") is not None:
            unit = "일" in text[m.end("dd") : m.start("back") if m.group("back") else m.end()]
            days = _digit_days(m.group("dd"), unit=unit)
        else:
            days = [_number(m.group("dh"))] if m.group("dh") else []
        date = _date(m, year, len(m.group("y")), month, days)
        if date is not None:
            found.append(date)
    dotted = _DOTTED_HINT.search(text, lo, hi) is not None
    for m in _DOTTED.finditer(text, lo, hi) if dotted else ():
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("dd"))
        six = len(m.group("y")) == len(m.group("m")) == len(m.group("dd")) == 2
        if six and m.group("back") is None:
            continue  # 90.01.01: six digits, a piece as it stands
        date = _date(m, year, len(m.group("y")), month, [day])
        if date is not None:
            found.append(date)
    return found


def _said(text: str, lo: int, hi: int) -> list[re.Match[str]]:
    """``_SAID``'s matches in ``text[lo:hi]``, each tried from a 년 back over
    its year (the pattern, tried at every position, cost 12 us a window)."""
    found: list[re.Match[str]] = []
    at = text.find("년", lo, hi)
    while at >= 0:
        start = at - 1 if at > lo and text[at - 1] == " " else at
        while start > lo and at - start < 7 and text[start - 1] in _YEAR_CHARS:
            start -= 1
        m = _SAID.match(text, start, hi)
        if m is not None:
            found.append(m)
        at = text.find("년", max(at, m.end() if m is not None else 0) + 1, hi)
    return found


def _digit_days(typed: str, *, unit: bool) -> list[int | None]:
    if unit:
        return [int(typed)] if len(typed) <= 2 else []
    days: list[int | None] = [int(typed)] if len(typed) <= 2 else []
    if typed.endswith("1") and len(typed) >= 2:  # 일 read as a digit by the normaliser
        days.append(int(typed[:-1]))
        if len(typed) == 2:  # or as the ones of a number said aloud: 이십일 read 21, not 20일
            days.append(int(typed) - 1)
    return days


def _date(
    m: re.Match[str], year: int | None, typed: int, month: int | None, days: list[int | None]
) -> Date | None:
    if year is None or month is None or not 1 <= month <= 12:
        return None
    century: int | None = None
    if year >= 100 or typed == 4:
        if not 1800 <= year <= 2099:
            return None
        century = year // 100 * 100
    yymm = f"{year % 100:02d}{month:02d}"
    readings = tuple(f"{yymm}{day:02d}" for day in days if day is not None and 1 <= day <= 31)
    if not readings:
        return None
    if m.group("back") is None:
        return Date(m.start(), m.end(), readings, century)
    end = m.start("back")
    while m.string[end - 1] in " -.":
        end -= 1
    return Date(m.start(), end, readings, century, m.span("back"))


def _number(said: str) -> int | None:
    """``said`` (ASCII digits, or Hangul numerals positional or digit by
    digit) as a number; ``None`` when it is no number."""
    if said.isascii():
        return int(said) if said.isdigit() else None
    if not any(c in _UNIT_OF for c in said):
        if not all(c in _DIGIT_OF for c in said):
            return None
        return int("".join(str(_DIGIT_OF[c]) for c in said))
    total = 0
    pending: int | None = None
    last_unit = 10_000
    for c in said:
        if c in _UNIT_OF:
            unit = _UNIT_OF[c]
            if unit >= last_unit:
                return None  # 십백: no number
            total += (1 if pending is None else pending) * unit
            pending, last_unit = None, unit
        elif c in _DIGIT_OF:
            if pending is not None or _DIGIT_OF[c] == 0:
                return None  # 구구십, 공십: not said so
            pending = _DIGIT_OF[c]
        else:
            return None
    return total + (pending or 0)
