"""The person tagger's own work, analysis excluded, in CPU milliseconds per 1 KB.

    python bench/speed/person_tagger.py --old /tmp/tagger-old/src --rounds 3

``guard_parts.py`` times the whole person detector and the analysers beside
it; on a shared machine the difference of two noisy numbers is noisier
still. Here the analysers are replaced by stand-ins that hand back analyses
made beforehand (the same objects Kiwi and Sudachi returned), so what is
timed is everything the detector does after analysis: the rules, building
morphemes, features, hashing, scoring, merging. Texts: about 1 KB of Korean or
Japanese NER development sentences each (``guard_parts.py``'s news); the
sentence cache off. Per text the best of ``--repeats`` runs (the type table
warm after the first, as in a running gateway), then the median over texts.
With ``--old``, each round runs both trees in turn in fresh subprocesses.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* as a script
from bench.trees import in_tree  # noqa: E402

_CHILD = """
import json, sys
sys.path.insert(1, {root!r})
from bench.speed.person_tagger import measure_here
print(json.dumps(measure_here({texts}, {repeats})))
"""


class _Kiwi:
    """Kiwi's analyses of known texts, handed back."""

    def __init__(self, kiwi: Any, texts: set[str]) -> None:
        self.kiwi, self.done = kiwi, {text: kiwi.tokenize(text) for text in texts}

    def tokenize(self, text: str) -> Any:
        return self.done[text]

    def analyze(self, *args: Any, **kwargs: Any) -> Any:
        return self.kiwi.analyze(*args, **kwargs)


class _Sudachi:
    """Sudachi's analyses of known texts, handed back."""

    def __init__(self, tokenizer: Any, mode: Any, texts: set[str]) -> None:
        self.done = {text: tokenizer.tokenize(text, mode) for text in texts}

    def tokenize(self, text: str, mode: Any) -> Any:
        return self.done[text]


def _stand_in(language: str, texts: list[str]) -> None:
    """Replace ``language``'s analyser by one that hands back its analyses of
    every sentence of ``texts`` as the detector reads them."""
    from gwanmun.detect import names

    reads = {
        text[start - names.lead_in(text, start) : end]
        for text in texts
        for start, end in names.segments(text)
    }
    if language == "ko":
        kiwi = _Kiwi(names._kiwi(), reads)
        names._kiwi = lambda: kiwi  # type: ignore[assignment]
    else:
        tokenizer, mode = names._sudachi()
        pieces = {c for r in reads for _, c in names.chunks(r, names._SUDACHI_CHUNK)}
        sudachi = (_Sudachi(tokenizer, mode, pieces), mode)
        names._sudachi = lambda: sudachi  # type: ignore[assignment]


def measure_here(count: int, repeats: int) -> dict[str, float]:
    """Median over ``count`` texts a language of the best of ``repeats`` CPU ms."""
    import time

    from bench.speed.guard_parts import _news
    from gwanmun.detect import names

    detector = names.PersonNames(cache_size=0)
    detector.warm_up()  # both analysers and models loaded before any stand-in
    out: dict[str, float] = {}
    for language in ("ko", "ja"):
        texts = _news(language, count)
        _stand_in(language, texts)
        best = [float("inf")] * len(texts)
        for _ in range(repeats):
            for k, text in enumerate(texts):
                start = time.process_time_ns()
                detector.detect(text)
                best[k] = min(best[k], time.process_time_ns() - start)
        out[language] = statistics.median(best) / 1e6
    return out


def measure(src: Path, texts: int, repeats: int) -> dict[str, float]:
    result: dict[str, float] = in_tree(
        src, _CHILD.format(root=str(ROOT), texts=texts, repeats=repeats), "the measurement"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="an old tree's src directory, measured beside")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--texts", type=int, default=60, help="1 KB texts a language")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each text (best kept)")
    args = parser.parse_args()
    trees = {"new": args.new} | ({"old": args.old} if args.old else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, src in trees.items():
            runs[name].append(measure(src, args.texts, args.repeats))
    print(f"tagger CPU ms per 1 KB, analysis excluded, median of {args.rounds} rounds")
    for language in ("ko", "ja"):
        new = statistics.median(r[language] for r in runs["new"])
        line = f"  {language}  new {new:.2f}"
        if args.old:
            old = statistics.median(r[language] for r in runs["old"])
            line += f"  old {old:.2f}  new/old {new / old:.2f}"
        rounds = "  ".join(
            f"{name}: " + " ".join(f"{r[language]:.2f}" for r in runs[name]) for name in trees
        )
        print(f"{line}   (rounds {rounds})")


if __name__ == "__main__":
    main()
