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

    python devtools/normalize_same.py --old /tmp/main/src --findings

``--findings``: also the structured detectors' findings (``run_detectors``
without PERSON: kind, start, end, score, detector) on the same texts and on
random mixes of numbers with the words that name them, dates, table cells and
markings (a speed change to a detector must not change what it finds).
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


# What the detectors read around numbers: the words that name them, dates,
# cells of a table row, markings, an e-mail's and a phone's pieces.
_WORDS = (
    "주민", "생년월일", "뒷자리는 ", "앞자리", "뒤 7자리", "RRN", "resident", "住民",
    "マイナンバー", "個人番号", "my number", "마이넘버", "전화 ", "電話", "계좌 ", "국민은행",
    "대외비", "대 외 비", "秘", "S E C R E T", "1990년 1월 1일", "구십년 일월 일일생", "1990.1.1",
    "2024-03-01", "12:30", "년", "월", "일", " | ", "\t", ", ", "\n", " ", " ", "이고 ", "です",
    "a@b.com", "@", "+82 ", "010-", "서울시 ",
)  # fmt: skip
_NUMBERS = ("900101", "1234568", "1234 5678 9018", "7001011", "4111 1111", "1", "23", "456")


def random_findings_texts(rng: random.Random, count: int) -> Iterator[str]:
    for _ in range(count):
        parts = [
            rng.choice(_WORDS if rng.random() < 0.5 else _NUMBERS)
            if rng.random() < 0.7
            else "".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 8)))
            for _ in range(rng.randrange(1, 16))
        ]
        yield "".join(parts)


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
    parser.add_argument("--findings", action="store_true", help="compare the detectors' findings")
    args = parser.parse_args()
    if args.findings:
        findings_same(args)
        return
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


def findings_same(args: argparse.Namespace) -> None:
    """The structured detectors' findings of both trees, on ``corpus`` and
    ``random_findings_texts``."""
    old_detect, old_builtin = load_tree(args.old, "gwanmun.detect", "gwanmun.detect.builtin")
    from gwanmun.detect import run_detectors
    from gwanmun.detect.builtin import builtin_detectors

    old_detectors = old_builtin.builtin_detectors(structured_only=True)
    detectors = builtin_detectors(structured_only=True)

    def key(findings: list[Any]) -> list[tuple[object, ...]]:
        return [(f.kind, f.start, f.end, f.score, f.detector) for f in findings]

    count = differ = found = 0
    texts = itertools.chain(
        corpus(args.seeds, args.per_kind, args.random),
        random_findings_texts(random.Random(18), args.random),
    )
    for text in texts:
        count += 1
        a = key(old_detect.run_detectors(text, old_detectors))
        b = key(run_detectors(text, detectors))
        found += len(b)
        if a != b:
            differ += 1
            if differ <= 5:
                print(f"differs: {text[:80]!r}\n  old {a[:4]}\n  new {b[:4]}")
    print(f"{count} texts, {found} findings, {differ} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
