"""The input guard against obfuscated identifiers, and what reading harder costs
on ordinary text.

    python bench/quality/eval_obfuscated.py               # seed 18, 400 values per kind
    python bench/quality/eval_obfuscated.py --seed 7 --per-kind 1000

1. A seeded set of valid identifiers written as a determined user would
   (devtools/obfuscate.py: Hangul and kanji numerals, circled, dingbat, keycap,
   bold and accented digits, O/l between digits, 27 separator runs between
   groups, digits one by one, digits regrouped into other group sizes,
   zero-width characters; e-mail addresses with "at"/"dot" words, markings
   with their letters set apart; RRNs and My Numbers named in two or three
   pieces with words between them; an RRN's front half as a birth date
   written or said as a date, 1990년 1월 1일 / 구십년 일월 일일생 / 1990.1.1;
   halves in cells of a row with a date or figure between), each in a Korean,
   Japanese or English sentence, plus as many look-alike negatives written
   with the same separators (dates, times, amounts, ranges, versions, order
   numbers; dates in prose beside an unrelated seven-digit number). Recall
   and precision per kind: a hit is a finding of the same kind overlapping
   the value (for values in pieces, every piece).
2. False alarms on ordinary text, through the structured detectors: the NER
   development sentences with no person and no labelled identifier
   (shared/eval), and the project's office requests (bench/data/benign_*.jsonl).
   Flagged sentences per 1,000, and the kinds that flag them.

Run the same script on the code before a change (PYTHONPATH=<old tree>/src) to
compare: the set depends only on the seed.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(1, str(ROOT))  # devtools.*, after a PYTHONPATH that names another tree

from devtools.evalsets import EVAL, load, ratios  # noqa: E402
from devtools.obfuscate import (  # noqa: E402
    CHECKED,
    ENCODINGS,
    FRAMES,
    GROUPS,
    IN_PIECES,
    MAKERS,
    SEPARATOR_RUNS,
    SPELLED,
    SPELLED_FRAMES,
    check_failing,
    date_beside_number,
    encoded,
    generate,
    rrn_since_2020,
    split,
)

# Numbers that are no one's, written with the same separators.
NEGATIVE_FRAMES = (
    ("회의는 ", " 에 열립니다"), ("会議は ", " です"), ("the meeting is on ", " as planned"),
    ("금액 ", " 원을 집행"), ("予算 ", " 円"), ("order ", " shipped"),
)  # fmt: skip


# Ordinary text that looks like the spelled-out forms: at/dot words, a space
# inside a marking word, numbers near a naming word that are not one number.
SPELLED_NEGATIVES = (
    "we met at google.com yesterday", "look at this dot product", "I am at home dot",
    "대외 비용을 줄였다", "대 외 비 용 절감", "部外 秘書課の田中です", "極 めて秘密に",
    "the S E C R E T S of soup", "3 점 5 com 정도", "우리 팀 앳 홈 닷 컴",
    "생년월일 900101, 사번 1234567", "계약일 900101 금액 1234568원",
    "マイナンバー 1234 です。会議は 5678 9019 号室",
)  # fmt: skip
# Words between the pieces of a value named in parts.
PART_NAMES = {
    "KR_RRN": (("생년월일 ", " 이고 뒷자리는 ", " 입니다"), ("주민번호 앞자리 ", ", 뒤 ", "")),
    "JP_MY_NUMBER": (
        ("マイナンバーの前半は ", "、後半は ", " です"), ("my number: first ", ", then ", ""),
    ),
}  # fmt: skip


def named_in_parts(rng: random.Random, kind: str) -> tuple[str, list[tuple[int, int]]]:
    """A valid value given in two pieces with words between: the text and the
    pieces' spans. A quarter of the resident numbers were issued since October
    2020: no check digit."""
    since_2020 = kind == "KR_RRN" and rng.random() < 0.25
    value = rrn_since_2020(rng) if since_2020 else MAKERS[kind](rng)
    head, between, tail = rng.choice(PART_NAMES[kind])
    cut = 6 if kind == "KR_RRN" and rng.random() < 0.7 else rng.randrange(3, len(value) - 2)
    text = head + value[:cut] + between + value[cut:] + tail
    first = (len(head), len(head) + cut)
    second = (first[1] + len(between), first[1] + len(between) + len(value) - cut)
    return text, [first, second]


def negative(rng: random.Random) -> str:
    sep = rng.choice(SEPARATOR_RUNS)
    year, month, day = rng.randrange(1990, 2031), rng.randrange(1, 13), rng.randrange(1, 29)
    forms = (
        f"{year}{sep}{month:02d}{sep}{day:02d}",  # a date
        f"{rng.randrange(0, 24):02d}{sep}{rng.randrange(60):02d}{sep}{rng.randrange(60):02d}",
        f"{rng.randrange(1, 999):,}{sep}{rng.randrange(1000, 999999):,}",  # amounts
        f"{year}{sep}{year + 1}",  # a range of years
        f"{rng.randrange(1, 20)}.{rng.randrange(10)}.{rng.randrange(10)}",  # a version
        f"{year}{sep}{rng.randrange(1, 9999):04d}",  # a case or order number
    )
    before, after = rng.choice(NEGATIVE_FRAMES)
    return before + rng.choice(forms) + after


def obfuscated_set(seed: int, per_kind: int) -> list[tuple[str, str | None, int, int]]:
    """``(text, kind or None, start, end)`` rows: values, then negatives."""
    rng = random.Random(seed)
    rows: list[tuple[str, str | None, int, int]] = []
    for kind in sorted(GROUPS):
        for _ in range(per_kind):
            written = generate(rng, kind)
            before, after = rng.choice(FRAMES[kind])
            text = before + written.typed + after
            rows.append((text, kind, len(before), len(before) + len(written.typed)))
    for kind, spell in sorted(SPELLED.items()):
        for _ in range(per_kind):
            written = spell(rng)
            before, after = rng.choice(SPELLED_FRAMES[kind])
            text = before + written.typed + after
            rows.append((text, kind, len(before), len(before) + len(written.typed)))
    for kind in sorted(PART_NAMES):
        for _ in range(per_kind):
            text, pieces = named_in_parts(rng, kind)
            # a hit must cover both pieces: two rows on one text
            rows += [(text, f"{kind} in parts", lo, hi) for lo, hi in pieces]
    rows += [(negative(rng), None, 0, 0) for _ in range(per_kind * len(GROUPS))]
    rows += [(text, None, 0, 0) for text in SPELLED_NEGATIVES]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--per-kind", type=int, default=400)
    args = parser.parse_args()

    import gwanmun
    from gwanmun.detect import run_detectors
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.detect.decoded import DecodedNumbers

    detectors = builtin_detectors(structured_only=True)
    print(f"gwanmun from {Path(gwanmun.__file__).parent}")
    rows = obfuscated_set(args.seed, args.per_kind)
    labels = [*GROUPS, *SPELLED, *(f"{k} in parts" for k in PART_NAMES)]
    counts: dict[str, list[int]] = {k: [0, 0, 0] for k in labels}
    missed: dict[str, Counter[str]] = {k: Counter() for k in labels}
    judged = {*GROUPS, *SPELLED}
    for text, label, start, end in rows:
        kind = None if label is None else label.removesuffix(" in parts")
        found = [f for f in run_detectors(text, detectors) if f.kind in judged]
        if label is not None:
            hit = any(f.kind == kind and f.start < end and start < f.end for f in found)
            counts[label][0 if hit else 1] += 1
            if not hit:
                missed[label][text[start:end] if label in GROUPS else text] += 1
        if label is not None and label.endswith(" in parts"):
            continue  # the same text's other row judges the other piece
        for f in found:
            if label is None or not (f.kind == kind and f.start < end and start < f.end):
                counts[f.kind if f.kind in counts else label or f.kind][2] += 1
    # Values in pieces (devtools/obfuscate.IN_PIECES), one text each: a hit
    # covers every piece; a finding of a judged kind on no piece is a false
    # alarm, as is one on a date in prose beside an unrelated number.
    rng = random.Random(args.seed + 1)
    for name, make in IN_PIECES.items():
        for _ in range(args.per_kind):
            piece = make(rng)
            label = f"{name} ({piece.kind})"
            found = [f for f in run_detectors(piece.text, detectors) if f.kind in judged]
            covered = all(
                any(f.kind == piece.kind and f.start < hi and lo < f.end for f in found)
                for lo, hi in piece.pieces
            )
            tally = counts.setdefault(label, [0, 0, 0])
            missed.setdefault(label, Counter())
            tally[0 if covered else 1] += 1
            if not covered:
                missed[label][piece.text] += 1
            tally[2] += sum(
                not any(f.start < hi and lo < f.end for lo, hi in piece.pieces) for f in found
            )
    # Values spelled, escaped, quoted or disguised (devtools/obfuscate.ENCODINGS:
    # base64, hex, reversed after a word asking for it, mixed separators, native
    # Korean numerals, fillers), a kind drawn for each, in one of its frames: a
    # hit covers every character the value was typed in but a quote around all
    # of it; a finding of a judged kind elsewhere is a false alarm, as is one
    # on a look-alike that fails its check digit written the same way.
    rng = random.Random(args.seed + 2)
    lookalikes = [0, 0]  # judged, skipped (flagged without the decoders)
    undecoded = [d for d in detectors if not isinstance(d, DecodedNumbers)]
    for how in ENCODINGS:
        label = f"encoded: {how}"
        tally = counts.setdefault(label, [0, 0, 0])
        missed.setdefault(label, Counter())
        for _ in range(args.per_kind):
            kind = rng.choice(sorted(GROUPS))
            written = encoded(rng, kind, how)
            before, after = rng.choice(FRAMES[kind])
            text = before + written.lead + written.typed + after
            core = written.typed.strip("\"'`「」[]()")
            lo = len(before) + len(written.lead) + written.typed.index(core)
            hi = lo + len(core)
            found = [f for f in run_detectors(text, detectors) if f.kind in judged]
            hit = any(f.kind == kind and f.start <= lo and hi <= f.end for f in found)
            tally[0 if hit else 1] += 1
            if not hit:
                missed[label][text] += 1
            tally[2] += sum(not (f.start < hi and lo < f.end) for f in found)
        # Look-alikes: numbers of a checked kind's shape that fail its check
        # digit, written the same way in a sentence that names no identifier;
        # a judged finding on one is a false alarm of the decoders — unless
        # the number written plainly (for bytes, maybe in a sentence naming it)
        # is flagged too, or the text is without them (a reversed look-alike
        # may be a valid card forwards).
        for _ in range(args.per_kind // 2):
            kind = rng.choice(CHECKED)
            value = check_failing(rng, kind)
            written = encoded(rng, kind, how, value)
            before, after = rng.choice(NEGATIVE_FRAMES)
            text = before + written.lead + written.typed + after
            forms = [joint.join(split(kind, value)) for joint in ("", "-", " ")]
            if how in ("base64", "hex"):  # maybe a whole sentence naming it, encoded
                forms += [b + f + a for b, a in FRAMES[kind] for f in forms]
            plain = [before + form + after for form in forms]
            if any(f.kind in judged for t in (text, *plain) for f in run_detectors(t, undecoded)):
                lookalikes[1] += 1
                continue
            lookalikes[0] += 1
            flagged = [f for f in run_detectors(text, detectors) if f.kind in judged]
            tally[2] += len(flagged)
            if flagged:
                missed[label][f"(look-alike) {text}"] += 1
    dated = counts.setdefault(f"{next(iter(IN_PIECES))} (KR_RRN)", [0, 0, 0])
    for _ in range(args.per_kind):
        text = date_beside_number(rng)
        dated[2] += sum(f.kind == "KR_RRN" for f in run_detectors(text, detectors))
    print(
        f"\n1. Obfuscated set: seed {args.seed}, {args.per_kind} values per kind, "
        f"{args.per_kind * len(GROUPS) + len(SPELLED_NEGATIVES)} negatives, "
        f"{args.per_kind} dates in prose beside a number"
    )
    print(f"{'kind':<36}{'recall':>8}{'precision':>11}   misses (first 3)")
    for kind, (tp, fn, fp) in counts.items():
        recall, precision = ratios(tp, fn, fp)
        examples = ", ".join(repr(t) for t, _ in missed[kind].most_common(3))
        print(f"{kind:<36}{recall:>8.3f}{precision:>11.3f}   {examples}")
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    recall, precision = ratios(*total)
    print(f"{'all':<36}{recall:>8.3f}{precision:>11.3f}")
    print(
        f"encoded rows' precision counts {lookalikes[0]} look-alikes failing a check digit "
        f"in prose naming none ({lookalikes[1]} skipped: flagged without the decoders)"
    )

    all_detectors = builtin_detectors(structured_only=True)
    print("\n2. False alarms on ordinary text (structured detectors)")
    ner = [
        row["text"]
        for name in ("ko_ner.dev.jsonl", "ja_ner.dev.jsonl")
        for row in load(EVAL / name)
        if not row["entities"] or all(e["type"] not in ("PS", "人名") for e in row["entities"])
    ]
    office = [
        row["text"]
        for name in ("benign_prompts.jsonl", "benign_heldout.jsonl", "benign_questions.jsonl")
        for row in load(ROOT / "bench" / "data" / name)
    ]
    for label, sentences in (("NER sentences, no person", ner), ("office requests", office)):
        kinds: Counter[str] = Counter()
        flagged = 0
        for text in sentences:
            found = run_detectors(text, all_detectors)
            flagged += bool(found)
            kinds.update({f.kind for f in found})
        print(
            f"{label:<26}{len(sentences):>6} sentences: {1000 * flagged / len(sentences):6.1f} "
            f"per 1,000 flagged ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})"
        )


if __name__ == "__main__":
    main()
