"""Other readings of a text, for the injection check.  [pure]

Character n-grams see the letters as typed; a reader sees the words. Four ways
to write an attack keep the words for a reader and take them away from the
n-grams, and each has one reading that gives them back:

- **letter-spaced**: ``이 전 규 칙 은 무 시`` or ``ま.え.の.る.ー.る`` — the
  letters of each word set apart by spaces or punctuation. The reading closes up
  every run of four or more single letters.
- **Hangul in separate jamo**: ``ㅇㅣ전 ㅈㅣ시 ㅁㅜ시``. Per-character NFKC
  (``gwanmun.text.normalize``) turns compatibility jamo into conjoining ones but
  does not compose them; the reading composes every initial + vowel (+ final)
  into its syllable.
- **Korean in hanja**: ``以前 指示는 無視하고``. In text with Hangul and no kana
  (Korean, not Japanese), every hanja is read as its Hangul syllable (Unihan
  ``kHangul``, ``data/hanja_hangul.npz``), with the initial-sound rule at the
  start of a run (``規則`` 규칙, ``利用`` 이용).
- **romanised Japanese**: ``mae no shiji wa mushi shite`` or ``ko re ma de no``.
  When most Latin words of a text spell whole kana syllables (Hepburn, kunrei
  or nihon-shiki), the runs of such words are read as hiragana, closed up
  (``まえのしじはむしして``); English rarely passes (``ignore``, ``the``,
  ``password`` do not spell syllables).

``readings`` returns only the readings that differ from the text, so ordinary
text costs a few regular-expression scans. They are for scoring, not for
showing: a finding on a reading covers the whole text.
"""

from __future__ import annotations

import re
import threading

import numpy as np

from gwanmun import packaged

# Four or more one-letter words in a row, set apart by spaces or punctuation.
_SEP = r"[\s.·・,_/|*~\-]+"
_SPACED_RUN = re.compile(rf"(?<![^\W_])(?:[^\W_]{_SEP}){{3,}}[^\W_](?![^\W_])")
_SEPARATORS = re.compile(_SEP)
# An initial consonant followed by a vowel, both conjoining jamo (after NFKC).
_JAMO_PAIR = re.compile("[\u1100-\u1112][\u1161-\u1175]")

_L0, _L1 = 0x1100, 0x1112  # conjoining initial consonants (choseong)
_V0, _V1 = 0x1161, 0x1175  # conjoining vowels (jungseong)
# Final (jongseong) index of each initial consonant used as a final; 0: cannot end a syllable.
_FINAL = (1, 2, 4, 7, 0, 8, 16, 17, 0, 19, 20, 21, 22, 0, 23, 24, 25, 26, 27)


def readings(text: str) -> list[str]:
    """The readings of already normalised ``text`` that differ from it (see module doc)."""
    out = []
    composed = compose_jamo(text)
    if composed != text:
        out.append(composed)
    read = read_hanja(composed)
    if read != composed:
        out.append(read)
    closed = close_spaced_letters(read)
    if closed != read:
        out.append(closed)
    kana = read_romaji(text)
    if kana != text:
        out.append(kana)
    return out


def close_spaced_letters(text: str) -> str:
    """Every run of four or more one-letter words set apart by spaces or punctuation
    (``이 전 규 칙``, ``ま.え.の``) closed up into one word."""
    return _SPACED_RUN.sub(lambda m: _SEPARATORS.sub("", m.group()), text)


def compose_jamo(text: str) -> str:
    """Conjoining initial + vowel (+ final) sequences composed into Hangul syllables."""
    if not _JAMO_PAIR.search(text):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        lead = ord(text[i])
        vowel = ord(text[i + 1]) if i + 1 < n else 0
        if not (_L0 <= lead <= _L1 and _V0 <= vowel <= _V1):
            out.append(text[i])
            i += 1
            continue
        final, step = 0, 2
        if i + 2 < n:
            tail = ord(text[i + 2])
            after = ord(text[i + 3]) if i + 3 < n else 0
            if _L0 <= tail <= _L1 and not _V0 <= after <= _V1:
                final = _FINAL[tail - _L0]
                step = 3 if final else 2
        out.append(chr(0xAC00 + ((lead - _L0) * 21 + (vowel - _V0)) * 28 + final))
        i += step
    return "".join(out)


# --- hanja -------------------------------------------------------------------------

_HANGUL = re.compile("[\uac00-\ud7a3]")
_KANA = re.compile("[\u3041-\u30ff\uff66-\uff9f]")
_HANJA_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_lock = threading.Lock()
_tables: list[dict[str, str]] = []


def _hanja_table() -> dict[str, str]:
    """Hanja -> Hangul syllable (``data/hanja_hangul.npz``), loaded once."""
    if not _tables:
        with _lock:
            if not _tables:
                data = packaged.load_npz("hanja_hangul.npz")
                keys, values = np.asarray(data["hanja"]), np.asarray(data["hangul"])
                pairs = zip(keys.tolist(), values.tolist(), strict=True)
                table = {chr(k): chr(v) for k, v in pairs}
                _tables.append(table)
    return _tables[0]


def _initial_sound(syllable: str) -> str:
    """The initial-sound rule (두음법칙) at the start of a word: 녀 → 여,
    랴/려/…/리 → 야/여/…/이, 라/래/…/르 → 나/내/…/느."""
    index = ord(syllable) - 0xAC00
    lead, rest = divmod(index, 588)
    vowel = rest // 28
    # Vowels ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ (and ㅒ after ㄹ) take ㅇ; the others, after ㄹ, take ㄴ.
    iotized = vowel in (2, 3, 6, 7, 12, 17, 20)
    if lead == 2 and vowel in (6, 12, 17, 20):  # ㄴ
        lead = 11
    elif lead == 5:  # ㄹ
        lead = 11 if iotized else 2
    return chr(0xAC00 + lead * 588 + rest % 588)


def read_hanja(text: str) -> str:
    """Korean text (Hangul, no kana) with its hanja read as Hangul; other text as it is."""
    if not _HANJA_RUN.search(text) or not _HANGUL.search(text) or _KANA.search(text):
        return text
    table = _hanja_table()

    def read(match: re.Match[str]) -> str:
        syllables = [table.get(c, c) for c in match.group()]
        if syllables and _HANGUL.fullmatch(syllables[0]):
            syllables[0] = _initial_sound(syllables[0])
        return "".join(syllables)

    return _HANJA_RUN.sub(read, text)


# --- romanised Japanese --------------------------------------------------------------

_ROWS = {
    "": "あいうえお",
    "k": "かきくけこ",
    "s": "さしすせそ",
    "t": "たちつてと",
    "n": "なにぬねの",
    "h": "はひふへほ",
    "m": "まみむめも",
    "r": "らりるれろ",
    "l": "らりるれろ",
    "g": "がぎぐげご",
    "z": "ざじずぜぞ",
    "d": "だぢづでど",
    "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
}
_YOON = {"k": "き", "s": "し", "t": "ち", "n": "に", "h": "ひ", "m": "み", "r": "り"}
_YOON |= {"g": "ぎ", "z": "じ", "j": "じ", "d": "ぢ", "b": "び", "p": "ぴ", "c": "ち"}


def _syllables() -> dict[str, str]:
    table: dict[str, str] = {}
    for consonant, kana in _ROWS.items():
        for vowel, char in zip("aiueo", kana, strict=True):
            table[consonant + vowel] = char
    table |= {"ya": "や", "yu": "ゆ", "yo": "よ", "wa": "わ", "wo": "を", "wi": "うぃ"}
    table |= {"we": "うぇ", "shi": "し", "chi": "ち", "tsu": "つ", "fu": "ふ", "ji": "じ"}
    table |= {"si": "し", "ti": "ち", "tu": "つ", "hu": "ふ", "zi": "じ", "di": "ぢ"}
    table |= {"fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ", "fo": "ふぉ", "she": "しぇ"}
    table |= {"je": "じぇ", "che": "ちぇ", "n'": "ん"}
    for consonant, kana in _YOON.items():
        for vowel, small in zip("auo", "ゃゅょ", strict=True):
            table[f"{consonant}y{vowel}"] = kana + small
    for head, kana in (("sh", "し"), ("ch", "ち"), ("j", "じ")):
        for vowel, small in zip("auo", "ゃゅょ", strict=True):
            table[head + vowel] = kana + small
    for vowel, long in zip("āīūēōâîûêô", "aiueoaiueo", strict=True):
        table[vowel] = table[long] + "ー"
    return table


_KANA_OF = _syllables()
_LONGEST = max(len(key) for key in _KANA_OF)
_CONSONANTS = set("bcdfghjklmprstwyz")
_LATIN_WORD = re.compile(r"[a-zāīūēōâîûêô']+")
# Romaji words and what may stand between two of them in one run.
_ROMAJI_RUN = re.compile(r"[a-zāīūēōâîûêô']+(?:[\s\-/.·_,]+[a-zāīūēōâîûêô']+)*")
# At least this many Latin words, and this share of their letters in words that
# spell kana, for a text to be read as romanised Japanese.
_MIN_WORDS = 3
# Particles written as they sound: は, へ.
_PARTICLES = {"wa": "は", "e": "へ"}
_MIN_SHARE = 0.75
_SAMPLE = 400


def romaji_kana(word: str) -> str | None:
    """The hiragana ``word`` (lower case) spells, or None when it is not whole syllables."""
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        char = word[i]
        if char == "'":
            i += 1
            continue
        if char in _CONSONANTS and i + 1 < n and word[i + 1] == char:
            out.append("っ")  # a doubled consonant: a small tsu
            i += 1
            continue
        if char == "t" and word.startswith("tch", i):
            out.append("っ")
            i += 1
            continue
        for size in range(min(_LONGEST, n - i), 0, -1):
            kana = _KANA_OF.get(word[i : i + size])
            if kana is not None:
                out.append(kana)
                i += size
                break
        else:
            # A lone n is ん before a consonant or at the end (not before a vowel or y).
            if char == "n" and (i + 1 == n or word[i + 1] not in "aiueoy"):
                out.append("ん")
                i += 1
                continue
            return None
    return "".join(out)


def read_romaji(text: str) -> str:
    """``text`` with its runs of romanised Japanese read as hiragana (see module doc);
    the text as it is when it does not read as romaji."""
    lowered = text.lower()
    words, letters, spelled = 0, 0, 0
    # The share is judged on the first _SAMPLE letters: a long English text is
    # told apart by then without spelling every word.
    for word in _LATIN_WORD.finditer(lowered):
        words += 1
        letters += len(word.group())
        spelled += len(word.group()) if romaji_kana(word.group()) is not None else 0
        if letters >= _SAMPLE:
            break
    if words < _MIN_WORDS or spelled < _MIN_SHARE * letters:
        return text

    def read(match: re.Match[str]) -> str:
        # Romaji words closed up into kana; any other word keeps its spaces.
        out, last, kana_before = [], match.start(), False
        for word in _LATIN_WORD.finditer(lowered, match.start(), match.end()):
            kana = _PARTICLES.get(word.group()) or romaji_kana(word.group())
            if not (kana and kana_before):
                out.append(text[last : word.start()])
            out.append(kana if kana else text[word.start() : word.end()])
            last, kana_before = word.end(), bool(kana)
        return "".join(out)

    if len(lowered) != len(text):
        return text  # lower-casing changed the length: offsets would not line up
    out, last = [], 0
    for match in _ROMAJI_RUN.finditer(lowered):
        out.append(text[last : match.start()])
        out.append(read(match))
        last = match.end()
    out.append(text[last:])
    return "".join(out)
