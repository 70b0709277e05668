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
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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
    env = {**os.environ, "PYTHONPATH": str(src)}
    code = _CHILD.format(root=str(ROOT), repeat=repeat)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the old tree's src directory")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
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
