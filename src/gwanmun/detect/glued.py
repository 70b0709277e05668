"""Numbers with Latin letters glued to them or set between their digits:
``x9001011234568``, ``ab900101-1234568``, ``tel01012345678``,
``9a0b0c1d0e1f1g2h3i4j5k6l8``.  [pure]

The structured detectors want a number to stand apart from letters (so that
a product code or a hash is not read as a phone or a resident number), and a
user who wants a number past them only has to glue a letter to it. A reader
still sees the number, and so does a model. Registered by
``gwanmun.detect.builtin`` as ``glued_digits`` over the structured detectors:
each such word (letters and digits, its pieces joined by ``.-_`` or spaces, at
most 64 characters) with nine or more digits and a letter against three of
them, or letters between single digits, is read with its letters as
separators, by the structured detectors, with the words around it; what they
find is reported over the whole word.

A valid IBAN is left to the IBAN detector. A hexadecimal word of 32
characters or more (a hash, a commit id) or one written as a literal
(``0x1F000000``) is left alone, and so are a UUID, a time stamp, a float in
scientific notation and the ten digits in order inside a word: their digits
are chance or code, not a number someone wrote.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

from gwanmun.detect import Detector
from gwanmun.detect.contact import Iban, iban_ok
from gwanmun.detect.decoded import DecodedNumbers

# A word of letters and digits: pieces that each hold a digit, joined by one to
# three of " .-_" (x010 1234 5678, ab900101-1234568). Not after a backslash:
# \n2026-11-02 is a newline and a date in code.
_PIECE = "[A-Za-z0-9]*[0-9][A-Za-z0-9]*"
# The first piece opens with its first character and looks behind it after (a
# pattern that opens with a lookbehind is tried at every position: 3x slower).
_WORD = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9\\].)(?:(?<=[0-9])[A-Za-z0-9]*|[A-Za-z]*[0-9][A-Za-z0-9]*)"
    rf"(?:[ .\-_]{{1,3}}{_PIECE})*(?![A-Za-z0-9])"
)
_HEX = re.compile(r"0[xXbBoO][0-9A-Fa-f]+|[0-9A-Fa-f]{32,}")
# A float in scientific or complex notation: the word is a number in code.
_FLOAT = re.compile(r"[0-9]\.[0-9]+(?:[eE][+\-]?[0-9]*|[jJ])(?![A-Za-z])")
# Parts of a word whose digits are no number someone wrote: a UUID, a time
# stamp, the digits as an alphabet.
_NOISE = re.compile(
    r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]*Z?"
    r"|0123456789|1234567890"
)
_LETTERS = re.compile(r"[A-Za-z]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")
_DIGIT = re.compile(r"[0-9]")
_SEPARATORS = re.compile(r"[ .\-_]")
# A glued word holds one of these: three digits against a letter, or one to
# three letters between single digits (hyperscan and Python read it alike).
TRIGGER = r"[A-Za-z][0-9]{3}|[0-9]{3}[A-Za-z]|[0-9][A-Za-z]{1,3}[0-9][A-Za-z]{1,3}[0-9]"
_TRIGGER = re.compile(TRIGGER)
# The longest word read: a card number with three letters between its digits is
# 61 characters. Bounded so that a slice around a trigger holds the whole word
# and the words around it (``detector_reach``, through ``pattern`` below).
MAX_WORD = 64


def _base64_text(word: str) -> bool:
    """Whether ``word`` is base64 of printable UTF-8 text: its digits are the
    encoding's, and ``base64_text`` reads what it says."""
    if not _BASE64.fullmatch(word):
        return False
    try:
        decoded = base64.b64decode(word + "=" * (-len(word) % 4), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return False
    return decoded.isprintable()


def _glued_words(text: str) -> str:
    """``text`` as the glued-digit reader decodes a run: empty unless it is a
    word of at most ``MAX_WORD`` characters with a trigger in it, nine digits or
    more besides its noise, and no hash or literal."""
    if (
        len(text) > MAX_WORD
        or len(_DIGIT.findall(text)) < 9  # most words with a letter: a code, a model name
        or not _TRIGGER.search(text)
        or _HEX.fullmatch(_SEPARATORS.sub("", text))
        or _FLOAT.search(text)
        or (Iban.pattern.fullmatch(text) and iban_ok(text))  # the IBAN detector's
        or _base64_text(text)  # the base64 detector's (gwanmun.detect.disguised)
    ):
        return ""
    read = _LETTERS.sub("-", _NOISE.sub("-", text))
    return read if sum(c.isdigit() for c in read) >= 9 else ""


def glued(inner: Sequence[Detector]) -> DecodedNumbers:
    """The ``glued_digits`` detector, reading with ``inner``."""
    detector = DecodedNumbers("glued_digits", TRIGGER, _WORD, _glued_words, inner)
    # What ``detector_reach`` sizes the slices by: the longest word read (its
    # own pattern is unbounded; longer words are skipped, in a slice or not).
    detector.pattern = re.compile(f"[A-Za-z0-9 .\\-_]{{1,{MAX_WORD}}}")
    return detector
