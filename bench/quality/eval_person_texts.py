"""The person detector as shipped, on single sentences and on whole texts, for
two source trees side by side.

    python bench/quality/eval_person_texts.py
    python bench/quality/eval_person_texts.py --old /tmp/old-e1edd71/src

eval_guard.py scores names one NER sentence at a time; requests are texts of
many sentences. Here the shipped detector (``PersonNames``, through
``run_detectors`` as the guard runs it) is scored, per language:

- on the 400 held-out sentences the model never saw (tests/data/*.sample.jsonl),
  each alone, and joined eight at a time into texts of about 1 KB;
- on the whole development set joined eight sentences at a time (the model
  trained on most of it, so the absolute numbers flatter it; what counts is
  old against new);
- false alarms: held-out sentences with no person that get a PERSON finding,
  and the project's Korean and Japanese office requests
  (bench/data/benign_prompts.jsonl) that do.

A hit is any overlap with a labelled name (eval_guard's rule). With ``--old``
the old tree is scored in a subprocess on the same inputs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* as a script
from bench.trees import in_tree  # noqa: E402

_CHILD = """
import json, sys
sys.path.insert(1, {root!r})
from bench.quality.eval_person_texts import score_here
print(json.dumps(score_here()))
"""

Span = tuple[int, int]


def joined(records: list[tuple[str, list[Span]]], size: int = 8) -> list[tuple[str, list[Span]]]:
    """Records joined ``size`` at a time with a space, gold spans moved along."""
    out = []
    for i in range(0, len(records), size):
        parts, gold, at = [], [], 0
        for text, spans in records[i : i + size]:
            parts.append(text)
            gold += [(s + at, e + at) for s, e in spans]
            at += len(text) + 1
        out.append((" ".join(parts), gold))
    return out


# Language: the development set and its label for a person (bench/train/train_persons.py).
SETS = {"ko": ("ko_ner.dev.jsonl", "PS"), "ja": ("ja_ner.dev.jsonl", "人名")}


def split(language: str) -> tuple[list[tuple[str, list[Span]]], list[tuple[str, list[Span]]]]:
    """(records the model trained on, the tests' held-out records), as
    bench/train/train_persons.py splits them (without its training imports)."""
    from devtools.evalsets import EVAL, load

    name, label = SETS[language]
    held = {r["id"] for r in load(ROOT / "tests" / "data" / name.replace(".dev.", ".sample."))}
    train: list[tuple[str, list[Span]]] = []
    test: list[tuple[str, list[Span]]] = []
    for r in load(EVAL / name):
        gold = [(e["start"], e["end"]) for e in r["entities"] if e["type"] == label]
        (test if r["id"] in held else train).append((r["text"], gold))
    return train, test


def overlap_scores(gold: list[list[Span]], predicted: list[list[Span]]) -> tuple[float, float]:
    """Precision and recall of names, a hit being any overlap (eval_guard's rule)."""
    tp = fn = fp = 0
    for labelled, found in zip(gold, predicted, strict=True):
        for gs, ge in labelled:
            hit = any(s < ge and gs < e for s, e in found)
            tp, fn = tp + hit, fn + (not hit)
        fp += sum(not any(gs < e and s < ge for gs, ge in labelled) for s, e in found)
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def score_here() -> dict[str, list[float]]:
    """Precision, recall (and a count) of every line, in this interpreter."""
    sys.path.insert(0, str(ROOT))
    from devtools.evalsets import load
    from gwanmun.detect import run_detectors
    from gwanmun.detect.names import PersonNames

    detector = [PersonNames()]

    def names(text: str) -> list[Span]:
        return [(f.start, f.end) for f in run_detectors(text, detector) if f.kind == "PERSON"]

    out: dict[str, list[float]] = {}
    for language in SETS:
        train, test = split(language)
        for label, records in (
            ("held out, sentences", test),
            ("held out, 8-sentence texts", joined(test)),
            ("whole dev set, 8-sentence texts", joined(train + test)),
        ):
            found = [names(text) for text, _ in records]
            p, r = overlap_scores([g for _, g in records], found)
            out[f"{language} {label}"] = [p, r, len(records)]
        ordinary = [text for text, gold in test if not gold]
        flagged = sum(bool(names(text)) for text in ordinary)
        out[f"{language} held out, no person: flagged"] = [flagged, len(ordinary)]
    office = [
        row["text"]
        for row in load(ROOT / "bench" / "data" / "benign_prompts.jsonl")
        if re.search(r"[가-힣\u3040-\u30ff]", row["text"])
    ]
    out["office requests: flagged"] = [sum(bool(names(t)) for t in office), len(office)]
    return out


def measure(src: Path) -> dict[str, list[float]]:
    result: dict[str, list[float]] = in_tree(src, _CHILD.format(root=str(ROOT)), "scoring")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="an old tree's src directory, scored beside")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src")
    args = parser.parse_args()
    trees = {"new": measure(args.new)}
    if args.old:
        trees["old"] = measure(args.old)
    print(f"{'':<46}" + "".join(f"{name + ' P':>9}{name + ' R':>9}" for name in trees) + "  n")
    for line, new in trees["new"].items():
        if line.endswith("flagged"):
            cells = "".join(f"{int(t[line][0]):>18}" for t in trees.values())
            print(f"{line:<46}{cells}  of {int(new[1])}")
            continue
        cells = "".join(f"{t[line][0]:>9.3f}{t[line][1]:>9.3f}" for t in trees.values())
        print(f"{line:<46}{cells}  {int(new[2])}")


if __name__ == "__main__":
    main()
