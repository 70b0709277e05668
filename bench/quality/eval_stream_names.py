"""Names in streamed Korean and Japanese answers: does the hold-back ever show
part of a name that the same answer, checked whole, masks?

    python bench/quality/eval_stream_names.py              # 300 sentences a language
    python bench/quality/eval_stream_names.py --limit 0    # every sentence (slow)

Method. Sentences of the public development sets (shared/eval/ko_ner.dev.jsonl,
KLUE news and reviews; ja_ner.dev.jsonl, Wikipedia), shuffled with a fixed
seed, each played as a model's answer to a question that names no one: once
whole (the non-streamed path) and once one character per delta (as SmolLM2
streams Korean and Japanese) through the output guard with the leak re-scan and
the default policy. Every PERSON the whole answer masks is a name the stream
must not show any part of: the streamed text is aligned with the answer
(``difflib``, no junk heuristic, each ``[KIND]`` marker one character that
matches nothing) and a name counts as shown if its first
character came through unmasked. What the hold-back costs in time is
measured by bench/speed/output_overhead.py (its hold-back trace).
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* and devtools.* when run as a script

from gwanmun.detect.builtin import builtin_detectors  # noqa: E402
from gwanmun.guard.input import DetectorInputGuard  # noqa: E402
from gwanmun.guard.output import CheckingOutputGuard  # noqa: E402
from gwanmun.policy import load_policy  # noqa: E402
from gwanmun.types import ChatMessage, ChatRequest, Grade  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
MARKER = re.compile(r"\[[A-Z][A-Z_]*\]")
QUESTION = {"ko": "도서관 안내문을 써 주세요.", "ja": "図書館のお知らせを書いてください。"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=300, help="sentences a language (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", action="store_true", help="print every name shown")
    args = parser.parse_args()

    policy = load_policy()
    scanner = DetectorInputGuard(builtin_detectors(), policy)
    guard = CheckingOutputGuard(policy, scanner=scanner)
    for language in ("ko", "ja"):
        path = EVAL / f"{language}_ner.dev.jsonl"
        texts = [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
        random.Random(args.seed).shuffle(texts)
        if args.limit:
            texts = texts[: args.limit]
        request = ChatRequest(
            model="m", messages=(ChatMessage("user", QUESTION[language]),), max_tokens=256
        )
        names = shown = 0
        for text in texts:
            whole_session = guard.open(request, scanner.inspect(request, backend_grade=Grade.S))
            whole_session.feed(text)
            whole_session.finish()
            masked = [
                f for f in whole_session.report().findings if f.kind == "PERSON" and f.start < f.end
            ]
            session = guard.open(request, scanner.inspect(request, backend_grade=Grade.S))
            out = "".join(session.feed(char) for char in text) + session.finish()
            if not masked:
                continue
            # A marker's letters must not align with a name's ([PERSON] with Penelope).
            bare = MARKER.sub("\x00", out)
            matcher = difflib.SequenceMatcher(None, text, bare, autojunk=False)
            blocks = matcher.get_matching_blocks()
            delivered = {i for b in blocks for i in range(b.a, b.a + b.size)}
            for finding in masked:
                names += 1
                if finding.start in delivered:
                    shown += 1
                    if args.show:
                        name = text[finding.start : finding.end]
                        print(f"  {language} shown: {name!r} in {out[:120]!r}")
        print(
            f"{language}: {len(texts)} sentences, {names} names masked in the whole answer, "
            f"{shown} with their first character shown by the stream "
            f"({shown / max(names, 1):.1%})"
        )


if __name__ == "__main__":
    main()
