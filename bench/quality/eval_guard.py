"""How well the input guard finds sensitive data, beside Presidio and korean-pii-gateway.

    python bench/quality/eval_guard.py                 # everything, one table per part
    python bench/quality/eval_guard.py --no-peers      # Gwanmun only

Parts, all in one run:

1. Structured identifiers on the generated set kept in the tests
   (tests/data/structured_set.jsonl, from devtools/structured_set.py): recall and
   precision per kind, for Gwanmun, Presidio and korean-pii-gateway. A hit is a
   prediction of the same kind overlapping the labelled span. A peer is scored on
   every kind (kinds it cannot detect count as misses) and, separately, on the
   kinds it supports.
2. Person names on the public development sets (shared/eval/ko_ner.dev.jsonl,
   PS; ja_ner.dev.jsonl, 人名): precision, recall, F2 — of the rules alone, of
   the learned tagger out of fold (bench/train/train_persons.py trains on these sets,
   so scoring the shipped model on them would flatter it), and of the shipped
   model on the 400 sentences per language left out of its training.
3. False positives per 1,000 sentences of ordinary text: NER dev sentences with
   no person in them, through every structured detector (and, in part 2, the
   held-out sentences with no person through the person tagger).

Peers run offline: Presidio with a blank spaCy pipeline saved to a temp dir, its
five Korean recognizers added and a PhoneRecognizer for KR and JP
(shared/spec/peers.md); korean-pii-gateway's ``korean_pii.detect``.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* and devtools.* when run as a script

from devtools.evalsets import (  # noqa: E402
    EVAL,
    SET,
    Detect,
    Span,
    gwanmun_detector,
    load,
    ratios,
    score_structured,
)


def overall(counts: dict[str, list[int]], only: set[str] | None = None) -> tuple[float, float]:
    tp = fn = fp = 0
    for kind, (a, b, c) in counts.items():
        if only is None or kind in only:
            tp, fn, fp = tp + a, fn + b, fp + c
    return ratios(tp, fn, fp)


# ---- peers -------------------------------------------------------------------------------

PRESIDIO_KINDS = {
    "KR_RRN": "KR_RRN", "KR_FRN": "KR_ARN", "KR_BRN": "KR_BRN", "KR_PASSPORT": "KR_PASSPORT",
    "KR_DRIVER_LICENSE": "KR_DRIVER_LICENSE", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS",
}  # fmt: skip
KPII_KINDS = {
    "rrn": "KR_RRN", "card": "CREDIT_CARD", "phone": "PHONE", "email": "EMAIL",
    "passport": "KR_PASSPORT", "driver_license": "KR_DRIVER_LICENSE", "account": "BANK_ACCOUNT",
    "api_key": "SECRET",
}  # fmt: skip


def presidio_detector() -> Detect:
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        KrBrnRecognizer,
        KrDriverLicenseRecognizer,
        KrFrnRecognizer,
        KrPassportRecognizer,
        KrRrnRecognizer,
        PhoneRecognizer,
    )

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    # Presidio's e-mail recognizer fetches the public-suffix list on first use; point it
    # at tldextract's bundled snapshot so the benchmark never leaves the machine.
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    email_recognizer.tldextract = type(  # type: ignore[attr-defined]
        "OfflineTld", (), {"extract": staticmethod(tldextract.TLDExtract(suffix_list_urls=()))}
    )
    blank = Path(tempfile.mkdtemp(prefix="presidio-blank-")) / "en_blank"
    spacy.blank("en").to_disk(blank)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(blank)}],
        }
    )
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers()
    # The Korean recognizers default to language "ko", which needs a Korean spaCy
    # pipeline; registered for the pipeline in use they run on every text.
    for recognizer in (
        KrRrnRecognizer(supported_language="en"),
        KrFrnRecognizer(supported_language="en"),
        KrBrnRecognizer(supported_language="en"),
        KrPassportRecognizer(supported_language="en"),
        KrDriverLicenseRecognizer(supported_language="en"),
        PhoneRecognizer(supported_regions=("KR", "JP", "US", "GB")),
    ):
        registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), registry=registry)
    entities = list(PRESIDIO_KINDS)

    def detect(text: str) -> list[Span]:
        results = engine.analyze(text=text, language="en", entities=entities)
        return [
            (PRESIDIO_KINDS[r.entity_type], r.start, r.end)
            for r in results
            if r.entity_type in PRESIDIO_KINDS and r.score >= 0.3
        ]

    return detect


def korean_pii_detector() -> Detect:
    import korean_pii

    def detect(text: str) -> list[Span]:
        return [
            (KPII_KINDS[d.type], d.start, d.end)
            for d in korean_pii.detect(text)
            if d.type in KPII_KINDS
        ]

    return detect


# ---- persons and false positives ----------------------------------------------------------


def person_table(full: Detect) -> None:
    """Rules alone on the whole set; the learned tagger out of fold (5-fold CV on
    what it trains on) and, as shipped, on the 400 sentences per language it
    never saw (the tests' sample)."""
    from bench.train.train_persons import (
        PRECISION_FLOOR,
        SETS,
        cross_validate,
        featurise,
        overlap_scores,
        split,
    )
    from gwanmun.detect.names import PersonNames

    rules = PersonNames(learned=False)

    def line(name: str, how: str, scores: tuple[float, float, float]) -> None:
        p, r, f2 = scores
        print(f"{name:<18}{how:<44}{p:>10.3f}{r:>8.3f}{f2:>7.3f}")

    print(f"{'set':<18}{'how':<44}{'precision':>10}{'recall':>8}{'F2':>7}")
    for language, (name, _) in SETS.items():
        train, test = split(language)
        everything = train + test
        found = [[(f.start, f.end) for f in rules.detect(text)] for text, _ in everything]
        line(
            name,
            "rules alone (before), whole dev set",
            overlap_scores([g for _, g in everything], found),
        )
        cv = cross_validate(featurise(language, train), language, train)
        line(name, f"learned, out of fold ({len(train)}), threshold {cv.threshold:g}", cv.best)
        shipped = [[(s, e) for k, s, e in full(text) if k == "PERSON"] for text, _ in test]
        line(
            name,
            f"shipped, held out ({len(test)} sentences)",
            overlap_scores([g for _, g in test], shipped),
        )
        print(
            f"{name:<18}learned, out of fold: recall at precision >= {PRECISION_FLOOR:.2f} = "
            f"{cv.recall_at_precision(PRECISION_FLOOR):.3f} (target 0.90)"
        )
        ordinary = [text for text, gold in test if not gold]
        flagged = sum(any(k == "PERSON" for k, _, _ in full(text)) for text in ordinary)
        print(
            f"{name:<18}shipped, the {len(ordinary)} held-out sentences with no person: "
            f"{1000 * flagged / len(ordinary):.0f} per 1,000 get a PERSON finding"
        )
    office = [
        row["text"]
        for row in load(ROOT / "bench" / "data" / "benign_prompts.jsonl")
        if re.search(r"[가-힣\u3040-\u30ff]", row["text"])
    ]
    found = [[row[1:] for row in full(text) if row[0] == "PERSON"] for text in office]
    words = sorted({text[s:e] for text, spans in zip(office, found, strict=True) for s, e in spans})
    print(
        f"the project's {len(office)} Korean and Japanese office requests: "
        f"{sum(map(bool, found))} get a PERSON finding ({', '.join(words)})"
    )


def false_positives_per_1000(detect: Detect) -> tuple[int, float]:
    sentences = [
        row["text"]
        for name in ("ko_ner.dev.jsonl", "ja_ner.dev.jsonl")
        for row in load(EVAL / name)
        if not row["entities"] or all(e["type"] not in ("PS", "人名") for e in row["entities"])
    ]
    flagged = sum(1 for text in sentences if detect(text))
    return len(sentences), 1000 * flagged / len(sentences)


def offline() -> None:
    """Refuse any connection off this machine, as the gateway does."""
    from gwanmun.egress import EgressPolicy, install_egress_guard

    install_egress_guard(EgressPolicy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peers", action="store_true", help="skip Presidio and korean-pii")
    args = parser.parse_args()
    offline()

    rows = load(SET)
    kinds = sorted({s["kind"] for r in rows for s in r["spans"]})
    systems: dict[str, Detect] = {"gwanmun": gwanmun_detector()}
    if not args.no_peers:
        systems["presidio"] = presidio_detector()
        systems["korean-pii"] = korean_pii_detector()
    supported = {
        "gwanmun": set(kinds),
        "presidio": set(PRESIDIO_KINDS.values()),
        "korean-pii": set(KPII_KINDS.values()),
    }
    results = {name: score_structured(rows, detect, set(kinds)) for name, detect in systems.items()}

    print(f"1. Structured identifiers: {len(rows)} lines, {SET.relative_to(ROOT)}")
    header = f"{'kind':<22}" + "".join(f"{n + ' R':>14}{n + ' P':>14}" for n in systems)
    print(header)
    for kind in kinds:
        line = f"{kind:<22}"
        for name in systems:
            tp, fn, fp = results[name].get(kind, [0, 0, 0])
            if kind not in supported[name]:
                line += f"{'-':>14}{'-':>14}"
                continue
            recall, precision = ratios(tp, fn, fp)
            line += f"{recall:>14.3f}{precision:>14.3f}"
        print(line)
    for label, only in (("all kinds", None), ("kinds it supports", "own")):
        line = f"{label:<22}"
        for name in systems:
            scope = None if only is None else supported[name]
            recall, precision = overall(results[name], scope)
            line += f"{recall:>14.3f}{precision:>14.3f}"
        print(line)
    failing = [
        k for k in kinds if (lambda r: r[0] < 0.99 or r[1] < 0.98)(ratios(*results["gwanmun"][k]))
    ]
    print(f"gwanmun kinds below recall 0.99 / precision 0.98: {', '.join(failing) or 'none'}")

    full = gwanmun_detector(structured_only=False)
    print("\n2. Person names (development halves; a hit is any overlap)")
    person_table(full)

    count, rate = false_positives_per_1000(systems["gwanmun"])
    print(
        f"\n3. Structured detectors on {count} ordinary sentences (no person, no identifier "
        f"labelled): {rate:.1f} flagged per 1,000"
    )


if __name__ == "__main__":
    main()
