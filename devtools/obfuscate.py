"""Valid identifiers written the way a determined user would write them to get
past the guard: other numerals and look-alike digits, any separator between the
groups, digits one by one, invisible characters between them.

Shared by the red-team tests (hypothesis draws a ``random.Random``) and the
seeded obfuscated set in bench/quality/eval_obfuscated.py, so both attack with
the same forms. Values are generated, valid per shared/spec/identifiers.md
(checksums computed): no real person's number.
"""

from __future__ import annotations

import base64
import random
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from gwanmun.digits import HOMOGLYPHS

# Kinds the generator makes, with the digit groups each is usually written in.
GROUPS: dict[str, tuple[int, ...]] = {
    "KR_RRN": (6, 7),
    "JP_MY_NUMBER": (4, 4, 4),
    "PHONE": (3, 4, 4),
    "KR_BRN": (3, 2, 5),
    "CREDIT_CARD": (4, 4, 4, 4),
}

_HANGUL = "공일이삼사오육칠팔구"
_KANJI = "〇一二三四五六七八九"
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
_DINGBAT = "⓿❶❷❸❹❺❻❼❽❾"
_FULLWIDTH = "０１２３４５６７８９"


def _bold(d: str) -> str:
    return chr(0x1D7CE + int(d))


def _keycap(d: str) -> str:
    return d + "\ufe0f\u20e3"


# How each digit is written, by name.
RENDERINGS: dict[str, Callable[[str], str]] = {
    "ascii": lambda d: d,
    "fullwidth": lambda d: _FULLWIDTH[int(d)],
    "hangul": lambda d: _HANGUL[int(d)],
    "kanji": lambda d: _KANJI[int(d)],
    "circled": lambda d: _CIRCLED[int(d)],
    "dingbat": lambda d: _DINGBAT[int(d)],
    "bold": _bold,
    "keycap": _keycap,
    "accented": lambda d: d + "\u0301",
}
# What stands between two digit groups.
SEPARATOR_RUNS = (
    "-", " ", ".", "/", "~", "_", ",", ":", "·", "=", "+", "|", "--", " - ", " -- ", "\n",
    "\r\n", "  ", " / ", "・", "、", "〜", "—", "–", "ー", "\u200b", "-\u200b",
)  # fmt: skip
# What stands between two digits written one by one.
ONE_BY_ONE = (" ", ".", "-")
# Kinds whose digits a user may regroup into other group sizes (the lengths
# gwanmun.digits.close_regrouped reads), and what joins the groups.
REGROUPABLE = frozenset({"KR_RRN", "JP_MY_NUMBER", "CREDIT_CARD", "PHONE"})
REGROUP_JOINTS = ("-", " ", ".")


@dataclass(frozen=True, slots=True)
class Obfuscated:
    kind: str
    value: str  # the digits
    typed: str  # as written
    how: str  # the rendering and layout, for reports
    lead: str = ""  # words said just before it that a reader needs (거꾸로: …)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _weighted(d12: str) -> int:
    return sum(int(a) * b for a, b in zip(d12, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))


def rrn(rng: random.Random) -> str:
    gender = rng.choice("1234")
    year = rng.randrange(50, 100) if gender in "12" else rng.randrange(0, 20)
    d = f"{year:02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{gender}" + _digits(rng, 5)
    return d + str((11 - _weighted(d) % 11) % 10)


def rrn_since_2020(rng: random.Random) -> str:
    """A resident number of someone born from October 2020 to 2025: gender digit 3
    or 4, then six random digits — no check digit since October 2020."""
    year = rng.randrange(20, 26)
    month = rng.randrange(10 if year == 20 else 1, 13)
    return f"{year:02d}{month:02d}{rng.randrange(1, 29):02d}{rng.choice('34')}" + _digits(rng, 6)


def my_number(rng: random.Random) -> str:
    d = str(rng.randrange(1, 10)) + _digits(rng, 10)
    r = sum(int(a) * b for a, b in zip(d, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    return d + str(0 if r <= 1 else 11 - r)


def phone(rng: random.Random) -> str:
    head = rng.choice(("010", "090", "080", "070"))
    region = "KR" if head == "010" else "JP"
    while True:  # a number in a range in use, and no placeholder (010-0000-0000)
        rest = str(rng.randrange(2, 10)) + _digits(rng, 7)
        number = phonenumbers.parse(head + rest, region)
        if len(set(rest)) > 2 and rest[-4:] != "0000" and phonenumbers.is_valid_number(number):
            return head + rest


def brn(rng: random.Random) -> str:
    d = f"{rng.randrange(101, 999)}{rng.randrange(1, 80):02d}" + _digits(rng, 4)
    total = sum(int(d[i]) * k for i, k in enumerate((1, 3, 7, 1, 3, 7, 1, 3)))
    x = int(d[8]) * 5
    return d + str((10 - (total + x + x // 10) % 10) % 10)


def card(rng: random.Random) -> str:
    d = rng.choice("45") + _digits(rng, 14)
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return d + str((10 - total % 10) % 10)


MAKERS: dict[str, Callable[[random.Random], str]] = {
    "KR_RRN": rrn,
    "JP_MY_NUMBER": my_number,
    "PHONE": phone,
    "KR_BRN": brn,
    "CREDIT_CARD": card,
}


def write(rng: random.Random, kind: str, value: str) -> Obfuscated:
    """``value`` (digits) written in one random rendering and layout."""
    rendering = rng.choice(sorted(RENDERINGS))
    render = RENDERINGS[rendering]
    groups, pos = [], 0
    for size in GROUPS[kind]:
        groups.append(value[pos : pos + size])
        pos += size
    layouts = ["grouped", "grouped", "one-by-one", "homoglyph", "invisible"]
    if kind in REGROUPABLE:
        layouts.append("regrouped")
    if rendering in ("hangul", "kanji"):
        layouts.append("positional")
    layout = rng.choice(layouts)
    if layout == "positional":
        separator = rng.choice(SEPARATOR_RUNS)
        typed = separator.join(said_aloud(g, rendering) for g in groups)
        return Obfuscated(
            kind, value, typed, f"{rendering}, positional, separated by {separator!r}"
        )
    if layout == "regrouped":
        groups = _regrouped(rng, value, GROUPS[kind])
    if layout == "homoglyph":
        rendering = "ascii"
        render = RENDERINGS["ascii"]
    if layout == "one-by-one":
        joint = rng.choice(ONE_BY_ONE)
        between = rng.choice((" - ", "-", joint)) if joint != "-" else joint
        typed = between.join(joint.join(render(d) for d in g) for g in groups)
        how = f"{rendering}, one by one with {joint!r}, groups by {between!r}"
    else:
        separator = rng.choice(REGROUP_JOINTS if layout == "regrouped" else SEPARATOR_RUNS)
        written = [_homoglyphs(rng, g) if layout == "homoglyph" else g for g in groups]
        if layout == "invisible":
            written = ["\u200b".join(g) for g in written]
        typed = separator.join("".join(render(c) if c.isdigit() else c for c in g) for g in written)
        how = f"{rendering}, {layout}, separated by {separator!r}"
    return Obfuscated(kind, value, typed, how)


# Units of numbers said aloud: 천이백삼십사, 千二百三十四 (gwanmun.digits.UNITS).
_SAID_UNITS = {"hangul": "십백천만", "kanji": "十百千万"}
# How a group of each length is cut into numbers said aloud (구십 공일 공일).
_SAID_CHUNKS = {6: (2, 2, 2), 7: (3, 4), 8: (4, 4)}


def said_aloud(group: str, rendering: str) -> str:
    """``group`` as a person reads it aloud: chunks said with units (900101 →
    구십 공일 공일, 1234 → 천이백삼십사); a chunk opening with 0 digit by digit."""
    numerals = _HANGUL if rendering == "hangul" else _KANJI
    chunks, pos = [], 0
    for size in _SAID_CHUNKS.get(len(group), (len(group),)):
        chunks.append(group[pos : pos + size])
        pos += size
    said = []
    for chunk in chunks:
        if chunk.startswith("0"):
            said.append("".join(numerals[int(d)] for d in chunk))
            continue
        words = []
        for power, d in zip(range(len(chunk) - 1, -1, -1), chunk, strict=True):
            if d == "0":
                continue
            digit = "" if d == "1" and power else numerals[int(d)]
            words.append(digit + (_SAID_UNITS[rendering][power - 1] if power else ""))
        said.append("".join(words))
    return " ".join(said)


def _regrouped(rng: random.Random, value: str, usual: tuple[int, ...]) -> list[str]:
    """``value`` cut into three to five groups of two to five digits, not its
    usual grouping (9001-0112-34568, 900-101-123-4568)."""
    while True:
        sizes: list[int] = []
        while sum(sizes) < len(value):
            sizes.append(min(rng.randrange(2, 6), len(value) - sum(sizes)))
        if 3 <= len(sizes) <= 5 and tuple(sizes) != usual and min(sizes) >= 2:
            break
    groups, pos = [], 0
    for size in sizes:
        groups.append(value[pos : pos + size])
        pos += size
    return groups


def _homoglyphs(rng: random.Random, group: str) -> str:
    """O for 0 and l for 1 where they stand between two digits of the group."""
    chars = list(group)
    for i in range(1, len(chars) - 1):
        if chars[i] in "01" and rng.random() < 0.7:
            chars[i] = "O" if chars[i] == "0" else "l"
    return "".join(chars)


def generate(rng: random.Random, kind: str) -> Obfuscated:
    return write(rng, kind, MAKERS[kind](rng))


# Sentences a value is put in: (before, after), per kind, in Korean, Japanese and
# English; a space between the value and its words, as people type.
FRAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "KR_RRN": (("주민등록번호 ", " 입니다"), ("RRN: ", " thanks"), ("확인용 번호 ", " 로 조회")),
    "JP_MY_NUMBER": (("マイナンバーは ", " です"), ("個人番号 ", " 。"), ("my number ", " ok")),
    "PHONE": (("연락처 ", " 로 전화"), ("電話 ", " まで"), ("call me at ", " today")),
    "KR_BRN": (("사업자등록번호 ", " 입니다"), ("business no ", " ok")),
    "CREDIT_CARD": (("카드번호 ", " 로 결제"), ("card ", " please"), ("カード ", " で決済")),
}  # fmt: skip


# Spelled-out values that are no digits: e-mail addresses with "at" and "dot"
# words, classification markings with their letters set apart.
AT_WORDS = (" (at) ", "(at)", " [at] ", " [AT] ", " {at} ", " at ", " 골뱅이 ", "골뱅이", " 앳 ",
            " アットマーク ", "アットマーク", " アット ", "@")  # fmt: skip
DOT_WORDS = (" (dot) ", "(dot)", " [dot] ", " [DOT] ", " dot ", " 점 ", "점", " 닷 ", " ドット ",
             "ドット", ".")  # fmt: skip
DOMAINS = (("example", "com"), ("city", "go", "kr"), ("mail", "co", "jp"), ("corp", "net"))
# Markings graded C (a grade-S backend must never receive them) and S.
MARKINGS_C = ("대외비", "極秘", "特定秘密", "TOP SECRET", "2급비밀", "군사기밀", "SECRET")
MARKINGS_S = ("部外秘", "社外秘", "取扱注意", "CONFIDENTIAL")
MARKING_GAPS = (" ", "  ", ".", "·", "・", "-", "_", "*", "/", " . ", "|")
SPELLED_FRAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "EMAIL": (("메일은 ", " 로 보내 주세요"), ("連絡先は ", " です"), ("write to ", " today")),
    "MARKING": (("[", "] 회의 결과 보고"), ("【", "】会議資料"), ("", "\n본 문서는 내부 검토용"),
                ("Classification ", " - do not forward")),
}  # fmt: skip


def spelled_email(rng: random.Random) -> Obfuscated:
    """An address with at least one of its "@" and "." written as a word."""
    local = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(rng.randrange(5, 10)))
    labels = rng.choice(DOMAINS)
    while True:
        at, dot = rng.choice(AT_WORDS), rng.choice(DOT_WORDS)
        bare = at == " at " and dot != " dot "  # "met at google.com" is a place
        if (at, dot) != ("@", ".") and not bare and not (dot == " dot " and at != " at "):
            break
    typed = local + at + dot.join(labels)
    value = local + "@" + ".".join(labels)
    return Obfuscated("EMAIL", value, typed, f"at {at!r}, dot {dot!r}")


# Letters a reader takes for an English marking's: Cyrillic, Greek, digits.
_MARKING_LOOK_ALIKES = {
    "A": "АΑ4", "C": "С", "E": "ЕΕ3", "I": "ІΙ1", "O": "ОΟ0", "P": "РΡ", "S": "Ѕ5", "T": "ТΤ7",
}  # fmt: skip
_SPLIT_VOWEL = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ",
    "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
}  # fmt: skip


def _typed_in_jamo(rng: random.Random, syllable: str) -> str:
    """``syllable`` as a keyboard types its jamo (compatibility jamo; an initial,
    vowel and final each the letter of its name), a compound vowel sometimes in
    its two parts."""
    jamo = []
    for j in unicodedata.normalize("NFD", syllable):
        name = unicodedata.name(j)
        for position in ("CHOSEONG", "JUNGSEONG", "JONGSEONG"):
            name = name.replace(position, "LETTER")
        jamo.append(unicodedata.lookup(name))
    if rng.random() < 0.5:
        jamo = [_SPLIT_VOWEL.get(j, j) for j in jamo]
    return "".join(jamo)


def _disguised(rng: random.Random, word: str) -> tuple[str, str]:
    """``word`` as a reader still reads it: look-alike letters (English), some
    syllables in separate jamo (Korean), 祕 for 秘 — else letters set apart."""
    if word.isascii():
        letters = list(word)
        at = [i for i, c in enumerate(letters) if c in _MARKING_LOOK_ALIKES]
        for i in rng.sample(at, rng.randint(1, min(3, len(at)))):
            letters[i] = rng.choice(_MARKING_LOOK_ALIKES[letters[i]])
        return "".join(letters), "look-alike letters"
    if "秘" in word:
        return word.replace("秘", "祕"), "祕 for 秘"
    if any("가" <= c <= "힣" for c in word):
        hangul = [i for i, c in enumerate(word) if "가" <= c <= "힣"]
        chosen = set(rng.sample(hangul, rng.randint(1, len(hangul))))
        typed = "".join(_typed_in_jamo(rng, c) if i in chosen else c for i, c in enumerate(word))
        return typed, "syllables in jamo"
    gap = rng.choice(MARKING_GAPS)
    return gap.join(word.replace(" ", "")), f"letters set apart by {gap!r}"


def spelled_marking(rng: random.Random, *, grade_c_only: bool = False) -> Obfuscated:
    """A marking with the same gap between every two of its letters, or in
    disguise (``_disguised``)."""
    word = rng.choice(MARKINGS_C if grade_c_only else MARKINGS_C + MARKINGS_S)
    if rng.random() < 0.5:
        typed, how = _disguised(rng, word)
        return Obfuscated("MARKING", word, typed, how)
    gap = rng.choice(MARKING_GAPS)
    typed = gap.join(word.replace(" ", ""))
    return Obfuscated("MARKING", word, typed, f"letters set apart by {gap!r}")


SPELLED: dict[str, Callable[[random.Random], Obfuscated]] = {
    "EMAIL": spelled_email,
    "MARKING": spelled_marking,
}


# ---- numbers a reader (or a model) decodes: spelled, escaped, quoted ----------------

_EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_KANA_DIGITS = (
    ("ぜろ", "れい", "ゼロ", "まる"), ("いち", "イチ"), ("に", "ニ"), ("さん", "サン"),
    ("よん", "ヨン"), ("ご", "ゴ"), ("ろく", "ロク"), ("なな", "ナナ", "しち"),
    ("はち", "ハチ"), ("きゅう", "キュウ"),
)  # fmt: skip


def split(kind: str, value: str) -> list[str]:
    """``value`` in ``kind``'s usual digit groups."""
    out, at = [], 0
    for size in GROUPS[kind]:
        out.append(value[at : at + size])
        at += size
    return out


def _english_words(rng: random.Random, kind: str, value: str) -> str:
    inside = rng.choice((" ", " ", ", ", "-"))
    between = rng.choice((", ", " dash ", " - ", " ", "; "))
    cased = rng.choice((str.lower, str.lower, str.title, str.upper))
    words = [inside.join(_EN_DIGITS[int(d)] for d in g) for g in split(kind, value)]
    return cased(between.join(words))


def _kana_words(rng: random.Random, kind: str, value: str) -> str:
    inside = rng.choice(("、", " ", "", "・"))
    between = rng.choice(("、", " ", "ー", "-", "の"))
    pick = [rng.choice(_KANA_DIGITS[d]) for d in range(10)]
    return between.join(inside.join(pick[int(d)] for d in g) for g in split(kind, value))


def _references(rng: random.Random, kind: str, value: str) -> str:
    typed = rng.choice(("-", " ", "")).join(split(kind, value))
    out = []
    for c in typed:
        form = rng.choice(("dec", "dec", "hex", "as is") if c.isdigit() else ("as is", "dec"))
        out.append(f"&#{ord(c)};" if form == "dec" else f"&#x{ord(c):x};" if form == "hex" else c)
    if "&#" not in "".join(out):
        out[0] = f"&#{ord(typed[0])};"
    return "".join(out)


def _escapes(rng: random.Random, kind: str, value: str) -> str:
    joint = rng.choice(("%2D", "%2d", "%20", "%2E", "%2B"))
    return joint.join(split(kind, value))


def _quoted(rng: random.Random, kind: str, value: str) -> str:
    left, right = rng.choice((('"', '"'), ("`", "`"), ("'", "'"), ("「", "」"), ("[", "]")))
    joint = rng.choice((", ", ",", "-", " ", " + ", "`-`"))
    return (right + joint + left).join(split(kind, value)).join((left, right))


# ---- numbers disguised so a model still recovers them: bytes in base64 or hex,
# digits reversed, mixed separators, native Korean numerals, fillers ------------

# Separators a value is written with, some groups plainly (base64 and hex encode them).
_PLAIN_JOINTS = ("-", "-", " ", "")


def _plain(rng: random.Random, kind: str, value: str) -> str:
    return rng.choice(_PLAIN_JOINTS).join(split(kind, value))


def _encoded_plain(rng: random.Random, kind: str, value: str) -> bytes:
    """The value, or a whole sentence naming it (one of its ``FRAMES``), as UTF-8."""
    plain = _plain(rng, kind, value)
    if rng.random() < 0.5:
        before, after = rng.choice(FRAMES[kind])
        plain = before + plain + after
    return plain.encode()


def _base64(rng: random.Random, kind: str, value: str) -> str:
    data = _encoded_plain(rng, kind, value)
    typed = (base64.urlsafe_b64encode if rng.random() < 0.2 else base64.b64encode)(data).decode()
    return typed.rstrip("=") if rng.random() < 0.3 else typed


def _hex(rng: random.Random, kind: str, value: str) -> str:
    data = _encoded_plain(rng, kind, value)
    pairs = [f"{b:02x}" for b in data]
    if rng.random() < 0.3:
        pairs = [p.upper() for p in pairs]
    form = rng.choice(("plain", "plain", "spaced", "colons", "escaped", "0x", "percent", "json"))
    if form == "escaped":
        return "".join("\\x" + p for p in pairs)
    if form == "0x":
        return " ".join(rng.choice(("0x", "0X")) + p for p in pairs)
    if form == "percent":  # every byte percent-escaped, digits too
        return "".join("%" + p for p in pairs)
    if form == "json":  # \u escapes; only the value's ASCII bytes, then
        return "".join("\\u00" + f"{ord(c):02x}" for c in _plain(rng, kind, value))
    return {"plain": "", "spaced": " ", "colons": ":"}[form].join(pairs)


# Words asking a reader to read the digits backwards, said before them.
REVERSE_CUES = ("거꾸로: ", "거꾸로 읽으면 ", "역순으로 ", "반대로 쓰면 ", "(reversed) ",
                "read it backwards: ", "逆から読んで ", "逆順で ")  # fmt: skip


def _reversed(rng: random.Random, kind: str, value: str) -> str:
    return _plain(rng, kind, value)[::-1]


def _mixed_separators(rng: random.Random, kind: str, value: str) -> str:
    """Regrouped (``_regrouped``), two or more kinds of separator between groups."""
    groups = _regrouped(rng, value, GROUPS[kind])
    while True:
        joints = [rng.choice(("-", ".", "/", " ", "_", "·")) for _ in groups[1:]]
        if len({"-" if j in "_·/" else j for j in joints}) > 1:  # as normalised
            break
    return groups[0] + "".join(j + g for j, g in zip(joints, groups[1:], strict=True))


_NATIVE = ("영", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉")


def _native_korean(rng: random.Random, kind: str, value: str) -> str:
    zero = rng.choice(("영", "공", "빵"))
    words = (zero, *_NATIVE[1:])
    inside = rng.choice((" ", " ", ", ", ""))
    between = rng.choice((" ", ", ", " - ", "-"))
    return between.join(inside.join(words[int(d)] for d in g) for g in split(kind, value))


# Formal numerals (大字, 갖은자) per digit, and the plain kanji written beside them.
_FORMAL_DIGITS = ("零", "壱壹", "弐貳", "参參", "肆", "伍", "陸", "漆柒", "捌", "玖")


def _formal_numerals(rng: random.Random, kind: str, value: str) -> str:
    """Each digit a formal numeral, or (a third of the time) the plain kanji, as
    大字 is written beside 四五六…; groups by a dash, a space or 、."""
    plain = rng.random() < 0.5

    def one(d: str) -> str:
        if plain and rng.random() < 0.33:
            return _KANJI[int(d)]
        return rng.choice(_FORMAL_DIGITS[int(d)])

    joint = rng.choice(("-", " ", "、", "－", ""))
    return joint.join("".join(one(d) for d in g) for g in split(kind, value))


# Fillers said between every two digits.
FILLERS = (" 그리고 ", " 다음 ", " and ", " then ", "x", "*", "_", "#", "と", " 하고 ", "~")


def _filler(rng: random.Random, kind: str, value: str) -> str:
    """The same filler between every two digits (a dash between groups half
    the time), or letters in alphabetical order from a random one between them."""
    if rng.random() < 0.35:
        first = rng.randrange(26 - len(value))
        letters = [chr(ord("a") + first + i) for i in range(len(value) - 1)]
        if rng.random() < 0.3:
            letters = [c.upper() for c in letters]
        return value[0] + "".join(c + d for c, d in zip(letters, value[1:], strict=True))
    filler = rng.choice(FILLERS)
    group_joint = rng.choice((filler, " - ", "-"))
    return group_joint.join(filler.join(g) for g in split(kind, value))


# Letters to glue: not O, o, I, l, which a reader takes for the digits 0 and 1.
_GLUE = "".join(c for c in string.ascii_letters if c not in HOMOGLYPHS)


def _glued(rng: random.Random, kind: str, value: str) -> str:
    """Latin letters glued to the number, set between its groups, or between
    every two of its digits (``x9001011234568``, ``9a0b0c…``)."""

    def letters() -> str:
        return "".join(rng.choice(_GLUE) for _ in range(rng.randint(1, 3)))

    groups = split(kind, value)
    style = rng.randrange(3)
    if style == 0:  # letters on one side or both, the groups as usual
        typed = rng.choice(("", "-", " ")).join(groups)
        before, after = rng.choice(((letters(), ""), ("", letters()), (letters(), letters())))
        return before + typed + after
    if style == 1:  # letters between the groups
        return letters() + "".join(g + letters() for g in groups[:-1]) + groups[-1]
    return "".join(d + letters() for d in value[:-1]) + value[-1]  # between every digit


ENCODINGS: dict[str, Callable[[random.Random, str, str], str]] = {
    "english words": _english_words,
    "kana words": _kana_words,
    "html references": _references,
    "percent escapes": _escapes,
    "quoted groups": _quoted,
    "letters glued": _glued,
    "base64": _base64,
    "hex": _hex,
    "reversed": _reversed,
    "mixed separators": _mixed_separators,
    "native korean": _native_korean,
    "formal numerals": _formal_numerals,
    "filler": _filler,
}
# The ones a reader decodes by reading each character or word as a digit
# (the rest need the bytes decoded, or the digits reversed or picked out).
WRITTEN_OUT = (
    "english words", "kana words", "html references", "percent escapes", "quoted groups",
    "letters glued",
)  # fmt: skip


def encoded(
    rng: random.Random, kind: str, how: str | None = None, value: str | None = None
) -> Obfuscated:
    """A valid value of ``kind`` (or ``value``) written in one of ``ENCODINGS``
    (``how``, or any); digits reversed are led by a word asking to reverse them."""
    value = value if value is not None else MAKERS[kind](rng)
    how = how or rng.choice(sorted(ENCODINGS))
    lead = rng.choice(REVERSE_CUES) if how == "reversed" else ""
    return Obfuscated(kind, value, ENCODINGS[how](rng, kind, value), how, lead)


# Kinds with a check digit, for look-alikes that fail it.
CHECKED = ("KR_RRN", "JP_MY_NUMBER", "KR_BRN", "CREDIT_CARD")


def check_failing(rng: random.Random, kind: str) -> str:
    """A number of ``kind``'s shape whose check digit fails (a resident number
    born before October 2020, when it still had one): no identifier."""
    value = MAKERS[kind](rng)
    return value[:-1] + str((int(value[-1]) + rng.randrange(1, 10)) % 10)


# ---- values in pieces the piecewise detector pairs ----------------------------------


@dataclass(frozen=True, slots=True)
class InPieces:
    """A valid value given in pieces inside ``text``: each piece's span."""

    kind: str
    value: str  # the digits
    text: str
    pieces: tuple[tuple[int, int], ...]
    how: str


def said_number(n: int) -> str:
    """``n`` (0-9999) said as a Sino-Korean number: 1990 → 천구백구십, 25 → 이십오."""
    if n == 0:
        return "공"
    words = []
    for power, unit in ((3, "천"), (2, "백"), (1, "십"), (0, "")):
        d = n // 10**power % 10
        if d:
            words.append(("" if d == 1 and power else _HANGUL[d]) + unit)
    return "".join(words)


# A birth date as it is written or said: (form, how) from year, month, day.
_MONTH_SAID = {6: "유", 10: "시"}  # 유월, 시월 as they are said


def _birth_date(rng: random.Random, year: int, month: int, day: int) -> tuple[str, str]:
    yy = year % 100
    form = rng.choice(("digits4", "digits2", "dotted", "dashed", "said4", "said2", "said-digits"))
    if form == "digits4":
        return f"{year}년 {month}월 {day}일", form
    if form == "digits2":
        return f"{yy:02d}년 {month:02d}월 {day:02d}일", form
    if form == "dotted":
        return rng.choice((f"{year}.{month}.{day}", f"{year}. {month}. {day}.")), form
    if form == "dashed":
        return f"{year}-{month:02d}-{day:02d}", form
    said_month = _MONTH_SAID.get(month) if rng.random() < 0.5 else None
    month_said = (said_month or said_number(month)) + "월"
    day_said = said_number(day) + "일"
    if form == "said4":
        year_said = said_number(year)
    elif form == "said2" and yy >= 10:
        year_said = said_number(yy)
    else:  # digit by digit: 구공년, 공오년
        year_said = _HANGUL[yy // 10] + _HANGUL[yy % 10]
    return f"{year_said}년 {month_said} {day_said}", form


# Sentences a birth date and a back half are put in: (before, between, after),
# or with the back half first when ``BACK_FIRST``.
DATE_FRAMES = (
    ("생년월일은 ", "{생}이고 뒷자리는 ", " 입니다"),
    ("", "{생}, 주민번호 뒷자리 ", " 입니다"),
    ("주민번호 ", " ", " 로 조회해 주세요"),
    ("주민등록번호는 ", "{생} - ", ""),
    ("생년월일 ", "{생}, 뒤 7자리 ", " 확인 부탁"),
)  # fmt: skip
BACK_FIRST = (("주민번호 뒷자리 ", ", 생년월일은 ", "{생}입니다"),)


def birth_date_aloud(rng: random.Random) -> InPieces:
    """A resident number given as a birth date written or said as a date
    (``1990년 1월 1일``, ``구십년 일월 일일생``, ``1990.1.1``) and its back
    half, with a word naming a resident number."""
    value = rrn_since_2020(rng) if rng.random() < 0.25 else rrn(rng)
    year = (1900 if value[6] in "12" else 2000) + int(value[:2])
    date, form = _birth_date(rng, year, int(value[2:4]), int(value[4:6]))
    rendering = rng.choice(("ascii", "ascii", "fullwidth", "hangul"))
    back = "".join(RENDERINGS[rendering](d) for d in value[6:])
    born = rng.choice(("", "생"))
    frames = DATE_FRAMES + BACK_FIRST
    before, between, after = (part.replace("{생}", born) for part in rng.choice(frames))
    first, second = (back, date) if before in {f[0] for f in BACK_FIRST} else (date, back)
    text = before + first + between + second + after
    a = (len(before), len(before) + len(first))
    b = (a[1] + len(between), a[1] + len(between) + len(second))
    return InPieces("KR_RRN", value, text, (a, b), f"date {form}, back half {rendering}")


# Cells that hold a figure ending in a digit, set between the two halves.
# (A row of bare figures, 2021 | 2022 | 2024, is figures: not generated.)
FIGURE_CELLS = ("2024-03-01", "2024.03.01", "2024/03/01", "2024. 3. 1", "3.5", "10:30", "A-12")
OTHER_CELLS = ("가나다", "총무과", "山田", "", "비고 없음")
CELL_JOINTS = (" | ", ",", "\t", "|", " , ")


def row_beside_figures(rng: random.Random) -> InPieces:
    """A resident number or My Number in two cells of one table row with a
    cell holding a figure that ends in a digit between them (``900101 |
    2024-03-01 | 1234568``), in a Markdown, CSV or tab-separated row."""
    kind = rng.choice(("KR_RRN", "JP_MY_NUMBER"))
    value = MAKERS[kind](rng)
    cut = 6 if kind == "KR_RRN" else rng.choice((4, 8))
    rendering = rng.choice(("ascii", "ascii", "fullwidth", "circled"))
    head, tail = (
        "".join(RENDERINGS[rendering](d) for d in part) for part in (value[:cut], value[cut:])
    )
    between = [rng.choice(FIGURE_CELLS)]
    if rng.random() < 0.4:
        between.insert(rng.randrange(2), rng.choice(OTHER_CELLS))
    joint = rng.choice(CELL_JOINTS)
    cells = [head, *between, tail]
    if rng.random() < 0.4:
        cells.insert(0, rng.choice(("홍길동", "1", "A-3")))
    piped = "|" in joint and rng.random() < 0.5
    lead = "| " if piped else ""
    text = lead + joint.join(cells) + (" |" if piped else "")
    at = len(lead) + sum(len(c) + len(joint) for c in cells[: cells.index(head)])
    a = (at, at + len(head))
    lo = at + sum(len(c) + len(joint) for c in cells[cells.index(head) : cells.index(tail)])
    return InPieces(kind, value, text, (a, (lo, lo + len(tail))), f"{rendering}, joint {joint!r}")


IN_PIECES: dict[str, Callable[[random.Random], InPieces]] = {
    "date said aloud": birth_date_aloud,
    "row beside figures": row_beside_figures,
}


# Dates in ordinary prose beside a seven-digit number that is no back half:
# the number makes a valid resident number with the date but nothing names
# one, or a resident-number word is near and the check digit fails.
DATE_PROSE = (
    "{date}에 개원했으며 문의 전화는 {n} 입니다",
    "{date} 접수, 접수번호 {n}",
    "주민센터 민원 {date} 처리, 문서번호 {n}",  # named, but the check digit fails
    "| {date} | 가나다 | {n} |",
    "The office opened on {date}; ticket {n}.",
)


def date_beside_number(rng: random.Random) -> str:
    """A negative: a date in prose and an unrelated seven-digit number. A date
    since October 2020 (a number without check digit) a quarter of the time:
    beside 주민센터, which names no resident number, it is still no half."""
    value = rrn_since_2020(rng) if rng.random() < 0.25 else rrn(rng)
    year = (1900 if value[6] in "12" else 2000) + int(value[:2])
    date, _ = _birth_date(rng, year, int(value[2:4]), int(value[4:6]))
    frame = rng.choice(DATE_PROSE)
    back = value[6:]
    if "주민" in frame:  # a naming word near: the number must fail the check digit
        check = (11 - _weighted(value[:12]) % 11) % 10
        back = back[:-1] + str((check + rng.randrange(1, 10)) % 10)
    return frame.format(date=date, n=back)
