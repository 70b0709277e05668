"""Other readings of a text, for the injection check.  [pure]

Character n-grams see the letters as typed; a reader sees the words. Two ways
to write an attack keep the words for a reader and take them away from the
n-grams, and each has one reading that gives them back:

- **letter-spaced**: ``이 전 규 칙 은 무 시`` or ``ま.え.の.る.ー.る`` — the
  letters of each word set apart by spaces or punctuation. The reading closes up
  every run of single letters.
- **Hangul in separate jamo**: ``ㅇㅣ전 ㅈㅣ시 ㅁㅜ시``. Per-character NFKC
  (``gwanmun.text.normalize``) turns compatibility jamo into conjoining ones but
  does not compose them; the reading composes every initial + vowel (+ final)
  into its syllable.

``readings`` returns only the readings that differ from the text, so ordinary
text costs one scan. They are for scoring, not for showing: a finding on a
reading covers the whole text.
"""

from __future__ import annotations

import re

# A run of separators between letters, and the share of one-letter pieces that
# makes a text letter-spaced (ordinary Korean and Japanese have few).
_PIECES = re.compile(r"[\s.·・,_/|*~\-]+")
MIN_PIECES = 6
SPACED_SHARE = 0.6

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
    """Every run of two or more one-letter pieces joined up, when most pieces of the
    text are one letter; otherwise ``text`` unchanged."""
    pieces = [p for p in _PIECES.split(text) if p]
    if len(pieces) < MIN_PIECES:
        return text
    singles = sum(len(p) == 1 for p in pieces)
    if singles < SPACED_SHARE * len(pieces):
        return text
    words: list[str] = []
    run: list[str] = []
    for piece in pieces:
        if len(piece) == 1:
            run.append(piece)
            continue
        if run:
            words.append("".join(run))
            run = []
        words.append(piece)
    if run:
        words.append("".join(run))
    return " ".join(words)


def compose_jamo(text: str) -> str:
    """Conjoining initial + vowel (+ final) sequences composed into Hangul syllables."""
    if not any(_L0 <= ord(c) <= _L1 for c in text):
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
