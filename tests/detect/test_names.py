"""Person names in Korean, Japanese and English, and a floor on the public dev sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanmun.detect import run_detectors
from gwanmun.detect.names import PersonNames
from tests.detect.helpers import found

NAMES = PersonNames()
DATA = Path(__file__).parents[1] / "data"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("김민수 주무관에게 연락했다", "김민수"),
        ("이영희 과장님께 보고", "이영희"),
        ("홍길동씨가 민원을 냈다", "홍길동"),
        ("성매매 여성 김모(33)씨", "김"),
        ("田中太郎さんが来た", "田中太郎"),
        ("担当は鈴木様です", "鈴木"),
        ("Please ask Dr. Jane Smith.", "Jane Smith"),
        ("Sarah Connor called.", "Sarah Connor"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert expected in [v for _, v in found(text, NAMES)]


@pytest.mark.parametrize("text", ["서울시청에서 회의", "東京都庁で会議", "The Ministry of Finance"])
def test_places_and_organisations_are_not_people(text: str) -> None:
    assert found(text, NAMES) == []


def _score(path: Path, label: str, lines: int) -> tuple[float, float]:
    tp = fp = fn = 0
    with path.open(encoding="utf-8") as fh:
        for _, line in zip(range(lines), fh, strict=False):
            row = json.loads(line)
            gold = [(e["start"], e["end"]) for e in row["entities"] if e["type"] == label]
            pred = [(f.start, f.end) for f in run_detectors(row["text"], [NAMES])]

            def hit(a: tuple[int, int], bs: list[tuple[int, int]]) -> bool:
                return any(a[0] < b[1] and b[0] < a[1] for b in bs)

            tp += sum(hit(g, pred) for g in gold)
            fn += sum(not hit(g, pred) for g in gold)
            fp += sum(not hit(p, gold) for p in pred)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize(
    ("name", "label", "min_precision", "min_recall"),
    [
        # Regression floors a little under what bench/eval_guard.py measures on the
        # full dev sets; the target (recall 0.90 at precision 0.80) is not met
        # yet for Korean, see docs/benchmarks.md.
        ("ko_ner.sample.jsonl", "PS", 0.55, 0.58),
        ("ja_ner.sample.jsonl", "人名", 0.72, 0.8),
    ],
)
def test_dev_set_floor(name: str, label: str, min_precision: float, min_recall: float) -> None:
    precision, recall = _score(DATA / name, label, 400)
    assert precision >= min_precision and recall >= min_recall, (precision, recall)


def test_long_texts_are_scanned_whole() -> None:
    # sudachipy refuses more than 49,149 bytes at once; the detector must not.
    japanese = "会議の記録です。" * 5000 + "田中太郎さんが来た。"
    korean = "회의 기록입니다. " * 12000 + "김민수 주무관이 왔다."
    assert len(japanese.encode()) > 100_000 and len(korean.encode()) > 100_000
    assert ("PERSON", "田中太郎") in found(japanese, NAMES)
    assert ("PERSON", "김민수") in found(korean, NAMES)


def test_japanese_names_from_several_threads_at_once() -> None:
    """sudachipy tokenizers are not shareable: each thread gets its own."""
    from concurrent.futures import ThreadPoolExecutor

    from gwanmun.detect import REGISTRY

    detector = REGISTRY.get("person_names")
    text = "担当の山田太郎さんと佐藤花子さんに連絡しました。" * 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: len(detector.detect(text)), range(16)))
    assert len(set(results)) == 1 and results[0] >= 40
