"""Numbers disguised so that a model still recovers them: the bytes of a value or
of a whole sentence in base64 or hex (``OTAwMTAxLTEyMzQ1Njg=``,
``3930303130312d…``, ``%39%30…``, ``\\u0039…``), digits reversed beside a word
asking to reverse them (``거꾸로: 8654321-101009``), one value regrouped with
mixed separators (``900101/12.34-568``), digits said as native Korean numerals
(``아홉 영 영 하나…``) or written as formal numerals (``壱九八〇…``,
``壹貳參…``), and digits with the same filler between them (``9 그리고 0 그리고
0…``, ``9*0*0*1…``; letters between digits are ``gwanmun.detect.glued``'s).  [pure]

Registered by ``gwanmun.detect.builtin`` beside ``gwanmun.detect.decoded``, in
the same way: one ``DecodedNumbers`` a disguise, each gated by a hyperscan
trigger every such run (or its cue word) contains, each decoding the run and
reading it again with the structured detectors and the words around it. What
those do not report is left alone: base64 in code decodes to no valid number,
``하나 둘 셋`` is a count, ``参加`` a word, a date range is no regrouped
identifier.

Not read: Roman numerals (they have no zero, so no identifier is written digit
by digit in them), Japanese native counting words (ひとつ, ふたつ: a count up to
ten, not how digits are dictated), 語呂合わせ (one kana, several digits: any kana
text would decode), base32, octal escapes, base64 of UTF-16, string concatenation
in code (``"9001" + "01" + "-" + …``) and numbers said with magnitudes (``nine
hundred thousand…``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence

from gwanmun.detect import Detector
from gwanmun.detect.decoded import DecodedNumbers, as_number

# ---- base64: a digit's byte is 0x30-0x39, so three digits in a row, aligned,
# are four characters of these classes; any base64 of six digits or more has one.
_B64_DIGITS = "[MNO][DTjz][AEIMQUYcgk][w-z0-5]"
# Bounded, so its detector's slices hold a whole run (``detector_reach``); a
# longer one is read in aligned pieces of this length.
_B64_RUN = re.compile(r"[A-Za-z0-9+/_\-]{8,1024}={0,2}")
_B64_QUAD = re.compile(_B64_DIGITS)
_DIGIT_GROUP = re.compile(r"[0-9]+")


def _from_base64(run: str) -> str:
    """The text of ``run`` decoded at each of its four alignments (a run cut by
    a slice's edge may start mid-quad), one per line; UTF-8 as far as it goes."""
    if not _B64_QUAD.search(run):
        return ""
    core = run.rstrip("=").replace("-", "+").replace("_", "/")
    out = []
    for skip in range(4):
        body = core[skip:]
        if len(body) % 4 == 1:  # no byte ends there
            body = body[:-1]
        body += "=" * (-len(body) % 4)
        try:
            raw = base64.b64decode(body, validate=True)
        except binascii.Error:
            continue
        out.append(raw.decode("utf-8", "replace"))
    return "\n".join(out)


def _texts(decoded: str) -> tuple[str, ...]:
    """Each decoded alignment holding six digits or more, read as text (a whole
    sentence may be encoded, with its context words)."""
    return tuple(t for t in decoded.split("\n") if sum(c.isdigit() for c in t) >= 6)


# ---- hex: three digits' bytes in a row (3x3y3z), with or without \x, 0x or a
# space or colon between the bytes.
# A byte as two hex digits, bare or after \x, 0x, % (every character
# percent-escaped) or \u00 (a JSON escape of an ASCII character).
_HEX_PREFIX = r"\\x|0[xX]|%|\\u00"
_HEX_BYTE = rf"(?:{_HEX_PREFIX})?[0-9A-Fa-f]{{2}}"
_HEX_JOINT = "[ :,\\-]?"  # a colon is a dash once normalised
# (Alternatives without optional prefixes: one pattern with them cost 2% of the
# whole structured pass on 100 KB of prose.)
_HEX_TRIGGER = "|".join(
    (
        r"3[0-9]3[0-9]3[0-9]",
        r"3[0-9][ :,\-]3[0-9][ :,\-]3[0-9]",
        rf"(?:[xX\\%]|u00)3[0-9],? ?(?:{_HEX_PREFIX})3[0-9]",
    )
)
_HEX_RUN = re.compile(rf"{_HEX_BYTE}(?:{_HEX_JOINT}{_HEX_BYTE}){{5,511}}")


def _from_hex(run: str) -> str:
    digits = re.sub(rf"{_HEX_PREFIX}|[ :,\-]", "", run)
    out = []
    for skip in (0, 1):  # cut by a slice's edge mid-byte
        body = digits[skip:]
        body = body[: len(body) - len(body) % 2]
        out.append(bytes.fromhex(body).decode("utf-8", "replace"))
    return "\n".join(out)


# ---- reversed: a word asking for the digits backwards, and a number near it.
# (逆 alone is too common — 逆に, 逆転 — so only 逆から, 逆順, 逆さ.)
_REVERSE_WORDS = "거꾸로|반대로|역순|뒤집|뒤에서부터|逆から|逆順|逆さ|さかさ|後ろから|右から"
_REVERSE_CUE = re.compile(rf"{_REVERSE_WORDS}|(?i:reverse|backward)")
_NUMBER_RUN = re.compile(r"[0-9](?:[ .\-/]?[0-9])+")
# How many digits an identifier the structured detectors read has (a local
# phone number nine, a card sixteen): shorter or longer runs, years, dates and
# amounts, are not read again.
_ID_DIGITS = range(9, 17)


def _id_length(run: str) -> bool:
    """Whether ``run`` holds as many digits as an identifier."""
    return sum("0" <= c <= "9" for c in run) in _ID_DIGITS


# An identifier has at most five groups: longer stretches of a run are not tried.
_MOST_GROUPS = 6


def _by_spaces(run: str, fits: Callable[[str], bool]) -> list[str]:
    """The stretches of ``run`` between its spaces that ``fits`` accepts, the
    longest first, at most two: a number may follow a value after a space
    (``8654321-101009 2024``), and only the value is one. A stretch whose
    edge group is as long as the group left out beside it is only part of a
    number grouped by spaces (three of ``3165 0512 1804 7175``), as
    ``spaced_continuation`` has it for plain digits."""
    parts = run.split(" ")
    found: list[str] = []
    for size in range(min(len(parts), _MOST_GROUPS), 0, -1):
        for i in range(len(parts) - size + 1):
            j = i + size
            if i > 0 and _group(parts[i - 1], -1) == _group(parts[i], 0):
                continue
            if j < len(parts) and _group(parts[j], 0) == _group(parts[j - 1], -1):
                continue
            if fits(stretch := " ".join(parts[i:j])):
                found.append(stretch)
        if len(found) >= 2:
            break
    return found[:2]


def _group(part: str, which: int) -> int:
    """The length of the first (``0``) or last (``-1``) digit group of ``part``."""
    return len(_DIGIT_GROUP.findall(part)[which])


def _reversed(run: str) -> tuple[str, ...]:
    """The stretches of the run with an identifier's digits, reversed, read with
    their separators where they now fall."""
    return tuple(stretch[::-1] for stretch in _by_spaces(run, _id_length))


# ---- one value regrouped with two or more kinds of separator between groups
# (once normalised, a slash or an underscore is a dash).
_MIXED_TRIGGER = r"[0-9](?:-[0-9]{1,7}[. ]|\.[0-9]{1,7}[\- ]| [0-9]{1,7}[\-.])[0-9]"
_MIXED_RUN = re.compile(r"[0-9]+(?:[\-./ ][0-9]+){2,}")
# A lone digit set off by a space at either end is no group of it (``…-681311
# 2``: a number after a value, as text has it — every fifth sentence of the
# speed text).
_EDGE_DIGIT = re.compile(r"^[0-9] | [0-9]$")


def _mixed_value(stretch: str) -> bool:
    return _id_length(stretch) and len(set(re.findall(r"[\-./ ]", stretch))) > 1


def _mixed(run: str) -> tuple[str, ...]:
    """The run, with two kinds of separator and an identifier's digits, read
    as one number (at its dashes it is no form). Not its stretches between
    spaces, as reversed digits are: groups of any size cut from a regrouped
    card failing its check made a valid My Number 1 time in 11."""
    run = _EDGE_DIGIT.sub("", run)
    return ("".join(_DIGIT_GROUP.findall(run)),) if _mixed_value(run) else ()


# ---- numerals in words or characters the normaliser does not read: native
# Korean numerals (하나 둘 셋), zero as 영, 공 or 빵; and formal numerals, 大字
# in Japanese and 갖은자 in Korean (壱弐参, 壹貳參…), often beside plain kanji.
_KO = {
    "영": "0", "공": "0", "빵": "0", "하나": "1", "둘": "2", "셋": "3", "넷": "4",
    "다섯": "5", "여섯": "6", "일곱": "7", "여덟": "8", "아홉": "9",
}  # fmt: skip
_FORMAL = {
    "零": "0", "壱": "1", "壹": "1", "弌": "1", "弐": "2", "貳": "2", "貮": "2", "弍": "2",
    "参": "3", "參": "3", "弎": "3", "肆": "4", "伍": "5", "陸": "6", "漆": "7", "柒": "7",
    "捌": "8", "玖": "9",
}  # fmt: skip
# Plain kanji beside a formal numeral, which the normaliser then leaves as typed.
_KANJI = dict(zip("〇一二三四五六七八九", "0123456789", strict=True))
_NUMERALS = _KO | _FORMAL | _KANJI
# Digits too: the normaliser reads 영 and 공 (Sino-Korean zero) and plain kanji as
# digits already.
_NUMERAL = "(?:" + "|".join(sorted(_NUMERALS, key=len, reverse=True)) + "|[0-9])"
_KO_WORD = "(?:" + "|".join(sorted(_KO, key=len, reverse=True)) + "|[0-9])"
_KO_GAP = r"[\s,.·\-]{0,3}"
_NUMERAL_GAP = r"[\s,.·、・\-－]{0,3}"
_NUMERAL_RUN = re.compile(rf"{_NUMERAL}(?:{_NUMERAL_GAP}{_NUMERAL}){{5,}}")
# Three in a row, one of them no zero word (공공 and 영 are words of their own);
# or a formal numeral beside a digit or another (参加, 陸上 are words).
_KO_NONZERO = "(?:" + "|".join(w for w in _KO if _KO[w] != "0") + ")"
_FORMAL_ONE = "[" + "".join(_FORMAL) + "]"
_DIGITS = "".join(_KANJI)
_NUMERALS_TRIGGER = "|".join(
    [_KO_GAP.join(_KO_NONZERO if i == which else _KO_WORD for i in range(3)) for which in range(3)]
    + [rf"{_FORMAL_ONE}[\s、,・\-]?[0-9{_DIGITS}]|[0-9{_DIGITS}][\s、,・\-]?{_FORMAL_ONE}"]
    + [rf"{_FORMAL_ONE}[\s、,・\-]?{_FORMAL_ONE}"]
)
_NUMERAL_FIND = re.compile(_NUMERAL)


def _from_numerals(run: str) -> str:
    words = _NUMERAL_FIND.findall(run)
    if all(w in "0123456789" for w in words):
        return ""  # digits alone are the structured detectors' to read
    return "".join(_NUMERALS.get(w, w) for w in words)


# ---- single digits with the same filler between every two (a word or a sign),
# a dash between groups allowed. The trigger: four digits with a word between
# them and spaces around it, or two with the same sign between them. Letters
# between digits, in any order, are ``glued_digits``' (gwanmun.detect.glued).
_FILLER_SIGNS = "_*#~+=|・と"
_FILLER_TRIGGER = "|".join(
    [r"[0-9] [^0-9 ]{1,6} [0-9] [^0-9 ]{1,6} [0-9] [^0-9 ]{1,6} [0-9]"]
    + [f"[0-9]{re.escape(c)}[0-9]{re.escape(c)}[0-9]" for c in _FILLER_SIGNS]
)
_FILLER_RUN = re.compile(
    r"(?<![0-9])[0-9](?:(?P<f>[^0-9\n\-]{1,8}?)[0-9](?:(?:(?P=f)|\s?-\s?)[0-9]){8,})(?![0-9])"
)


def _filler(run: str) -> str:
    """The digits of ``run``."""
    return "".join(c for c in run if "0" <= c <= "9")


def _same(run: str) -> str:
    return run


def disguises(inner: Sequence[Detector]) -> list[DecodedNumbers]:
    """One detector per disguise, each reading with ``inner``."""
    return [
        DecodedNumbers("base64_text", _B64_DIGITS, _B64_RUN, _from_base64, inner, readings=_texts),
        DecodedNumbers("hex_text", _HEX_TRIGGER, _HEX_RUN, _from_hex, inner, readings=_texts),
        DecodedNumbers(
            "reversed_digits",
            _REVERSE_CUE.pattern,
            _NUMBER_RUN,
            _same,
            inner,
            readings=_reversed,
            cue=_REVERSE_CUE,
        ),
        DecodedNumbers(
            "mixed_separators", _MIXED_TRIGGER, _MIXED_RUN, _same, inner, readings=_mixed
        ),
        DecodedNumbers("numeral_words", _NUMERALS_TRIGGER, _NUMERAL_RUN, _from_numerals, inner),
        DecodedNumbers(
            "digits_with_filler",
            _FILLER_TRIGGER,
            _FILLER_RUN,
            _filler,
            inner,
            readings=as_number(10),
        ),
    ]
