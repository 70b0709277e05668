"""Whether two source trees' person detectors find exactly the same names.

    python bench/quality/person_identical.py --old /tmp/tagger-old/src

For a change meant to make the tagger cheaper without changing what it finds:
every Korean and Japanese NER development sentence (shared/eval) alone, and
the same sentences joined eight at a time into texts of about 1 KB (the
sentence cache, lead-ins and one scoring pass over many sentences), are run
through each tree's ``PersonNames`` in a fresh subprocess. The PERSON findings
must have the same spans, and scores equal to within 1e-6; the first
differences are printed and the exit status is 1 if there are any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* as a script
from bench.trees import in_tree  # noqa: E402

TOLERANCE = 1e-6

_CHILD = """
import json, sys
sys.path.insert(1, {root!r})
from bench.quality.person_identical import findings_here
print(json.dumps(findings_here()))
"""

Found = list[list[list[float]]]  # per text, per finding: start, end, score


def texts() -> dict[str, list[str]]:
    """The inputs, by a label: each language's sentences alone and joined by eight."""
    from devtools.evalsets import EVAL, load

    out: dict[str, list[str]] = {}
    for language in ("ko", "ja"):
        sentences = [r["text"] for r in load(EVAL / f"{language}_ner.dev.jsonl")]
        out[f"{language} sentences"] = sentences
        out[f"{language} 8-sentence texts"] = [
            " ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)
        ]
    return out


def findings_here() -> dict[str, Found]:
    """Every input's PERSON findings, in this interpreter (the ``gwanmun`` on ``sys.path``)."""
    from gwanmun.detect.names import PersonNames

    out: dict[str, Found] = {}
    for label, batch in texts().items():
        detector = PersonNames()  # an empty sentence cache for each batch
        out[label] = [
            [[f.start, f.end, f.score] for f in detector.detect(text) if f.kind == "PERSON"]
            for text in batch
        ]
    return out


def measure(src: Path) -> dict[str, Found]:
    result: dict[str, Found] = in_tree(src, _CHILD.format(root=str(ROOT)), "the detector")
    return result


def differences(new: dict[str, Found], old: dict[str, Found]) -> list[str]:
    """One line per text whose findings differ (spans, or a score by more than ``TOLERANCE``)."""
    out = []
    for label, old_batch in old.items():
        for number, (a, b) in enumerate(zip(new[label], old_batch, strict=True)):
            same = len(a) == len(b) and all(
                x[:2] == y[:2] and abs(x[2] - y[2]) <= TOLERANCE for x, y in zip(a, b, strict=True)
            )
            if not same:
                out.append(f"{label} #{number}: new {a} old {b}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the old tree's src directory")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src")
    args = parser.parse_args()
    new, old = measure(args.new), measure(args.old)
    for label, batch in new.items():
        print(f"{label:<22} {len(batch):>5} texts, {sum(map(len, batch)):>5} PERSON findings")
    diff = differences(new, old)
    for line in diff[:20]:
        print(line)
    print(f"{len(diff)} texts differ" if diff else "identical")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
