"""Classification and handling markings (shared/spec/identifiers.md §3.3).  [pure]

Registered as ``markings`` (kind MARKING). The policy grades each marking by
its text (``gwanmun.policy.marking_grade``); the score here is how sure we are
that the text is a marking, not a word: 秘 counts only when set off as a
marking (【秘】, ㊙, alone on a line), never in 秘書 or 神秘; SECRET and
CONFIDENTIAL only in capitals or after "Classification:"; 대외비 not in 대외비용.

A marking spelled out letter by letter — ``[대 외 비]``, ``【部 外 秘】``,
``대.외.비``, ``極 秘``, ``S-E-C-R-E-T`` — is the same marking: every letter
of the word set apart by the same separator (one to three spaces, dots,
middle dots, hyphens, slashes …). The same separator throughout, and every
gap filled, is what a person spelling a word out does; prose does not
(``대외 비용``, ``部外 秘書`` stay words).
"""

from __future__ import annotations

import re
import unicodedata

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import folds_to_ascii, make
from gwanmun.text import SPELLING_GAPS, normalize
from gwanmun.types import Finding

# The case-insensitive rules' words, looked for in the lower-cased text (such a
# rule is simply run when the text holds a character the regex folds to ASCII and
# lower() does not: ı, ſ, K, İ).
_FOLDED = ("classif", "marking")
_FOLDED_EN = ("secret", "confidential", "restricted", "internal use")
_FOLDED_NEEDS = frozenset({_FOLDED, _FOLDED_EN})
# English marking words in any case: a marking only when set off as one —
# in brackets, or alone on its line — never in prose ("the secret to good soup",
# "this is confidential between us"), nor as a key ("secret:" in YAML; capitals
# and "Confidential" opening a line have their own rules).
_EN_WORDS = r"top[ -]?secret|strictly[ ]confidential|confidential|secret|restricted"
# How a grade of secret is numbered: Ⅱ급비밀 (II after normalisation), 2급, 이급.
_GRADE_NUMBER = "(?:III|II|I|[1-3]|일|이|삼)"
# Brackets that set a marking off from the text around it.
_OPEN = "【\\[「(〔<《"
_CLOSE = "】\\]」)〕>》"

# (pattern, score, strings one of which every match contains: the rule is run
# only on a text holding one; lower-cased where the pattern ignores case).
_RULES: tuple[tuple[re.Pattern[str], float, tuple[str, ...]], ...] = tuple(
    (re.compile(p, re.MULTILINE), s, needs)
    for p, s, needs in (
        # Korea
        (f"(?:군사[ ]?)?{_GRADE_NUMBER}[ ]?급[ ]?(?:군사[ ]?)?비밀(?!번호)", 0.99, ("비밀",)),
        (r"군사[ ]?(?:비밀|기밀)", 0.95, ("군사",)),
        (r"대외비(?![용])", 0.92, ("대외비",)),
        (r"對外秘", 0.92, ("對外秘",)),  # 대외비 in hanja
        (r"(?:부분공개|비공개)[ ]?\([ ]?[1-8][ ]?\)", 0.95, ("공개",)),
        # 극비 (top secret) and 비밀 set off as a marking; not 극비리에, 비밀번호 in prose
        (f"[{_OPEN}][ ]?(?P<v>극비|비밀)[ ]?[{_CLOSE}]", 0.95, ("극비", "비밀")),
        (r"^[ \t]*(?P<v>극비|비밀)[ \t]*[:：]?[ \t]*$", 0.9, ("극비", "비밀")),
        # Japan
        (r"特定秘密(?!保護)", 0.99, ("特定秘密",)),
        (r"極秘|厳秘|時限秘|㊙", 0.95, ("秘", "㊙")),
        (r"取扱厳重注意|取扱注意|取り扱い注意", 0.88, ("注意",)),
        (r"部外秘|社外秘|関係者限り|関係者外秘", 0.9, ("秘", "関係者限り")),
        (r"機密性[ ]?[23](?![0-9])", 0.92, ("機密性",)),
        (r"[【\[「(〔<《][ ]?秘[ ]?[】\]」)〕>》]", 0.95, ("秘",)),
        (r"^[ \t]*秘[ \t]*(?:$|[:：])", 0.9, ("秘",)),
        # English
        (r"\bTOP[ ]?SECRET\b", 0.99, ("SECRET",)),
        (r"(?<![A-Za-z])SECRET(?![A-Za-z])", 0.85, ("SECRET",)),
        (r"(?<![A-Za-z])CONFIDENTIAL(?![A-Za-z])", 0.85, ("CONFIDENTIAL",)),
        (r"^[ \t]*Confidential\b", 0.8, ("Confidential",)),
        (r"(?i:classification|classified|marking)[ ]?:[ ]?(?P<v>(?i:top secret|secret|"
         r"confidential|restricted))", 0.95, _FOLDED),
        (f"[{_OPEN}][ ]?(?P<v>(?i:{_EN_WORDS}))[ ]?[{_CLOSE}]", 0.9, _FOLDED_EN),
        (f"^[ \\t]*(?P<v>(?i:{_EN_WORDS}))[ \\t]*$", 0.85, _FOLDED_EN),
        (r"(?i:\binternal[ ]use[ ]only\b)", 0.85, _FOLDED_EN),
        # a banner with its control markings: Top Secret//NOFORN, secret//rel to usa
        (r"(?<![A-Za-z/.])(?P<v>(?i:top[ -]?secret|secret|confidential))(?=[ ]?//[ ]?[A-Za-z])",
         0.9, _FOLDED_EN),
        (r"\bINTERNAL[ ]USE[ ]ONLY\b|\bINTERNAL[ ]ONLY\b|\bFOR[ ]OFFICIAL[ ]USE[ ]ONLY\b|"
         r"\bFOUO\b", 0.85, ("ONLY", "FOUO")),
    )
)  # fmt: skip


# ---- markings in disguise ----------------------------------------------------------
# Letters a reader takes for the marking's (Cyrillic and Greek capitals, digits,
# signs): SECRET as СЕКRЕТ or 5ECRE7. Capitals only, as the plain rules.
_LOOK_ALIKES = {
    "A": "АΑ4", "B": "ВΒ8", "C": "С", "E": "ЕΕ3", "I": "ІΙ1|", "K": "КΚ", "L": "1",
    "N": "Ν", "O": "ОΟ0", "P": "РΡ", "S": "Ѕ5$", "T": "ТΤ7",
}  # fmt: skip
_EN_DISGUISED = (("TOP SECRET", 0.99), ("SECRET", 0.85), ("CONFIDENTIAL", 0.85))


def _looking(word: str) -> str:
    """``word`` with each letter or any of its look-alikes; a space as an
    optional space or hyphen."""
    return "".join(
        "[ -]?" if c == " " else "[" + re.escape(c + _LOOK_ALIKES.get(c, "")) + "]" for c in word
    )


# Hangul typed in separate jamo (ㄷㅐㅇㅗㅣㅂㅣ: after normalisation conjoining jamo,
# a final consonant typed as an initial one, a compound vowel as its two parts),
# any syllable of the word composed or not.
_VOWEL_PARTS = {
    "\u116a": "\u1169\u1161", "\u116b": "\u1169\u1162", "\u116c": "\u1169\u1175",
    "\u116f": "\u116e\u1165", "\u1170": "\u116e\u1166", "\u1171": "\u116e\u1175",
    "\u1174": "\u1173\u1175",
}  # fmt: skip
_FINAL_AS_INITIAL = {
    "\u11a8": "\u1100", "\u11ab": "\u1102", "\u11ae": "\u1103", "\u11af": "\u1105",
    "\u11b7": "\u1106", "\u11b8": "\u1107", "\u11ba": "\u1109", "\u11bc": "\u110b",
}  # fmt: skip
_JAMO = "\u1100-\u11ff"


def _syllable(s: str) -> str:
    """``s`` composed, or in jamo as typed: its vowel whole or in parts, its final
    as a final or an initial consonant — and each of those with its first jamo
    composed again (normalising a second time composes what it can)."""
    lead, vowel, *final = list(unicodedata.normalize("NFD", s))
    forms = {s}
    for vowels in {vowel, _VOWEL_PARTS.get(vowel, vowel)}:
        for end in {*final, *(_FINAL_AS_INITIAL.get(f, f) for f in final)} or {""}:
            typed = lead + vowels + end
            forms |= {typed, unicodedata.normalize("NFC", typed)}
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"


def _in_jamo(word: str) -> str:
    return "[ ]?".join(_syllable(s) for s in word)


_KO_DISGUISED = (
    ("대외비", 0.92, _in_jamo("대외비")),
    ("군사비밀", 0.95, _in_jamo("군사") + "[ ]?" + _in_jamo("비밀")),
    ("군사기밀", 0.95, _in_jamo("군사") + "[ ]?" + _in_jamo("기밀")),
    (
        "3급비밀",
        0.99,
        _GRADE_NUMBER + "[ ]?" + _in_jamo("급") + "[ ]?" + _in_jamo("비밀"),
    ),
)
# 祕, the older form of 秘, in the Japanese markings and 對外秘.
_HANJA_DISGUISED = tuple(
    (w, score, re.escape(w.replace("秘", "祕")))
    for w, score in (
        ("特定秘密", 0.99), ("極秘", 0.95), ("厳秘", 0.95), ("時限秘", 0.95), ("部外秘", 0.9),
        ("社外秘", 0.9), ("関係者外秘", 0.9), ("對外秘", 0.92),
    )
)  # fmt: skip
# Per way of disguise: a gate (the text holds such a thing at all), then
# (pattern, score, the plain word it stands for, what a disguise holds that the
# plain word does not): a match without such a character is the plain rules'.
# An English rule opens with its first letter's class and looks behind after (a
# pattern that opens with a lookbehind is tried at every position: 4x slower).
_Disguise = tuple[re.Pattern[str], float, str, re.Pattern[str]]
_DISGUISED: tuple[tuple[re.Pattern[str], tuple[_Disguise, ...]], ...] = tuple(
    (
        re.compile(gate),
        tuple((re.compile(p), score, word, re.compile(shows)) for p, score, word, shows in rules),
    )
    for gate, rules in (
        (
            "|".join(_looking(w) for w, _ in _EN_DISGUISED),
            [
                (_looking(w[0]) + "(?<![A-Za-z].)" + _looking(w[1:]) + "(?![A-Za-z])",
                 score, w, r"[^A-Z \-]")
                for w, score in _EN_DISGUISED
            ],
        ),
        (f"[{_JAMO}]", [(p, score, w, f"[{_JAMO}]") for w, score, p in _KO_DISGUISED]),
        (
            "祕",
            [
                *((p, score, w, "祕") for w, score, p in _HANJA_DISGUISED),
                (f"[{_OPEN}][ ]?祕[ ]?[{_CLOSE}]", 0.95, "秘", "祕"),
            ],
        ),
    )
)  # fmt: skip
# What every disguised marking holds, for the trigger: the English words with
# look-alikes, the Korean words with jamo, 祕.
_DISGUISED_TRIGGER = "|".join(
    [_looking(w) for w, _ in _EN_DISGUISED] + [p for _, _, p in _KO_DISGUISED] + ["祕"]
)


def plain_marking(value: str) -> str:
    """The marking word a disguised marking stands for (``СЕКRЕТ`` → SECRET,
    ``대오ᅵ비`` → 대외비, in the detectors' normalised text), else ``value``."""
    if any("\u3131" <= c <= "\u318e" for c in value):  # compatibility jamo, as typed
        value = normalize(value).text
    for _, rules in _DISGUISED:
        for pattern, _, word, _ in rules:
            if pattern.fullmatch(value):
                return word
    return value


# Marking words a user may space out letter by letter, with their score; a
# separator between letters is one of these characters, one to three of them.
SPACED_WORDS: tuple[tuple[str, float], ...] = (
    ("대외비", 0.92), ("군사비밀", 0.95), ("군사기밀", 0.95),
    *((f"{n}급비밀", 0.99) for n in ("1", "2", "3", "I", "II", "III")),
    ("特定秘密", 0.99), ("極秘", 0.95), ("厳秘", 0.95), ("時限秘", 0.95),
    ("部外秘", 0.9), ("社外秘", 0.9), ("関係者外秘", 0.9), ("取扱注意", 0.88),
    ("取扱厳重注意", 0.88), ("TOPSECRET", 0.99), ("SECRET", 0.85), ("CONFIDENTIAL", 0.85),
)  # fmt: skip
_GAP = f"[{SPELLING_GAPS}]{{1,3}}"
# Not inside a longer word spelled the same way: 대 외 비 용 (external costs).
_SPACED_NOT_AFTER = {"대외비": "(?!(?P=gap)용)"}


def _spaced(word: str, *, consistent: bool) -> str:
    """``word`` with a gap between every two letters: the same gap throughout
    (a back-reference: Python's regex), or any gaps (a trigger: hyperscan has
    no back-references, and a trigger may match more than the rule)."""
    letters = [re.escape(c) for c in word]
    if not consistent:
        return _GAP.join(letters)
    return letters[0] + f"(?P<gap>{_GAP})" + "(?P=gap)".join(letters[1:])


# Each rule opens with the word's first letter and looks behind it after:
# a pattern that opens with a lookbehind is tried at every position of the
# text (the spaced rules doubled this detector's time on 100 KB of prose).
_SPACED_RULES = tuple(
    (
        re.compile(
            re.escape(word[0])
            + "(?<![A-Za-z].)"
            + _spaced(word, consistent=True)[len(re.escape(word[0])) :]
            + "(?![A-Za-z])(?!(?P=gap)[A-Za-z](?![A-Za-z]))"  # not S E C R E T S
            + _SPACED_NOT_AFTER.get(word, "")
        ),
        score,
        (word[-1],),
    )
    for word, score in SPACED_WORDS
)
_SPACED_TRIGGER = "|".join(_spaced(word, consistent=False) for word, _ in SPACED_WORDS)
# Any spaced word, with any gaps: every spaced rule's match is one of its
# matches, so a text without one is not tried with the 21 spaced rules (their
# last letters, 비 밀 秘 T L …, are in most texts; the rules cost 3-4x this).
_SPACED_ANY = re.compile(_SPACED_TRIGGER)

# A Korean or Japanese marking with gaps in some places only (대외 비, 대-외비,
# 部外 秘): the word must end where the letters of its script end (대외 비용,
# 部外 秘書 are words) and start where they start. A gap between every two
# letters is the spaced rules' (with their exceptions), none the plain rules'.
_HANGUL_OR_CJK = "가-힣\u3040-\u30ff\u4e00-\u9fff"
_UNEVEN_WORDS = tuple((w, s) for w, s in SPACED_WORDS if not w.isascii())
_UNEVEN_GAP = f"[{SPELLING_GAPS}]{{0,3}}"
_UNEVEN_RULES = tuple(
    (
        re.compile(
            re.escape(word[0])
            + f"(?<![{_HANGUL_OR_CJK}].)"
            + "".join(_UNEVEN_GAP + re.escape(c) for c in word[1:])
            + f"(?![{_HANGUL_OR_CJK}])"
        ),
        score - 0.05,
        word,
    )
    for word, score in _UNEVEN_WORDS
)
_UNEVEN_TRIGGER = "|".join(_UNEVEN_GAP.join(re.escape(c) for c in w) for w, _ in _UNEVEN_WORDS)
_UNEVEN_ANY = re.compile(_UNEVEN_TRIGGER)
# Letters each set apart (대 외 비, 대-외-비): the spaced rules' forms, with
# their own exceptions (대 외 비 용: external costs, spelled out).
_EVEN = re.compile(f"[^{SPELLING_GAPS}](?:[{SPELLING_GAPS}]{{1,3}}[^{SPELLING_GAPS}])+")

# Every marking contains one of these: texts without any skip the rules entirely.
_TRIGGER = (
    r"비밀|기밀|대외비|공개|秘|㊙|注意|限り|機密性|SECRET|CONFIDENTIAL|Confidential|ONLY|FOUO"
    r"|극비|(?i:classification|classified|marking|secret|confidential|restricted|internal use)|"
    + _SPACED_TRIGGER
    + "|"
    + _UNEVEN_TRIGGER
    + "|"
    + _DISGUISED_TRIGGER
)
_HINT = re.compile("급|" + _TRIGGER)


class Markings:
    # Every rule's match holds one of these (see gwanmun.detect.TriggerIndex).
    trigger = _TRIGGER
    id = "markings"
    kinds = ("MARKING",)

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        if not _HINT.search(text):
            return found
        rules = _RULES + _SPACED_RULES if _SPACED_ANY.search(text) else _RULES
        folded: str | None = None
        for pattern, score, needs in rules:
            if needs in _FOLDED_NEEDS:
                if not folds_to_ascii(text):
                    if folded is None:
                        folded = text.lower()
                    if not any(word in folded for word in needs):
                        continue
            elif not any(word in text for word in needs):
                continue
            for m in pattern.finditer(text):
                group = "v" if m.groupdict().get("v") else 0
                start, end = m.start(group), m.end(group)
                # Report the marking word itself, without brackets or line padding.
                value = text[start:end]
                if "秘" in value and len(value.strip()) > 1 and value.strip()[0] in "【[「(〔<《":
                    start = text.index("秘", start)
                    end = start + 1
                elif value.strip() != value:
                    start += len(value) - len(value.lstrip())
                    end = start + len(value.strip().rstrip(":："))
                found.append(make("MARKING", start, end, score, self.id))
        for gate, disguised in _DISGUISED:
            if not gate.search(text):
                continue
            for pattern, score, _, shows in disguised:
                for m in pattern.finditer(text):
                    if shows.search(m.group()) and not any(
                        f.start == m.start() and f.end == m.end() for f in found
                    ):
                        found.append(make("MARKING", m.start(), m.end(), score, self.id))
        if _UNEVEN_ANY.search(text):
            for pattern, score, word in _UNEVEN_RULES:
                if word[-1] not in text:
                    continue
                for m in pattern.finditer(text):
                    start, end = m.span()
                    gaps = end - start - len(word)  # characters between the letters
                    if (
                        gaps <= 0
                        or _EVEN.fullmatch(m.group())
                        or any(f.start < end and start < f.end for f in found)
                    ):
                        continue  # no gap, or every gap filled: the rules above judge it
                    found.append(make("MARKING", start, end, score, self.id))
        return found


REGISTRY.register(Markings())
