"""The structured input guard of two source trees, side by side in one run.

    python bench/speed/guard_before_after.py --old /path/to/old/tree/src
    python bench/speed/guard_before_after.py --old /tmp/main/src --rounds 5

A change to normalisation or the detectors is judged against the code before
it, on the same machine at the same moment: each round runs the new tree and
the old one in turn, each in a fresh subprocess (the two cannot share one
interpreter: both are ``gwanmun``), on the inputs bench/speed/guard_speed.py
uses (1 KB and 100 KB of Korean and Japanese with an identifier after every
fifth sentence, plus a 62-character prompt). Each subprocess prints the median
seconds of ``run_detectors`` with the structured detectors (normalisation and
offset mapping included); the script prints the median over rounds per tree
and the ratio new / old (above 1: the new tree is slower). Alternating the
trees spreads the noise of a shared machine over both.

    python bench/speed/guard_before_after.py --old /tmp/main/src --in-process

``--in-process``: both trees in one process instead (the old one's modules
imported first and moved aside, devtools/normalize_same.py), ``normalize``
and the structured ``run_detectors`` called alternately in batches, CPU time
(``time.process_time``), best of ``--batches``: steadier than wall-clock
medians on a shared machine, where other processes take the CPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* as a script
from bench.trees import in_tree  # noqa: E402

# Run in the subprocess, with PYTHONPATH naming the tree under test.
_CHILD = """
import json, sys
sys.path.insert(1, {root!r})
from bench.speed.guard_speed import PROMPT, build_text, timed
from gwanmun.detect import run_detectors
from gwanmun.detect.builtin import builtin_detectors
detectors = builtin_detectors(structured_only=True)
out = {{}}
inputs = {{"prompt": PROMPT}}
for lang in ("ko", "ja"):
    for size in (1024, 100 * 1024):
        inputs[f"{{lang}} {{size // 1024}} KB"] = build_text(lang, size)
for name, text in inputs.items():
    out[name] = timed(lambda t: run_detectors(t, detectors), text, {repeat})
print(json.dumps(out))
"""


def measure(src: Path, repeat: int) -> dict[str, float]:
    result: dict[str, float] = in_tree(
        src, _CHILD.format(root=str(ROOT), repeat=repeat), "the measurement"
    )
    return result


def in_process(old_src: Path, batches: int) -> None:
    sys.path.insert(0, str(ROOT))
    from devtools.normalize_same import load_tree

    old_text, old_detect, old_builtin = load_tree(
        old_src, "gwanmun.text", "gwanmun.detect", "gwanmun.detect.builtin"
    )
    from bench.speed.guard_speed import PROMPT, build_text
    from gwanmun.detect import run_detectors
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.text import normalize

    old_detectors = old_builtin.builtin_detectors(structured_only=True)
    detectors = builtin_detectors(structured_only=True)
    calls: dict[str, tuple[Callable[[str], object], Callable[[str], object]]] = {
        "normalize": (old_text.normalize, normalize),
        "structured": (
            lambda t: old_detect.run_detectors(t, old_detectors),
            lambda t: run_detectors(t, detectors),
        ),
    }
    inputs = {"prompt": PROMPT}
    for lang in ("ko", "ja"):
        for size in (1024, 100 * 1024):
            inputs[f"{lang} {size // 1024} KB"] = build_text(lang, size)
    header = f"{'input':<12}{'call':<12}{'old us':>10}{'new us':>10}{'new/old':>9}"
    print(f"{header}   (CPU, best of {batches})")
    for name, text in inputs.items():
        calls_per_batch = max(4, 200_000 // max(1, len(text)))  # ~2 ms of normalize
        for call, (old, new) in calls.items():
            best = [float("inf"), float("inf")]
            for _ in range(batches):
                for i, fn in enumerate((old, new)):
                    start = time.process_time()
                    for _ in range(calls_per_batch):
                        fn(text)
                    best[i] = min(best[i], (time.process_time() - start) / calls_per_batch)
            old_us, new_us = best[0] * 1e6, best[1] * 1e6
            print(f"{name:<12}{call:<12}{old_us:>10.1f}{new_us:>10.1f}{new_us / old_us:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the old tree's src directory")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--in-process", action="store_true", help="both trees in one process")
    parser.add_argument("--batches", type=int, default=9)
    args = parser.parse_args()
    if args.in_process:
        in_process(args.old, args.batches)
        return
    runs: dict[str, list[dict[str, float]]] = {"new": [], "old": []}
    for _ in range(args.rounds):
        runs["new"].append(measure(args.new, args.repeat))
        runs["old"].append(measure(args.old, args.repeat))
    print(f"{'input':<12}{'old ms':>10}{'new ms':>10}{'new/old':>9}   (median of {args.rounds})")
    for name in runs["new"][0]:
        old = statistics.median(r[name] for r in runs["old"]) * 1000
        new = statistics.median(r[name] for r in runs["new"]) * 1000
        print(f"{name:<12}{old:>10.3f}{new:>10.3f}{new / old:>9.2f}")


if __name__ == "__main__":
    main()
