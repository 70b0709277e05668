"""Words for lexical search: morphemes, not whitespace tokens.

Korean and Japanese glue particles and endings to words (서울시에서, 東京都では),
so splitting on spaces would make 서울시에서 and 서울시는 different terms. Korean
text goes through kiwipiepy and keeps its content morphemes (nouns, verb and
adjective stems, roots, foreign words, numbers); Japanese through sudachipy
(mode A, dictionary forms) without particles, auxiliaries, symbols and blanks.
Anything else (Latin words, digits) is lower-cased word characters. The
analysers are the ones the input guard already loaded (``detect.names``), shared,
never a second copy; they load on first use, never at import.
"""

from __future__ import annotations

import re
from typing import Any

from gwanmun.detect.names import _kiwi as names_kiwi
from gwanmun.detect.names import _sudachi as names_sudachi

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"\w+")
# Kiwi tags kept: nouns, verb/adjective stems, roots, foreign words, Chinese characters, numbers.
_KO_KEEP = ("NN", "NR", "NP", "VV", "VA", "XR", "SL", "SH", "SN", "MAG")
# Sudachi's first part-of-speech field, left out: particles, auxiliary verbs, symbols, blanks.
_JA_DROP = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# sudachipy refuses input over 49,149 bytes; 8,000 characters stay under it.
_JA_CHUNK = 8000


def _kiwi() -> Any:
    """The Kiwi every part of the gateway shares (``detect.names``: ~500 MB resident;
    a second instance would cost ~380 MB more)."""
    return names_kiwi()


def _sudachi() -> tuple[Any, Any]:
    """This thread's tokenizer over the shared dictionary, and split mode A."""
    from sudachipy import SplitMode

    tokenizer, _ = names_sudachi()
    return tokenizer, SplitMode.A


def language(text: str) -> str:
    """``ko`` if the text has Hangul, ``ja`` if it has kana or (without Hangul) Han
    characters, else ``other``."""
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text) or _HAN.search(text):
        return "ja"
    return "other"


def terms(text: str) -> list[str]:
    """The search terms of ``text``, in order, repeated as often as they occur."""
    lang = language(text)
    if lang == "ko":
        return _korean(text)
    if lang == "ja":
        return _japanese(text)
    return [w.lower() for w in _WORD.findall(text)]


def _korean(text: str) -> list[str]:
    out: list[str] = []
    for token in _kiwi().tokenize(text):
        tag = token.tag
        if tag.startswith(_KO_KEEP):
            out.append(token.form.lower())
    return out


def _japanese(text: str) -> list[str]:
    tokenizer, mode = _sudachi()
    out: list[str] = []
    for start in range(0, len(text), _JA_CHUNK):
        for m in tokenizer.tokenize(text[start : start + _JA_CHUNK], mode):
            if m.part_of_speech()[0] in _JA_DROP:
                continue
            out.append(m.dictionary_form().lower())
    return out
