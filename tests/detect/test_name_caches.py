"""What the person detector remembers after a request: never a name.

``types.py`` promises that no raw sensitive string outlives a request. The
detector's caches (sentences, morpheme types, word tests) are keyed by digests;
this walks everything reachable from the ``gwanmun`` modules after a request
and fails if any of it still holds the name the request carried — as a
``functools.lru_cache`` keyed by a morpheme's form, or a dict of feature
strings, would.
"""

from __future__ import annotations

import gc
import random
import sys
import types
from collections.abc import Iterator

import pytest

from gwanmun.detect import names, person_model
from gwanmun.detect.names import PersonNames
from gwanmun.detect.person_model import Morpheme


def _reachable() -> Iterator[object]:
    """Every object reachable from the ``gwanmun`` modules, not following into
    other modules (numpy's, the analysers'), which the detector does not write."""
    foreign = {
        id(module.__dict__)
        for name, module in list(sys.modules.items())
        if module is not None and not name.startswith("gwanmun")
    }
    stack: list[object] = [m for n, m in list(sys.modules.items()) if n.startswith("gwanmun")]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in foreign:
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, types.ModuleType) and not obj.__name__.startswith("gwanmun"):
            continue
        stack += gc.get_referents(obj)


def _holders(needle: str) -> list[str]:
    """Where a string containing ``needle`` is held (type names of the holders)."""
    out = []
    for obj in _reachable():
        if isinstance(obj, dict):
            items: list[object] = [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            items = list(obj)
        else:
            continue
        out += [type(obj).__name__ for x in items if isinstance(x, str) and needle in x]
    return out


def _unheard_name(rng: random.Random, surname: str, syllables: str) -> str:
    """A name of two syllables after ``surname`` that nothing holds yet."""
    while True:
        name = surname + "".join(rng.choice(syllables) for _ in range(2))
        if not _holders(name):
            return name


@pytest.mark.parametrize(
    ("surname", "syllables", "template"),
    [
        (
            "김",
            "".join(map(chr, range(0xAC00, 0xD7A4, 97))),
            "{name} 주무관에게 {name} 씨의 서류를 보냈다.",
        ),
        ("田中", "".join(map(chr, range(0x4E00, 0x9FA0, 211))), "{name}さんと{name}氏が来た。"),
    ],
    ids=["ko", "ja"],
)
def test_no_name_is_remembered_after_a_request(surname: str, syllables: str, template: str) -> None:
    detector = PersonNames()
    detector.detect("김민수 주무관과 田中太郎さん")  # every table loaded before the first look
    name = _unheard_name(random.Random(), surname, syllables)
    text = template.format(name=name)
    assert detector.detect(text)  # the name was read (found or not, it was scored)
    names.korean_word_is_name_free(name + "씨가")
    names.japanese_final_prefix(text)
    assert _holders(name) == []


def test_type_rows_stay_right_when_the_table_fills() -> None:
    table = person_model.piece_clusters()
    rows = person_model.TypeRows(4)
    forms = ("회의", "예산", "보고", "문서", "결재", "회의")
    words = [Morpheme(f, "NNG", 0, len(f)) for f in forms]

    def direct(m: Morpheme) -> list[int]:
        return person_model.hashed(person_model._type_features(table, m.form, m.tag)).tolist()

    edge = person_model.hashed(person_model._edge_features(table)).tolist()
    # Three fit; three more empty the table first; six are more than it holds.
    # A type new twice in one text takes one slot (its row hashed once).
    for batch in (words[:3], words[2:5], words, words[:2], [*words[3:6], words[3]]):
        got = rows.of(table, batch).tolist()
        assert got == [direct(m) for m in batch] + [edge, edge]
        assert len(rows) <= rows.size
    assert all(isinstance(key, bytes) for key in rows._slots)


def test_word_answers_are_remembered_by_digest_and_bounded() -> None:
    memo: person_model.DigestMemo[int] = person_model.DigestMemo(2)
    asked: list[str] = []

    def compute(word: str) -> int:
        asked.append(word)
        return len(word)

    assert [memo.get(w, compute) for w in ("김민수", "김민수", "홍길동", "이순신")] == [3, 3, 3, 3]
    assert asked == ["김민수", "홍길동", "이순신"] and len(memo) == 2
    assert all(isinstance(key, bytes) and len(key) == 16 for key in memo._entries)
