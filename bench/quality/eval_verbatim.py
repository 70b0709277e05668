"""Verbatim-copy check: recall on edited copies, false positives on unrelated text, and
the index at 100,000 documents / 1 GB (memory, build time, lookup time).

    python bench/quality/eval_verbatim.py                       # quality + 1 GB scale (minutes)
    python bench/quality/eval_verbatim.py --scale-bytes 1e8     # a quicker scale run

Quality. Real text in Korean, Japanese and English — the sentences of
shared/eval (KLUE NER and BEEP! comments in Korean, Stockmark NER in Japanese)
and the language-reference topics that ship with Python, pydoc_data (English) —
grouped into documents of about ten sentences. Half the documents are indexed;
the other half are never indexed and give the unrelated text (English: the
reference topics share templated passages among themselves, so all of them are
indexed and the unrelated text is the descriptions of the installed Python
packages). Copies: a random passage of 60–300
characters from an indexed document, edited the way a model or a person
rewrites — spacing and line breaks changed, punctuation changed or dropped, and
one character substituted, inserted or deleted every 25–40 characters — then
put inside a sentence of its own language. Found = a match of at least 50
characters overlapping the copy and naming the right document. Unrelated text:
passages of the same lengths from the documents that were not indexed; any
match is a false positive.

Scale. 100,000 synthetic documents totalling 1 GB of UTF-8 (Hangul syllables
drawn from a skewed distribution, spaced like words), indexed in one run:
build time, peak memory of the build, the index size on disk, the memory of a
process that opens the index (memory-mapped), and the p50/p95 time to check a
500-character answer, for copies and for text not in the corpus.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from gwanmun.check.verbatim import CorpusIndex

ROOT = Path(__file__).resolve().parents[2]

SHARED = ROOT.parent / "shared" / "eval"
WRAP = {
    "ko": ("관련 내용은 다음과 같습니다. ", " 추가 문의는 담당 부서로 연락 바랍니다."),
    "ja": ("関連する内容は次のとおりです。", "ご不明な点は担当課までお問い合わせください。"),
    "en": ("The relevant text reads as follows. ", " Please contact the office for details."),
}
FILLER = {
    "ko": "가나다라마바사아자차카타파하",
    "ja": "あいうえおかきくけこさしすせそ",
    "en": "etaoinshrdlu",
}


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"ko": [], "ja": [], "en": []}
    for name, lang in (("ko_ner.dev.jsonl", "ko"), ("ko_toxic.dev.jsonl", "ko"),
                       ("ja_ner.dev.jsonl", "ja")):  # fmt: skip
        path = SHARED / name
        if not path.exists():
            sys.exit(f"missing {path}: the evaluation data lives in shared/eval beside the repo")
        out[lang] += [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    # English prose without boilerplate shared between documents: the language
    # reference topics that ship with Python (pydoc_data).
    from pydoc_data.topics import topics

    for text in topics.values():
        flat = " ".join(text.split())
        out["en"] += [s.strip() + "." for s in flat.split(". ") if len(s) > 40]
    # Each sentence once: text repeated between documents would be a real copy.
    return {lang: list(dict.fromkeys(texts)) for lang, texts in out.items()}


def package_descriptions() -> list[str]:
    """English prose unrelated to the Python reference: descriptions of installed packages."""
    from importlib import metadata

    out: list[str] = []
    for dist in metadata.distributions():
        body = dist.metadata.get_payload() or ""  # type: ignore[attr-defined]
        flat = " ".join(line for line in body.split("\n") if "icense" not in line)
        out += [s.strip() + "." for s in " ".join(flat.split()).split(". ") if len(s) > 40]
    return list(dict.fromkeys(out))


def documents(texts: list[str], size: int = 10) -> list[str]:
    return [" ".join(texts[i : i + size]) for i in range(0, len(texts) - size + 1, size)]


def edit(passage: str, lang: str, rng: random.Random) -> str:
    chars = list(passage)
    out: list[str] = []
    next_edit = rng.randint(25, 40)
    for i, ch in enumerate(chars):
        if ch == " " and rng.random() < 0.3:
            out.append(rng.choice(["", "  ", "\n"]))
            continue
        if ch in ".,、。" and rng.random() < 0.5:
            out.append(rng.choice(["", ";", " -"]))
            continue
        if i == next_edit:
            kind = rng.choice(["sub", "ins", "del"])
            filler = rng.choice(FILLER[lang])
            out.append({"sub": filler, "ins": ch + filler, "del": ""}[kind])
            next_edit += rng.randint(25, 40)
            continue
        out.append(ch)
    return "".join(out)


def quality(rng: random.Random, queries: int) -> list[tuple[str, float, float, int, int]]:
    rows = []
    data = sentences()
    with tempfile.TemporaryDirectory(prefix="gwanmun-verbatim-") as tmp:
        for lang, texts in data.items():
            rng.shuffle(texts)
            docs = documents(texts)
            if lang == "en":
                # The reference topics share templated passages with each other, so the
                # unrelated English text comes from another source.
                indexed, held_out = docs, documents(package_descriptions())
            else:
                indexed, held_out = docs[: len(docs) // 2], docs[len(docs) // 2 :]
            index = CorpusIndex.build(
                Path(tmp) / lang, lang, ((f"{lang}-{i}", d) for i, d in enumerate(indexed))
            )
            found = 0
            tried = 0
            for _ in range(queries):
                doc_id = rng.randrange(len(indexed))
                doc = indexed[doc_id]
                length = rng.randint(60, 300)
                if len(doc) < length + 1:
                    continue
                start = rng.randrange(len(doc) - length)
                copy = edit(doc[start : start + length], lang, rng)
                head, tail = WRAP[lang]
                answer = head + copy + tail
                tried += 1
                span = (len(head), len(head) + len(copy))
                if any(
                    m.doc.path == f"{lang}-{doc_id}" and m.answer_start < span[1]
                    and m.answer_end > span[0]
                    for m in index.matches(answer, min_chars=50)
                ):  # fmt: skip
                    found += 1
            false = 0
            clean = 0
            for _ in range(queries):
                doc = held_out[rng.randrange(len(held_out))]
                length = rng.randint(60, 300)
                if len(doc) < length + 1:
                    continue
                start = rng.randrange(len(doc) - length)
                clean += 1
                if index.matches(doc[start : start + length], min_chars=50):
                    false += 1
            rows.append((lang, found / max(tried, 1), false / max(clean, 1), tried, clean))
    return rows


def synthetic(docs: int, total_bytes: float, seed: int) -> Iterator[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    syllables = np.arange(0xAC00, 0xAC00 + 2350, dtype=np.uint32)
    weights = 1.0 / np.arange(1, len(syllables) + 1) ** 0.9
    weights /= weights.sum()
    chars_per_doc = int(total_bytes / docs / 3)  # Hangul is 3 bytes in UTF-8
    for i in range(docs):
        n = chars_per_doc
        cps = rng.choice(syllables, size=n, p=weights)
        spaces = rng.random(n) < 0.28
        cps[spaces] = 0x20
        yield f"doc-{i:06d}", cps.tobytes().decode("utf-32-le")


def scale(docs: int, total_bytes: float, queries: int, seed: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gwanmun-verbatim-scale-") as tmp:
        directory = Path(tmp) / "scale"
        started = time.perf_counter()
        last = [time.perf_counter()]

        def progress(done: int, chars: int) -> None:
            if time.perf_counter() - last[0] > 15:
                last[0] = time.perf_counter()
                print(f"  … {done:,} documents, {chars:,} characters", file=sys.stderr)

        CorpusIndex.build(directory, "scale", synthetic(docs, total_bytes, seed), progress=progress)
        results["build_s"] = time.perf_counter() - started
        results["build_peak_mb"] = peak_mb()
        results["disk_mb"] = sum(f.stat().st_size for f in directory.iterdir()) / 1e6
        before = rss_mb()
        index = CorpusIndex(directory)
        results["open_rss_mb"] = rss_mb() - before
        results["documents"] = len(index.documents)
        results["chars"] = index.chars
        rng = random.Random(seed)
        copies: list[float] = []
        misses: list[float] = []
        hits = 0
        for _ in range(queries):
            doc = index.documents[rng.randrange(len(index.documents))]
            start = rng.randrange(max(doc.length - 400, 1))
            cps = np.asarray(index.text[doc.start + start : doc.start + start + 400])
            copy = cps.tobytes().decode("utf-32-le")
            answer = "관련 내용은 다음과 같습니다. " + copy + " 이상입니다."
            t0 = time.perf_counter()
            if index.matches(answer, min_chars=50):
                hits += 1
            copies.append((time.perf_counter() - t0) * 1000)
            noise = "".join(rng.choice("가나다라마바사아자차카타파하 ") for _ in range(500))
            t0 = time.perf_counter()
            index.matches(noise, min_chars=50)
            misses.append((time.perf_counter() - t0) * 1000)
        results["copy_found"] = hits / queries
        results["lookup_copy_p50_ms"] = statistics.median(copies)
        results["lookup_copy_p95_ms"] = float(np.percentile(copies, 95))
        results["lookup_clean_p50_ms"] = statistics.median(misses)
        results["lookup_clean_p95_ms"] = float(np.percentile(misses, 95))
        results["after_lookups_rss_mb"] = rss_mb() - before
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--queries", type=int, default=400, help="copies and clean texts per language"
    )
    parser.add_argument("--scale-docs", type=int, default=100_000)
    parser.add_argument("--scale-bytes", type=float, default=1e9)
    parser.add_argument("--scale-queries", type=int, default=300)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print("verbatim quality (copies of 60-300 chars, edited every 25-40 chars; min 50 chars)")
    print(f"{'language':<10}{'recall':>10}{'FP rate':>10}{'copies':>10}{'clean':>10}")
    ok = True
    for lang, recall, fp, tried, clean in quality(rng, args.queries):
        print(f"{lang:<10}{recall:>10.3f}{fp:>10.3f}{tried:>10}{clean:>10}")
        ok = ok and recall >= 0.95 and fp <= 0.01
    print(f"targets: recall >= 0.95 and false positives <= 1% in every language: "
          f"{'met' if ok else 'NOT met'}")  # fmt: skip
    if args.skip_scale:
        return
    print(f"\nscale: {args.scale_docs:,} documents, {args.scale_bytes / 1e9:.2f} GB of UTF-8")
    r = scale(args.scale_docs, args.scale_bytes, args.scale_queries, args.seed)
    print(f"  indexed characters          {int(r['chars']):,} in {int(r['documents']):,} documents")
    print(f"  build time                  {r['build_s']:.0f} s")
    print(f"  build peak memory           {r['build_peak_mb']:.0f} MB")
    print(f"  index on disk               {r['disk_mb']:.0f} MB")
    print(f"  memory to open the index    {r['open_rss_mb']:.0f} MB (memory-mapped)")
    print(f"  memory after lookups        {r['after_lookups_rss_mb']:.0f} MB")
    print(f"  copies found                {r['copy_found']:.3f}")
    print(f"  lookup, 500-char answer with a copy   p50 {r['lookup_copy_p50_ms']:.2f} ms, "
          f"p95 {r['lookup_copy_p95_ms']:.2f} ms")  # fmt: skip
    print(f"  lookup, 500-char answer, no copy      p50 {r['lookup_clean_p50_ms']:.2f} ms, "
          f"p95 {r['lookup_clean_p95_ms']:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
