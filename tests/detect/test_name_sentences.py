"""The person detector reads Korean and Japanese sentence by sentence, each with
the end of the one before it, and remembers each sentence's names
(``SentenceCache``). A sentence's names must depend on that sentence and its
lead-in only — not on anything earlier or later, and not on what the cache saw
before — or a cache hit, or a window of a longer text, could change a result."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.detect.names import LEAD_IN, PersonNames, SentenceCache, lead_in, segments
from gwanmun.types import Finding

DATA = Path(__file__).parents[1] / "data"
SENTENCES = [
    json.loads(line)["text"]
    for name in ("ko_ner.sample.jsonl", "ja_ner.sample.jsonl")
    for line in (DATA / name).read_text(encoding="utf-8").splitlines()
][::7]
NOTICE = [
    "김민수 주무관님께, 민원 회신 초안을 부탁드립니다.",
    "추가 문의는 이서연 주무관에게 하시면 됩니다.",
    "田中太郎様、回答案をお願いします。",
    "問い合わせ先は佐藤花子さんです。",
]
SEPARATORS = (" ", "\n", "  ", "\n\n", "")

sentence = st.sampled_from(SENTENCES + NOTICE)
texts = st.lists(st.tuples(sentence, st.sampled_from(SEPARATORS)), min_size=1, max_size=5).map(
    lambda parts: "".join(s + sep for s, sep in parts)
)


def _spans(found: list[Finding]) -> list[tuple[int, int, float]]:
    return sorted((f.start, f.end, f.score) for f in found)


@given(st.text(alphabet="김민수。.!? \n가」ab田中", max_size=40))
def test_sentences_cover_the_text_end_to_end(text: str) -> None:
    cut = segments(text)
    assert [a for a, _ in cut] == [0, *[b for _, b in cut[:-1]]][: len(cut)]
    assert (cut[-1][1] if cut else 0) == len(text)
    assert all(a < b for a, b in cut)
    for start, _ in cut:
        assert 0 <= lead_in(text, start) <= min(LEAD_IN, start)


@settings(max_examples=25, deadline=None)
@given(texts, texts)
def test_a_cache_hit_never_changes_a_result(seen: str, text: str) -> None:
    """Whatever the cache saw before (sentences of ``seen``, some of them in
    ``text`` with other neighbours), ``text`` gets what a detector without a
    cache finds."""
    warm = PersonNames()
    warm.detect(seen)
    assert _spans(warm.detect(text)) == _spans(PersonNames(cache_size=0).detect(text))
    assert _spans(warm.detect(text)) == _spans(PersonNames(cache_size=0).detect(text))


@settings(max_examples=20, deadline=None)
@given(texts, texts, st.sampled_from(SENTENCES + NOTICE), texts)
def test_a_sentences_names_do_not_depend_on_far_context(
    before_a: str, before_b: str, middle: str, after: str
) -> None:
    """The names in a sentence are the same whatever came before its lead-in
    and whatever follows it: a window of a text that holds the sentence and
    its lead-in finds them as the whole text does."""
    lead = "연락 바랍니다. "  # the same sentence end before it on both sides
    a = before_a + "\n" + lead + middle + "\n" + after
    b = before_b + "\n" + lead + middle + "\n"
    detector = PersonNames(cache_size=0)

    def inside(text: str) -> list[tuple[int, int, float]]:
        at = text.index(lead + middle + "\n") + len(lead)
        return [
            (s - at, e - at, score)
            for s, e, score in _spans(detector.detect(text))
            if at <= s < at + len(middle)
        ]

    assert inside(a) == inside(b)


def test_the_cache_is_bounded_and_holds_no_text() -> None:
    detector = PersonNames(cache_size=3)
    text = " ".join(NOTICE) + " 박지훈 씨가 왔다. 鈴木一郎さんが来た。"
    first = _spans(detector.detect(text))
    assert len(detector.cache) == 3
    entries = detector.cache._entries
    assert all(isinstance(k, bytes) and len(k) == 16 for k in entries)
    values = [x for spans in entries.values() for span in spans for x in span]
    assert values and all(isinstance(x, int | float) for x in values)
    assert _spans(detector.detect(text)) == first


def test_no_cache_when_its_size_is_zero() -> None:
    detector = PersonNames(cache_size=0)
    assert _spans(detector.detect(NOTICE[0]))
    assert len(detector.cache) == 0


def test_a_full_stop_in_an_english_title_does_not_cut_a_name() -> None:
    text = "회의 참석자: Mr. Kim Smith. 다음 안건입니다."
    assert "Kim Smith" in [text[f.start : f.end] for f in PersonNames().detect(text)]


def test_sentence_cache_evicts_the_least_recently_used() -> None:
    cache = SentenceCache(2)
    keys = [SentenceCache.key(t, 0) for t in ("a", "b", "c")]
    cache.put(keys[0], ((0, 1, 0.9),))
    cache.put(keys[1], ())
    assert cache.get(keys[0]) == ((0, 1, 0.9),)  # a is now the most recent
    cache.put(keys[2], ())
    assert cache.get(keys[1]) is None and cache.get(keys[0]) is not None
