"""Other readings of a text, for the injection check.  [pure]

Character n-grams see the letters as typed; a reader sees the words. Two ways
to write an attack keep the words for a reader and take them away from the
n-grams, and each has one reading that gives them back:

- **letter-spaced**: ``이 전 규 칙 은 무 시`` or ``ま.え.の.る.ー.る`` — the
  letters of each word set apart by spaces or punctuation. The reading closes up
  every run of four or more single letters.
- **Hangul in separate jamo**: ``ㅇㅣ전 ㅈㅣ시 ㅁㅜ시``. Per-character NFKC
  (``gwanmun.text.normalize``) turns compatibility jamo into conjoining ones but
  does not compose them; the reading composes every initial + vowel (+ final)
  into its syllable.

``readings`` returns only the readings that differ from the text, so ordinary
text costs two regular-expression scans. They are for scoring, not for showing: a finding on a
reading covers the whole text.
"""

from __future__ import annotations

import re

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
    closed = close_spaced_letters(composed)
    if closed != composed:
        out.append(closed)
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
