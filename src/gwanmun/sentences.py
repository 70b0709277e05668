"""Sentence spans of Korean, Japanese and English text.

``split_sentences`` ends a sentence at ``. ! ? 。 ！ ？`` (with closing quotes and
brackets) and at line breaks; a period after an abbreviation (Dr., e.g., Jan.),
an initial or an opening list number (``1.``) does not end one, nor does a
Japanese quotation closed inside the sentence (「はい。」と言った). Used by the
groundedness check (sentences of an answer and its sources) and the
prompt-injection classifier (sentences of a long document).
"""

from __future__ import annotations

import re

_CJK_END = "。！？｡"
_CLOSERS = "\"'”’」』）)]】〉》"
_ABBREVIATIONS = (
    "mr mrs ms dr prof st sr jr vs etc no nos art sec fig vol dept gov inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e a.m p.m approx"
)
_ABBREV = frozenset(_ABBREVIATIONS.split())


def _is_cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3"


# Longest word before a period that can matter (an abbreviation, an initial, a
# list number); looking no further keeps a text full of periods linear.
_WORD_BEFORE = 16


def _period_ends(text: str, i: int, start: int) -> bool:
    """Does the ``.`` at ``text[i]`` end the sentence that began at ``start``?"""
    j = i
    while j > start and i - j <= _WORD_BEFORE and (text[j - 1].isalnum() or text[j - 1] in "._"):
        j -= 1
    before = text[j:i]
    if before.lower().rstrip(".") in _ABBREV or re.fullmatch(r"[A-Z]", before):
        return False  # Dr. Kim, J. Smith
    # "1." opening a sentence is a list number.
    k = j
    while k > start and text[k - 1].isspace():
        k -= 1
    return not (before.isdigit() and k == start)


def _end_after(text: str, i: int) -> int:
    """The end of a sentence whose terminator is at ``text[i]``, or -1 for none."""
    n = len(text)
    ch, j = text[i], i + 1
    while j < n and text[j] in _CJK_END + "!?.":
        j += 1
    quoted = j
    while j < n and text[j] in _CLOSERS:
        j += 1
    if j == n or text[j].isspace():
        return j
    if j > quoted and "\u3040" <= text[j] <= "\u309f":
        return -1  # 「はい。」と言った: a quotation inside the sentence
    return j if ch in _CJK_END or _is_cjk(text[j]) else -1


_CANDIDATE = re.compile("[\n!?." + _CJK_END + "]")
_ALNUM = re.compile(r"[^\W_]")  # str.isalnum, as a regex


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, trimmed of surrounding
    whitespace; spans without a letter or digit are dropped."""
    spans: list[tuple[int, int]] = []

    def close(s: int, e: int) -> None:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if _ALNUM.search(text, s, e):
            spans.append((s, e))

    start = i = 0
    # Jump from one possible sentence end to the next (line breaks, . ! ? 。 ！ ？).
    while (candidate := _CANDIDATE.search(text, i)) is not None:
        i = candidate.start()
        ch = text[i]
        if ch == "\n":
            close(start, i)
            start = i = i + 1
            continue
        end = _end_after(text, i) if ch != "." or _period_ends(text, i, start) else -1
        if end < 0:
            i += 1
            continue
        close(start, end)
        start = i = end
    close(start, len(text))
    return spans
