"""Hold-back: how much of the text not yet released may be checked and
released now.  [pure]

``minimal`` holds only the trailing words and digit groups a finding could
still grow from (a number being written, a name whose title has not come
yet); ``sentence`` holds each sentence until it ends. Neither ever holds more
than ``limit`` characters (docs/policy.md, "Output").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Container, Iterable

from gwanmun.detect.names import (
    could_continue_name,
    japanese_final_prefix,
    korean_word_is_name_free,
)
from gwanmun.digits import NUMERALS, UNITS, numeral_run
from gwanmun.policy import HoldBack
from gwanmun.text import ASCII_DIGITS, normalize

# A sentence ends at . ! ? (followed by a space or the end), 。！？, or a newline.
SENTENCE_END = re.compile(r"(?:[.!?](?=\s|$)|[。！？\n])[\"'”’」』)\]]*")
# Characters an identifier is made of, besides letters and digits.
ID_JOINERS = frozenset("-–—./:@+_()")
# A run without spaces (Japanese, Chinese) holds at most this many characters.
_UNSPACED_HOLD = 12
# Released text the leak re-scan reads before what it checks (keywords such as
# 계좌, and whether the Korean name tagger runs at all).
SCAN_CONTEXT_CHARS = 48
# Hangul, kana or kanji: the Korean or the Japanese name tagger reads the text.
_TAGGED_SCRIPT = re.compile("[\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff]")
_WORD = re.compile(r"\S+")
_PUNCT = ".,;:!?\"'()[]{}“”‘’「」"


class HoldBackRule:
    """Where to cut what is pending. Owns no text: the session passes what is
    pending and what it has released."""

    def __init__(
        self,
        mode: HoldBack,
        limit: int,
        *,
        whole_words: bool,
        supplied_words: Container[str] = frozenset(),
    ) -> None:
        self.mode = mode
        self.limit = limit
        # The user's own words (compacted): a finished word they wrote is no leak.
        self.supplied_words = supplied_words
        # Sentence checks run: a word still being written is held, so a blocked
        # word is never half shown.
        self.whole_words = whole_words

    def release_point(self, pending: str, released: str) -> int:
        """How much of ``pending`` may be checked and released now."""
        limit = self.limit
        if self.mode == "sentence":
            # ``kim.`` may go on as ``kim.minsu@…``: a full stop ends a sentence only
            # once the space after it has come.
            ends = [
                m.end()
                for m in SENTENCE_END.finditer(pending)
                if m.end() < len(pending) or pending[m.start()] not in ".!?"
            ]
            cut = ends[-1] if ends else 0
        else:
            # After a lone first digit, the word it starts is still being written.
            first_digit_only = len(released) == 1 and released in ASCII_DIGITS
            lead = released if first_digit_only else ""
            text = lead + pending
            # The Korean and Japanese name taggers read every word of a text with
            # Hangul, kana or kanji in it, Latin ones too (Penelope Cruz, Kenan
            # Sofugluk選手): such words are held as Hangul ones are.
            tagged = bool(_TAGGED_SCRIPT.search(released[-SCAN_CONTEXT_CHARS:] + pending))
            hold = growing_tail(text, self.supplied_words, tagged=tagged)
            if self.whole_words and released:
                # Not before the first release: the first token is not delayed.
                hold = max(hold, _partial_word(text))
            cut = len(pending) - min(hold, len(pending))
            if cut == 0 and not released and pending[:1] in ASCII_DIGITS:
                # An answer that starts with a number (a list: ``1``, ``.``, `` **``)
                # shows its first digit at once. One digit tells nothing about
                # anyone; a value it turns out to begin is masked from the second
                # character on (``1[PHONE]``), and a value that has come whole is
                # held whole, as everywhere (the leak masker moves the cut back).
                cut = 1
        return max(cut, len(pending) - limit, 0)


def growing_tail(
    text: str, supplied_words: Container[str] = frozenset(), *, tagged: bool = False
) -> int:
    """How many trailing characters could still become (part of) a finding.

    Held: a trailing word with digits or identifier joiners (a number, an
    address, a key being written) together with the digit groups before it
    (``010 1234 5678``); a Hangul or CJK word and the one before it (a name
    is found by the title after it: 김민수 주무관) — unless that word is
    finished and settled: it can be no part of a name (``안녕하세요.``,
    ``문의하시기``) or the user wrote it; an English title or given name and
    the capitalised word after it. Plain words are not held, so the first
    token of an ordinary answer is not delayed — unless ``tagged``: the
    Korean or Japanese name tagger reads the text, and they score Latin words
    as well (foreign names: Penelope Cruz), so a word with Latin letters is
    held as a Hangul one is, and is never settled early. A run without spaces
    (Japanese) holds what the name tagger has not decided for good — its
    last morphemes, and a noun run still waiting for the words after it — and
    at most its last few characters once it is long.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, max(0, len(text) - 160))]
    hold_from = len(text)
    for index in range(len(words) - 1, max(len(words) - 3, -1), -1):
        start, end = words[index]
        word = text[start:end]
        previous = text[slice(*words[index - 1])] if index > 0 else ""
        if end < len(text) and _settled(word, supplied_words, _number_over(text, end)):
            break  # finished, and no name can grow out of it or run into it
        if not _risky(word, previous, incomplete=end == len(text), tagged=tagged):
            break
        latin = end - ascii_run(word, ID_JOINERS, at_end=True)
        if _japanese(word):
            # All of a Latin code or address being written in the run stays held
            # (担当はtaro.yamada@…).
            decided = start + japanese_final_prefix(word)
            if end - start > _UNSPACED_HOLD:
                hold_from = min(max(end - _UNSPACED_HOLD, decided), latin)
                break
            if decided > start:
                hold_from = min(decided, latin)
                break
        elif _unspaced(word) and end - start > _UNSPACED_HOLD:
            hold_from = min(end - _UNSPACED_HOLD, latin)
            break
        hold_from = start
        if not (
            _name_like(word, tagged) or _name_like(previous, tagged) or _capitalised(word, previous)
        ):
            break  # one identifier-like word; its digit groups are added below
    # Extend back over digit groups and joiners: 010 1234 5678, 123-45-67890,
    # 공일공 일이삼사 오육칠팔.
    i = hold_from
    if i < len(text) and any(digit_like(c) for c in text[i:]):
        while i > 0 and (
            digit_like(text[i - 1]) or text[i - 1] in ID_JOINERS or text[i - 1] == " "
        ):
            if text[i - 1] == " " and not (i >= 2 and digit_like(text[i - 2])):
                break
            i -= 1
    return len(text) - i


def ascii_run(text: str, joiners: Collection[str], *, at_end: bool = False) -> int:
    """Length of the run of ASCII letters, digits and ``joiners`` that ``text``
    starts with (or, ``at_end``, ends with)."""
    step, i = (-1, len(text) - 1) if at_end else (1, 0)
    n = 0
    while 0 <= i < len(text) and text[i].isascii() and (text[i].isalnum() or text[i] in joiners):
        n += 1
        i += step
    return n


def _partial_word(text: str) -> int:
    """Length of the word at the end of ``text`` that may still be growing."""
    i = len(text)
    while i > 0 and not text[i - 1].isspace() and text[i - 1] not in _PUNCT:
        i -= 1
    return len(text) - i


def digit_like(char: str) -> bool:
    """A digit of any script, or a Hangul or kanji numeral or unit (구, 九, 천):
    what a number written out in words is made of."""
    return char.isdigit() or char in NUMERALS or char in UNITS


def numeral_word(word: str) -> bool:
    """A word written only in numerals, units and joiners (공일공, 九〇〇一-,
    천이백삼십사): a number being written, however much it reads like a word
    (이사, 오이, 만) too."""
    core = word.strip(_PUNCT)
    return bool(core) and all(c in NUMERALS or c in UNITS or c in ID_JOINERS for c in core)


def _risky(word: str, previous: str, *, incomplete: bool, tagged: bool = False) -> bool:
    if any(c.isdigit() or c in "@:/_" for c in word) or numeral_word(word):
        return True
    core = word.strip(_PUNCT)
    if any(c in "-." for c in core):
        return True  # a host name, an e-mail being written, a hyphenated code
    if _name_like(word, tagged):
        return True
    return core[:1].isupper() and could_continue_name(
        core, previous.strip(_PUNCT), incomplete=incomplete
    )


def _capitalised(word: str, previous: str) -> bool:
    """Two capitalised words in a row (``John S…``, ``Kim Min…``): one name, held together."""
    return word.strip(_PUNCT)[:1].isupper() and previous.strip(_PUNCT)[:1].isupper()


def _name_like(word: str, tagged: bool = False) -> bool:
    """Hangul, kana or kanji: names there are found by morphology and context;
    in a text the Korean or Japanese tagger reads (``tagged``), Latin letters too."""
    return any(
        "\uac00" <= c <= "\ud7a3"
        or "\u3040" <= c <= "\u30ff"
        or "\u4e00" <= c <= "\u9fff"
        or (tagged and c.isascii() and c.isalpha())
        for c in word
    )


def compact(text: str) -> str:
    """A value as the leak masker and the hold-back compare it with the user's
    text: read as the input guard reads it (NFKC, numerals and look-alike
    digits as digits: an echo of the user's 220-81-62517 as 이이공-팔일-… is
    theirs), no spaces, dashes, dots or brackets, case folded."""
    read = normalize(text).text if numeral_run(text) else unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-–—.()]", "", read).casefold()


class Supplied:
    """The user's texts, compacted (``compact``) as the output guard asks about
    them, each view made on its first question, not when a response opens —
    most answers never ask (compacting every word of a 1 KB Korean request took
    ~0.3 ms on the event loop):

    - ``text``: the texts joined, for the leak masker to tell a value the answer
      echoes (``value in supplied.text``);
    - ``words``: their words, for the hold-back to tell a finished word of the
      answer the user wrote.
    """

    __slots__ = ("_text", "_texts", "_words")

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = tuple(texts)
        self._text: _Lazy = _Lazy(lambda: compact(" ".join(self._texts)))
        self._words: _Lazy = _Lazy(
            lambda: frozenset(compact(w) for w in {w for t in self._texts for w in t.split()})
        )

    @property
    def text(self) -> Container[str]:
        return self._text

    @property
    def words(self) -> Container[str]:
        return self._words


class _Lazy:
    """A container made by ``make`` on the first ``in``."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], Container[str]]) -> None:
        self._make: Callable[[], Container[str]] | None = make
        self._made: Container[str] = ()

    def __contains__(self, value: object) -> bool:
        if self._make is not None:
            self._made = self._make()
            self._make = None
        return isinstance(value, str) and value in self._made


def _number_over(text: str, end: int) -> bool:
    """Whether a number ending at ``end`` can go on no further: a word has begun
    after the space that follows, and its first character is no digit, numeral
    or joiner (``공공 도``: no number runs into 도)."""
    after = text[end:].lstrip()
    return bool(after) and not (digit_like(after[0]) or after[0] in ID_JOINERS)


def _settled(word: str, supplied_words: Container[str], number_over: bool = False) -> bool:
    """A finished Korean word that can hold no part of a name, or one the user
    wrote (compacted as the leak masker compacts); never one with digits or
    identifier characters, which the rules above hold. A word written in
    numerals (공공, 이사) is a number being written until ``number_over``: the
    word after it has begun with something no number is made of."""
    core = word.strip(_PUNCT)
    if not core or any(c.isdigit() or c in "@:/_-." for c in core):
        return False
    if numeral_word(core) and not number_over:
        return False
    if not any("\uac00" <= c <= "\ud7a3" for c in core) or _japanese(core):
        return False
    return compact(core) in supplied_words or korean_word_is_name_free(word)


def _japanese(word: str) -> bool:
    """Kana or kanji, and no Hangul: a run the Japanese analyser reads."""
    kana_kanji = any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in word)
    return kana_kanji and not any("\uac00" <= c <= "\ud7a3" for c in word)


def _unspaced(word: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in word)
