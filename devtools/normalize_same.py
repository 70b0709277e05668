"""Whether this tree's ``normalize`` gives what another tree's gives, text and offsets.

    python devtools/normalize_same.py --old /tmp/main/src
    python devtools/normalize_same.py --old /tmp/main/src --seeds 1 2 3 --random 20000
    python devtools/normalize_same.py --old /tmp/main/src --each-char   # + 1.1 million

A speed change to normalisation must not change its output. The other tree is
loaded in the same process (``load_old``: its ``gwanmun`` modules imported
first, then moved aside so this tree's import as usual), and both are run on
the NER sentences, the structured set, obfuscated sets from
devtools/obfuscate.py at several seeds, random mixes of digits, numerals,
separators and look-alikes, the speed benchmarks' inputs, and (``--each-char``)
every code point between two digits. Prints the count
and the first differences; exits 1 on any.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

Normalize = Callable[[str], Any]


def load_tree(src: Path, *names: str) -> list[ModuleType]:
    """Modules ``names`` (``gwanmun.text`` …) of the tree at ``src``, imported
    before this tree's and then moved aside (as ``old_gwanmun…``), so this
    tree's ``gwanmun`` imports as usual and both run in one process."""
    if any(name == "gwanmun" or name.startswith("gwanmun.") for name in sys.modules):
        raise RuntimeError("load_tree must run before this tree's gwanmun is imported")
    sys.path.insert(0, str(src))
    try:
        modules = [importlib.import_module(name) for name in names]
    finally:
        sys.path.remove(str(src))
        for name in [n for n in sys.modules if n == "gwanmun" or n.startswith("gwanmun.")]:
            sys.modules["old_" + name] = sys.modules.pop(name)
    return modules


def load_old(src: Path) -> Normalize:
    """``gwanmun.text.normalize`` of the tree at ``src``, imported beside this one."""
    normalize: Normalize = load_tree(src, "gwanmun.text")[0].normalize
    return normalize


# What random texts are made of: digits and what a user puts among them.
_PIECES = (
    list("0123456789") * 4
    + list("영공일이삼사오육칠팔구〇零一二三四五六七八九壱弐参")
    + list("만천백십万千百十")
    + list("OoIl")
    + list(" \t\r\n-./~_,:·=+|\\'・、。〜∼～ーｰ一ㅡ")
    + ["  ", " - ", "--", "\n- ", "\u200b", "\u0301", "\ufe0f\u20e3", "１", "①", "❶", "٣"]
    + ["\u1172", "\u1abe", "\u00b4", "\u0344", "\u1100"]
    + list("가나다월이에요고년번호は号電話abcXYZ")
)


def random_texts(rng: random.Random, count: int) -> Iterator[str]:
    for _ in range(count):
        yield "".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 60)))


def corpus(seeds: list[int], per_kind: int, randoms: int) -> Iterator[str]:
    sys.path.insert(0, str(ROOT))
    from bench.quality.eval_obfuscated import obfuscated_set
    from bench.speed.guard_speed import PROMPT, build_text
    from devtools.evalsets import EVAL, SET, load

    for lang in ("ko", "ja"):
        yield from (r["text"] for r in load(EVAL / f"{lang}_ner.dev.jsonl"))
        for size in (1024, 100 * 1024):
            yield build_text(lang, size)
    yield PROMPT
    yield from (r["text"] for r in load(SET))
    for seed in seeds:
        yield from (row[0] for row in obfuscated_set(seed, per_kind))
    rng = random.Random(18)
    yield from random_texts(rng, randoms)


def each_char() -> Iterator[str]:
    """Every code point after a digit and before one: what NFKC makes of it
    (marks, digits, dashes) beside a number."""
    for code in range(0x110000):
        if not 0xD800 <= code <= 0xDFFF:
            yield f"1{chr(code)}2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the other tree's src directory")
    parser.add_argument("--seeds", type=int, nargs="+", default=[18, 7, 1])
    parser.add_argument("--per-kind", type=int, default=300)
    parser.add_argument("--random", type=int, default=20000)
    parser.add_argument("--each-char", action="store_true", help="also every code point")
    args = parser.parse_args()
    old = load_old(args.old)
    from gwanmun.text import normalize

    count = differ = 0
    texts = corpus(args.seeds, args.per_kind, args.random)
    for text in itertools.chain(texts, each_char() if args.each_char else ()):
        count += 1
        a, b = old(text), normalize(text)
        same = (
            a.text == b.text
            and a.starts.tolist() == b.starts.tolist()
            and a.ends.tolist() == b.ends.tolist()
        )
        if not same:
            differ += 1
            if differ <= 5:
                print(f"differs: {text[:80]!r}\n  old {a.text[:80]!r}\n  new {b.text[:80]!r}")
    print(f"{count} texts, {differ} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
