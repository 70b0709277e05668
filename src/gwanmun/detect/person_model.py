"""A learned person-name tagger over morphemes (Korean and Japanese).  [pure given models]

Each morpheme the analyser returns (kiwipiepy for Korean, sudachipy for
Japanese) gets a small bag of string features — its form, tag, first and last
characters, the neighbouring morphemes and tags, the characters right before
and after it, the rest of its word (particles such as 은/의/씨) and, for
Korean, what the rule-based guess in ``names.py`` said, and the word clusters
of the morpheme and its neighbours (``data/piece_clusters.npz``: pieces of a
multilingual sentence encoder's vocabulary grouped by meaning, so a name the
training data never showed shares features with names it did) — hashed into a
fixed vector. Japanese morphemes also get real-valued word vectors
(``data/ja_word_vectors.npz``: chiVe, as GiNZA ships it, reduced to 32
dimensions) of themselves, their neighbours, the end of their noun run and the
text around them. A logistic regression scores each one; morphemes at or above
the trained threshold that touch (or, in Japanese, have only a middle dot
between them) are merged into one name.

Trained by ``bench/train/train_persons.py`` on the public development sets (KLUE NER
for Korean, CC BY-SA 4.0; Stockmark's Wikipedia NER for Japanese, CC BY-SA 3.0):
see ``data/PERSONS_MODEL.md`` for attribution and the share-alike terms, and
docs/benchmarks.md for out-of-fold quality. The feature functions here are the
ones training uses, so training and inference cannot drift.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar, cast

import numpy as np
import numpy.typing as npt

from gwanmun.packaged import calibrate, load_npz

DIM = 1 << 18
FEATURE_VERSION = 6
_T = TypeVar("_T")

# Morphemes not scored: particles, endings and punctuation, which are never part
# of a name, and verbs, adjectives, adverbs, numbers, pronouns, adnominals and
# conjunctions, which are inside one in under 0.3% of the training data — leaving
# them out cut the Korean rows by 29% (and the tagger's time with them) at equal
# out-of-fold quality (bench/train/train_persons.py).
KO_SKIP = (
    "J", "E", "SF", "SP", "SS", "SE", "SO", "SW", "XSV", "XSA", "VCP", "VCN", "W_",
    "VV", "VA", "VX", "SN", "MA", "NP",
)  # fmt: skip
JA_SKIP = frozenset({"助詞", "助動詞", "補助記号", "空白", "動詞", "形容詞", "連体詞", "接続詞"})

_HANGUL = re.compile(r"[가-힣]+")
_LATIN = re.compile(r"[A-Za-z]+")
_HANJA = re.compile(r"[\u4e00-\u9fff々]+")
_HIRAGANA = re.compile(r"[\u3040-\u309f]+")
_KATAKANA = re.compile(r"[\u30a0-\u30ffー]+")


class Morpheme(NamedTuple):
    """One morpheme as the analyser read it. A named tuple, not a frozen
    dataclass: a KB of text makes 150-250 of them on the detector's hot path,
    and a frozen dataclass took 1.5 us to build each, a named tuple 0.65 us."""

    form: str
    tag: str
    start: int
    end: int
    lm_score: float = 0.0  # the analyser's language-model log score (kiwipiepy), or 0
    norm: str = ""  # the analyser's normalised form (sudachipy), or ""


def _script(form: str) -> str:
    for name, pattern in (
        ("hangul", _HANGUL),
        ("latin", _LATIN),
        ("hanja", _HANJA),
        ("hiragana", _HIRAGANA),
        ("katakana", _KATAKANA),
    ):
        if pattern.fullmatch(form):
            return name
    return "other"


def _shape(form: str) -> list[str]:
    return [f"ch{k}={c}" for k, c in enumerate(form[:4])] + [
        f"bg={form[k : k + 2]}" for k in range(min(4, len(form) - 1))
    ]


def _own(form: str, tag: str) -> tuple[str, ...]:
    """The features of a morpheme that depend on it alone."""
    return (
        "bias",
        f"w={form}",
        f"t={tag}",
        f"wt={form}/{tag}",
        f"c0={form[:1]}",
        f"c-1={form[-1:]}",
        f"len={min(len(form), 6)}/{tag}",
        f"script={_script(form)}",
        *_shape(form),
    )


@dataclass(frozen=True)
class PieceClusters:
    """Cluster ids of the sentence encoder's pieces (``bench/train/build_piece_clusters.py``)."""

    rows: dict[str, int]  # piece -> row of ``ids``
    ids: npt.NDArray[np.int16]  # (pieces, granularities)
    granularities: tuple[int, ...]

    def pieces(self, form: str) -> list[int]:
        """Rows for ``form``: the whole form as one piece (with or without the
        word-start mark), else one per character (row 0, ``<unk>``, if unknown)."""
        row = self.rows.get("\u2581" + form)
        if row is None:
            row = self.rows.get(form)
        if row is not None:
            return [row]
        return [self.rows.get(c, 0) for c in form] or [0]


_tables: dict[str, Any] = {}
_tables_lock = threading.Lock()


def _table(name: str, build: Callable[[dict[str, npt.NDArray[np.generic]]], _T]) -> _T:
    """The packaged table ``name``, built once from its npz. A missing file raises
    (the detector then fails and the guard blocks)."""
    table = _tables.get(name)
    if table is None:
        with _tables_lock:
            if name not in _tables:
                _tables[name] = build(load_npz(name))
            table = _tables[name]
    return cast(_T, table)


def _joined(data: npt.NDArray[np.generic]) -> list[str]:
    return data.tobytes().decode("utf-8").split("\x00")


def _piece_clusters(data: dict[str, npt.NDArray[np.generic]]) -> PieceClusters:
    pieces = _joined(data["pieces"])
    granularities = tuple(int(k) for k in data["granularities"])
    ids = np.stack([data[f"k{k}"] for k in granularities], axis=1)
    if len(ids) != len(pieces):
        raise ValueError("piece_clusters.npz: pieces and cluster ids differ in number")
    return PieceClusters({piece: row for row, piece in enumerate(pieces)}, ids, granularities)


def piece_clusters() -> PieceClusters:
    """The packaged cluster table, loaded once."""
    return _table("piece_clusters.npz", _piece_clusters)


# Japanese word vectors are scaled by this before the model reads them: with the
# hashed 0/1 features beside them, a unit vector's components were too small
# for the regression's L2 penalty (the scales compared are in issue 3's notes).
_VECTOR_SCALE = 2.0


@dataclass(frozen=True)
class WordVectors:
    """Japanese word vectors (``bench/train/build_word_vectors.py``: chiVe, reduced to
    32 dimensions); the last row of ``vectors`` is zeros, for unknown words."""

    rows: dict[str, int]  # word -> row of ``vectors``
    vectors: npt.NDArray[np.float32]  # (distinct vectors + 1, width), scaled

    @property
    def unknown(self) -> int:
        return len(self.vectors) - 1

    def row(self, m: Morpheme) -> int:
        row = self.rows.get(m.form)
        if row is None:
            row = self.rows.get(m.norm, self.unknown)
        return row


def _word_vectors(data: dict[str, npt.NDArray[np.generic]]) -> WordVectors:
    words, rows = _joined(data["words"]), data["rows"].astype(np.int64)
    vectors = np.asarray(data["vectors"], dtype=np.float32) * _VECTOR_SCALE
    if len(words) != len(rows) or (len(rows) and int(rows.max()) >= len(vectors)):
        raise ValueError("ja_word_vectors.npz: words and vector rows do not match")
    table = np.vstack([vectors, np.zeros((1, vectors.shape[1]), dtype=np.float32)])
    return WordVectors(dict(zip(words, rows.tolist(), strict=True)), table)


def word_vectors() -> WordVectors:
    """The packaged Japanese word vectors, loaded once."""
    return _table("ja_word_vectors.npz", _word_vectors)


def _cluster_features(table: PieceClusters, form: str) -> tuple[list[str], list[str], list[str]]:
    """The cluster features of ``form`` in its three roles: the clusters of its
    first piece at every granularity, and for the morpheme itself (role ``w``)
    also its last piece's and its piece count; as the morpheme before another
    (``p``) and after one (``n``), its first piece's."""
    rows = table.pieces(form)
    # ``item`` per cell: a numpy row and ``tolist`` cost several times more.
    first = [(k, table.ids.item(rows[0], j)) for j, k in enumerate(table.granularities)]
    last = [(k, table.ids.item(rows[-1], j)) for j, k in enumerate(table.granularities)]
    own = [f"Ew{k}f={c}" for k, c in first] + [f"Ew{k}l={c}" for k, c in last]
    own.append(f"Ewn={min(len(rows), 4)}")
    return own, [f"Ep{k}f={c}" for k, c in first], [f"En{k}f={c}" for k, c in first]


_EDGE = ("<s>", "<s>")
# A morpheme's own features are at most 8 fixed ones, 4 characters and 4
# bigrams (``_own``): its row is padded to this many.
_OWN = 16


def _type_features(table: PieceClusters, form: str, tag: str) -> list[str]:
    """A morpheme's features that depend on its form and tag alone, in a fixed
    layout (``_Sections``): its own (padded to ``_OWN`` with repeats of the
    first, which a row counts once) and its clusters, then those it gives the
    morphemes around it as the one before (``p``: tag, form, clusters), two
    before (``pp``), the one after (``n``) and two after (``nn``)."""
    own = _own(form, tag)
    clusters, before, after = _cluster_features(table, form)
    return [
        *own,
        *(own[0],) * (_OWN - len(own)),
        *clusters,
        f"pt={tag}", f"pw={form}", *before,
        f"ppt={tag}", f"ppw={form}",
        f"nt={tag}", f"nw={form}", *after,
        f"nnt={tag}", f"nnw={form}",
    ]  # fmt: skip


def _edge_features(table: PieceClusters) -> list[str]:
    """``_type_features`` of the place off either end of the text: tag and form
    ``<s>``, no clusters (their places repeat the tag's). Its own features are
    never read: an edge is not a candidate."""
    g = len(table.granularities)
    edge = _EDGE[0]
    return [
        *["bias"] * (_OWN + 2 * g + 1),
        *[f"pt={edge}", f"pw={edge}"], *[f"pt={edge}"] * g,
        f"ppt={edge}", f"ppw={edge}",
        *[f"nt={edge}", f"nw={edge}"], *[f"nt={edge}"] * g,
        f"nnt={edge}", f"nnw={edge}",
    ]  # fmt: skip


class _Sections:
    """Which of a ``_type_features`` row's places a candidate takes from which
    morpheme, for ``g`` cluster granularities: ``columns[k]`` of the morpheme
    ``offsets[k]`` away (its own section from itself, ``p`` from the one before
    and so on)."""

    def __init__(self, g: int) -> None:
        widths = {0: _OWN + 2 * g + 1, -1: 2 + g, -2: 2, 1: 2 + g, 2: 2}
        self.width = sum(widths.values())
        self.columns = np.arange(self.width, dtype=np.int64)
        self.offsets = np.repeat(list(widths), list(widths.values())).astype(np.int64)


@functools.cache
def _sections(g: int) -> _Sections:
    return _Sections(g)


def _digest(form: str, tag: str) -> bytes:
    """The key a morpheme type is remembered by: never its form (a form can be a
    person's name; ``types.py`` promises no raw sensitive value outlives a
    request), a 16-byte BLAKE2b digest of it, as ``names.SentenceCache`` keys."""
    data = f"{form}\x00{tag}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


class DigestMemo(Generic[_T]):
    """Answers about strings that may be names (a word, a morpheme's form),
    remembered for the ``size`` most recently asked under a 16-byte digest of
    the string (``_digest``), never the string: what ``functools.lru_cache``
    would do, without keeping the name. Oldest out first when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[bytes, _T] = {}
        self._lock = threading.Lock()

    def get(self, word: str, compute: Callable[[str], _T]) -> _T:
        key = _digest(word, "")
        found = self._entries.get(key, _MISSING)
        if found is not _MISSING:
            return cast(_T, found)
        value = compute(word)
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                del self._entries[next(iter(self._entries))]
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MISSING = object()


class TypeRows:
    """The hashed ``_type_features`` of morpheme types (form and tag), for the
    ``size`` most recently new ones: most morphemes of a text are common words
    that every text repeats, so their features are built and hashed once, not
    once per occurrence. Keyed by ``_digest``, never by the form; the rows hold
    feature hashes (18-bit indexes), never a string. Bounded: when a text
    brings more new types than there is room for, all are forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots: dict[bytes, int] = {}
        self._rows: npt.NDArray[np.int32] = np.zeros((0, 0), dtype=np.int32)
        self._table: PieceClusters | None = None
        self._lock = threading.Lock()

    def of(self, table: PieceClusters, morphemes: Sequence[Morpheme]) -> npt.NDArray[np.int32]:
        """One row per morpheme, then the edge's row twice (so that indexes
        ``-2``, ``-1``, ``n`` and ``n + 1`` are the places off either end)."""
        keys = [_digest(m.form, m.tag) for m in morphemes]
        with self._lock:
            if self._table is not table:
                # A new table (first use, or a test reloading it): rows built
                # from another are stale.
                edge = hashed(_edge_features(table))
                self._rows = np.zeros((self.size + 1, len(edge)), dtype=np.int32)
                self._rows[self.size] = edge
                self._slots.clear()
                self._table = table
            width = self._rows.shape[1]
            if len(keys) > self.size:  # more morphemes than room: none remembered
                features = [f for m in morphemes for f in _type_features(table, m.form, m.tag)]
                edge = self._rows[self.size]
                rows = hashed(features).reshape(len(morphemes), width)
                return np.vstack([rows, edge, edge]).astype(np.int32)
            if len(self._slots) + len(keys) > self.size:
                self._slots.clear()  # before, not during: this text's slots stay valid
            slots = self._slots
            at = []
            # The types new to the table, hashed in one call: one call per type
            # cost ~5 us each in numpy's overhead alone (80-90 new types a KB).
            new: list[int] = []
            features = []
            for key, m in zip(keys, morphemes, strict=True):
                slot = slots.get(key)
                if slot is None:
                    slot = slots[key] = len(slots)
                    new.append(slot)
                    features += _type_features(table, m.form, m.tag)
                at.append(slot)
            if new:
                self._rows[new] = hashed(features).reshape(len(new), width)
            at += (self.size, self.size)
            return self._rows[at]

    def __len__(self) -> int:
        return len(self._slots)

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()


# 32,768 types: the rows take 32,768 x 37 x 4 bytes (4.8 MB) and the digests
# about 3 MB. A KB of news brings 80-90 types an empty table has not seen, and
# 25-30 once it has seen 150 KB (the NER development sentences).
TYPE_ROWS = TypeRows(1 << 15)


def _keys(
    morphemes: Sequence[Morpheme], indexes: Sequence[int], context: list[str], width: int
) -> npt.NDArray[np.int64]:
    """The hashed features of the candidates ``indexes``, one row each: their
    type's own, their neighbours' as neighbours (``_type_features``), and
    ``width`` of their own built from the text around them (``context``, row by
    row)."""
    table = piece_clusters()
    sections = _sections(len(table.granularities))
    keys = np.empty((len(indexes), sections.width + width), dtype=np.int64)
    if not len(indexes):
        return keys
    # Two edge rows after the morphemes' (``TypeRows.of``): a neighbour one or
    # two places off either end (index -2, -1, n or n + 1) is an edge.
    types = TYPE_ROWS.of(table, morphemes)
    at = np.array(indexes, dtype=np.int64)[:, None]
    keys[:, : sections.width] = types[at + sections.offsets, sections.columns]
    keys[:, sections.width :] = hashed(context).reshape(len(indexes), width)
    return keys


def _context(text: str, morphemes: Sequence[Morpheme], i: int) -> list[str]:
    """Features shared by both languages besides the morphemes' own
    (``_type_features``): tags and forms around it together, the text around
    it. Always ``_CONTEXT`` of them."""
    m = morphemes[i]
    tag = m.tag
    last = len(morphemes) - 1
    pf, pt = (morphemes[i - 1].form, morphemes[i - 1].tag) if i > 0 else _EDGE
    nf, nt = (morphemes[i + 1].form, morphemes[i + 1].tag) if i < last else _EDGE
    after, before = text[m.end : m.end + 3], text[max(0, m.start - 3) : m.start]
    return [
        f"pt_t_nt={pt}/{tag}/{nt}",
        f"t_nt={tag}/{nt}",
        f"pt_t={pt}/{tag}",
        f"pw_nw={pf}/{nf}",
        f"a1={after[:1]}",
        f"a2={after[:2]}",
        f"a3={after}",
        f"b1={before[-1:]}",
        f"b2={before[-2:]}",
    ]


_CONTEXT = 9
_WORD_REACH = 48


@dataclass(frozen=True)
class Candidates:
    """What a model scores in one text: the analyser's morphemes, the indexes of
    those that could be part of a name and, one row each, their hashed
    features (``keys``: as many in every row, a feature possibly repeated —
    a row counts each once, ``features``) and, for Japanese, their word-vector
    features."""

    morphemes: Sequence[Morpheme]
    indexes: list[int]
    keys: npt.NDArray[np.int64]
    dense: npt.NDArray[np.float32] | None = None

    def features(self, row: int) -> npt.NDArray[np.int64]:
        """The distinct hashed features of candidate ``row`` (training's columns)."""
        return _unique(self.keys[row])


def korean_features(
    text: str,
    morphemes: Sequence[Morpheme],
    rule_scores: Sequence[float],
    *,
    surnames: frozenset[str],
    titles: tuple[str, ...],
    places: frozenset[str],
) -> Candidates:
    """The Korean morphemes that could be part of a name, with their features.
    ``rule_scores[i]`` is the rule-based score of the finding covering morpheme
    ``i`` (0 when none)."""
    indexes: list[int] = []
    context: list[str] = []
    for i, m in enumerate(morphemes):
        if m.tag.startswith(KO_SKIP):
            continue
        form = m.form
        space_before = m.start == 0 or text[m.start - 1] == " "
        space_after = m.end >= len(text) or text[m.end] == " "
        # The word (eojeol) around the morpheme, looked for no further than
        # _WORD_REACH: a long run without spaces would make this quadratic.
        lo, hi = max(0, m.start - _WORD_REACH), min(len(text), m.end + _WORD_REACH)
        word_start = text.rfind(" ", lo, m.start)
        word_start = lo if word_start < 0 else word_start + 1
        word_end = text.find(" ", m.end, hi)
        word_end = hi if word_end < 0 else word_end
        rest, lead = text[m.end : word_end], text[word_start : m.start]
        context += _context(text, morphemes, i)
        context += [
            f"c01={form[:2]}",
            # How unexpected the morpheme is to Kiwi's language model, in steps of
            # 4 (a rare foreign word scores far below a common noun).
            f"lm={max(-8, int(m.lm_score // 4))}",
            f"sur1={form[:1] in surnames}/{m.tag}/{min(len(form), 5)}",
            f"sp={space_before}{space_after}",
            f"rule={round(rule_scores[i], 1)}",
            f"title={text[m.end : m.end + 5].lstrip().startswith(titles)}",
            f"place={form in places}",
            f"word={text[word_start:word_end]}",
            f"rest={rest[:4]}",
            f"lead={lead[-3:]}",
            f"restlen={min(len(rest), 4)}",
            f"leadlen={min(len(lead), 4)}",
        ]
        indexes.append(i)
    return Candidates(morphemes, indexes, _keys(morphemes, indexes, context, _CONTEXT + 12))


# Characters that join the parts of one Japanese name (ジョン・スミス,
# ジャン=ポール): parts found on both sides make one name.
JA_JOINERS = "・･=＝"
_JA_VECTOR_OFFSETS = (-2, -1, 0, 1, 2)
# The mean vector of the morphemes this far on either side (about a sentence
# each way): what the text is about — a match report, a novel's plot, a company
# history.
_JA_TOPIC_REACH = 32


def _joins(m: Morpheme) -> bool:
    return m.tag.startswith(("名詞", "接尾辞")) or m.form in JA_JOINERS


def _noun_runs(morphemes: Sequence[Morpheme]) -> list[tuple[int, int]]:
    """For each morpheme, the first and last index of the run of touching nouns,
    suffixes and name joiners it is in (itself alone when it is none of those):
    the run's last word and the word after it tell a person (ロバート・キャパは)
    from an organisation or place named after one (ロバート・ボッシュ社)."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(morphemes)
    while i < n:
        j = i
        if _joins(morphemes[i]):
            while j + 1 < n and _joins(nxt := morphemes[j + 1]) and morphemes[j].end == nxt.start:
                j += 1
        runs += [(i, j)] * (j - i + 1)
        i = j + 1
    return runs


def japanese_features(
    text: str,
    morphemes: Sequence[Morpheme],
    *,
    honorifics: tuple[str, ...],
    not_names: frozenset[str],
) -> Candidates:
    """The Japanese morphemes that could be part of a name, with their features.
    A Japanese tag is sudachipy's part of speech, four levels joined by '/', and
    '/OOV' after them for a word its dictionary does not hold (often a foreign
    name). The word vectors (``word_vectors``) are those of the morpheme and two
    neighbours each side, of the last word of its noun run and the word after
    the run, and the mean of those around it (``_JA_TOPIC_REACH``)."""
    runs = _noun_runs(morphemes)
    indexes: list[int] = []
    context: list[str] = []
    for i, m in enumerate(morphemes):
        # An honorific or title (さん, 様, 部長, 両氏) follows a name and is never
        # part of it.
        if m.tag.split("/", 1)[0] in JA_SKIP or m.form in not_names:
            continue
        context += _context(text, morphemes, i)
        context += [
            f"t3={'/'.join(m.tag.split('/', 3)[:3])}",
            f"hon={text[m.end : m.end + 3].startswith(honorifics)}",
            f"run={min(runs[i][1] - runs[i][0], 7)}",
        ]
        indexes.append(i)
    keys = _keys(morphemes, indexes, context, _CONTEXT + 3)
    return Candidates(morphemes, indexes, keys, _japanese_vectors(morphemes, indexes, runs))


def _japanese_vectors(
    morphemes: Sequence[Morpheme], indexes: Sequence[int], runs: Sequence[tuple[int, int]]
) -> npt.NDArray[np.float32]:
    table = word_vectors()
    n, width = len(morphemes), table.vectors.shape[1]
    get, unknown = table.rows.get, table.unknown
    # Row of each morpheme's vector (``WordVectors.row``), then the unknown
    # (zero) row twice: a neighbour one or two places off either end (index
    # -2, -1, n or n + 1) reads zeros.
    found = [get(m.form) for m in morphemes]
    rows = np.array(
        [get(m.norm, unknown) if r is None else r for r, m in zip(found, morphemes, strict=True)]
        + [unknown, unknown],
        dtype=np.int64,
    )
    at = np.array(indexes, dtype=np.int64)
    ends = np.array([runs[i][1] for i in indexes], dtype=np.int64)
    picked = np.column_stack(
        [
            rows[at[:, None] + np.array(_JA_VECTOR_OFFSETS, dtype=np.int64)],
            rows[np.where(ends > at, ends, n)],  # the run's last word, if not this one
            rows[ends + 1],  # the word after the run (none: index n)
        ]
    )
    # Running sums in float64: over a long text float32 sums would lose the
    # window means' precision to the size of the totals.
    sums = np.zeros((n + 1, width))
    np.cumsum(table.vectors[rows[:n]], axis=0, dtype=np.float64, out=sums[1:])
    lo = np.maximum(at - _JA_TOPIC_REACH, 0)
    hi = np.minimum(at + _JA_TOPIC_REACH + 1, n)
    vectors = np.empty((len(at), (picked.shape[1] + 1) * width), dtype=np.float32)
    vectors[:, :-width] = table.vectors[picked].reshape(len(at), picked.shape[1] * width)
    vectors[:, -width:] = (sums[hi] - sums[lo]) / (hi - lo)[:, None]
    return vectors


def merge_names(
    text: str,
    morphemes: Sequence[Morpheme],
    indexes: Sequence[int],
    probabilities: Sequence[float],
    threshold: float,
    joiners: str = "",
) -> list[tuple[int, int, float]]:
    """Names from scored morphemes: those at or above ``threshold``; touching ones,
    and ones with just one of ``joiners`` between them, merged into one (its
    probability is the highest of its parts)."""
    spans: list[tuple[int, int, float]] = []
    for i, p in zip(indexes, probabilities, strict=True):
        if p < threshold:
            continue
        m = morphemes[i]
        if spans and (
            spans[-1][1] >= m.start
            or (spans[-1][1] + 1 == m.start and text[spans[-1][1]] in joiners)
        ):
            start, end, best = spans[-1]
            spans[-1] = (start, max(end, m.end), max(best, p))
        else:
            spans.append((m.start, m.end, p))
    return spans


def _index(feature: str, mask: int = DIM - 1) -> int:
    return zlib.crc32(feature.encode("utf-8")) & mask


def hashed(features: Sequence[str], dim: int = DIM) -> npt.NDArray[np.int64]:
    """Stable (not per-process salted) hashes of feature strings, as indexes.
    Not remembered: the strings hold forms and text, and hashing a fresh string
    costs what looking it up would."""
    out = np.fromiter(
        map(zlib.crc32, map(str.encode, features)), dtype=np.int64, count=len(features)
    )
    out &= dim - 1
    return out


def _unique(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``np.unique`` of an integer array by sorting: numpy 2's hash-based unique
    took 0.3 ms for the 5,000 keys of a KB of Korean, this 0.02 ms."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


@dataclass(frozen=True)
class TokenModel:
    """Logistic regression over hashed features (``weights``) and, for Japanese,
    word vectors (``dense_weights``; empty for Korean); ``threshold`` is the
    operating point chosen in training (the probability at which a morpheme is a
    name); ``joiners`` are the characters that join name parts (``merge_names``)."""

    weights: npt.NDArray[np.float32]
    bias: float
    threshold: float
    dense_weights: npt.NDArray[np.float32]
    joiners: str = ""

    def probabilities(
        self, rows: npt.NDArray[np.int64], dense: npt.NDArray[np.float32] | None = None
    ) -> npt.NDArray[np.float64]:
        """The probability of each row of hashed features (``Candidates.keys``)
        being part of a name."""
        if not len(rows):
            return np.zeros(0)
        dim = len(self.weights)
        count, width = rows.shape
        # All rows at once: (row, index) pairs made unique, so a feature present
        # twice in one row counts once, as in training.
        flat = rows.reshape(-1) & (dim - 1)
        keys = _unique(np.repeat(np.arange(count, dtype=np.int64), width) * dim + flat)
        row_of, index = np.divmod(keys, dim)
        z = np.bincount(row_of, weights=self.weights[index], minlength=count) + self.bias
        if len(self.dense_weights) or dense is not None:
            if dense is None or dense.shape != (count, len(self.dense_weights)):
                raise ValueError(
                    f"the model reads {len(self.dense_weights)} vector features a row, "
                    f"got {None if dense is None else dense.shape}"
                )
            z += dense @ self.dense_weights
        result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))
        return result

    def names(self, text: str, candidates: Candidates) -> list[tuple[int, int, float]]:
        """(start, end, probability) of each name in one text."""
        return self.names_of([(text, candidates)])[0]

    def names_of(
        self, texts: Sequence[tuple[str, Candidates]]
    ) -> list[list[tuple[int, int, float]]]:
        """``names`` of several texts, their rows scored in one pass (a row's
        probability does not depend on the rows beside it)."""
        if not texts:
            return []
        rows = np.vstack([c.keys for _, c in texts])
        dense = None
        if any(c.dense is not None for _, c in texts):
            dense = np.vstack(
                [c.dense for _, c in texts if c.dense is not None and len(c.indexes)]
                or [np.zeros((0, len(self.dense_weights)), dtype=np.float32)]
            )
        probabilities = self.probabilities(rows, dense).tolist()
        out, at = [], 0
        for text, candidates in texts:
            mine = probabilities[at : at + len(candidates.indexes)]
            at += len(candidates.indexes)
            out.append(
                merge_names(
                    text,
                    candidates.morphemes,
                    candidates.indexes,
                    mine,
                    self.threshold,
                    self.joiners,
                )
            )
        return out

    def score(self, probability: float) -> float:
        """A finding's score: the threshold maps to 0.6 (above the default
        policy's PERSON minimum of 0.5), certainty to 1."""
        return calibrate(max(probability, self.threshold), self.threshold, 0.6)


JOINERS = {"ko": "", "ja": JA_JOINERS}


def model_file(language: str) -> str:
    return f"persons_{language}.npz"


def _token_model(language: str, data: dict[str, npt.NDArray[np.generic]]) -> TokenModel:
    if int(data["feature_version"]) != FEATURE_VERSION:
        raise ValueError(
            f"{model_file(language)} was trained on feature version "
            f"{int(data['feature_version'])}, this code makes "
            f"{FEATURE_VERSION}: retrain with bench/train/train_persons.py"
        )
    return TokenModel(
        weights=np.asarray(data["weights"], dtype=np.float32),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        dense_weights=np.asarray(data["dense_weights"], dtype=np.float32),
        joiners=JOINERS[language],
    )


def load_model(language: str) -> TokenModel:
    """The packaged model for ``language`` ("ko" or "ja"). A missing or stale
    file raises: the detector then fails, and the guard blocks (fail closed)."""
    return _table(model_file(language), functools.partial(_token_model, language))
