"""How fast the input guard scans text, beside Presidio's regex recognizers.

    python bench/speed/guard_speed.py
    python bench/speed/guard_speed.py --repeat 50

Inputs: 1 KB and 100 KB of Korean and of Japanese text, built from the public
NER development sentences (shared/eval) with a structured identifier from
tests/data/structured_set.jsonl after every fifth sentence. Measured on one
thread, in one process, on the same inputs:

(a) Gwanmun's structured detectors (everything but PERSON), normalisation and
    offset mapping included;
(b) everything, PERSON (kiwipiepy / sudachipy) included;
(c) Presidio's AnalyzerEngine as bench/quality/eval_guard.py configures it: a blank
    spaCy pipeline (so only its pattern recognizers find anything — the fastest
    way Presidio runs), Korean recognizers and a KR/JP phone recognizer added.

Printed: p50 latency and MB/s per input, and the ratios (a)/(c). Targets: (a)
≥ 20 MB/s; (b) ≤ 5 ms p50 for 1 KB; (a) at least 10× Presidio's throughput.

Then where (a)'s time goes, on the same inputs and a 62-character prompt:
normalisation alone, and the structured detectors on the normalised text run
the two ways ``gwanmun.detect`` can — each over the whole text, and only in the
windows its trigger asks for (the hyperscan pass included) — with their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench.*, devtools.* as a script

from bench.quality.eval_guard import offline, presidio_detector
from devtools.evalsets import EVAL, SET, gwanmun_detector, load


def build_text(lang: str, size: int) -> str:
    sentences = [r["text"] for r in load(EVAL / f"{lang}_ner.dev.jsonl")]
    values = [r["text"] for r in load(SET) if r["lang"] == lang and r["spans"]]
    parts: list[str] = []
    i = 0
    while len("".join(parts).encode("utf-8")) < size:
        parts.append(sentences[i % len(sentences)] + " ")
        if i % 5 == 4:
            parts.append(values[i % len(values)] + " ")
        i += 1
    data = "".join(parts).encode("utf-8")[:size]
    return data.decode("utf-8", errors="ignore")


def timed(fn: Callable[[str], object], text: str, repeat: int, budget: float = 0.5) -> float:
    """Median seconds per call: at least ``repeat`` runs, more for a fast call
    (as many as fit in ``budget`` seconds, up to 200) — five runs of a 5 ms call
    are at the mercy of one noisy moment."""
    start = time.perf_counter()
    fn(text)  # warm caches and lazy loads
    first = time.perf_counter() - start
    samples = []
    for _ in range(max(repeat, min(200, int(budget / max(first, 1e-6))))):
        start = time.perf_counter()
        fn(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


PROMPT = "Write a short paragraph about the history of public libraries."


def breakdown(repeat: int) -> None:
    from gwanmun.detect import TriggerIndex, detect_in
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.text import normalize

    detectors = builtin_detectors(structured_only=True)
    index = TriggerIndex(detectors)

    def whole(text: str) -> object:
        return [d.detect(text) for d in detectors]

    def windowed(text: str) -> object:
        windows = index.windows(text)
        return [detect_in(d, text, windows) for d in detectors]

    print(
        f"\n{'input':<14}{'normalise':>11}{'whole text':>12}{'windows':>10}{'ratio':>8}"
        f"{'trigger matches':>17}  (ms)"
    )
    inputs = [("prompt 62 ch", PROMPT, repeat * 20)]
    inputs += [
        (f"{lang} {size // 1024} KB", build_text(lang, size), repeat if size <= 1024 else 5)
        for lang in ("ko", "ja")
        for size in (1024, 100 * 1024)
    ]
    for label, text, runs in inputs:
        clean = normalize(text).text
        cells = [timed(normalize, text, runs), timed(whole, clean, runs)]
        cells.append(timed(windowed, clean, runs))
        print(
            f"{label:<14}{cells[0] * 1e3:>11.3f}{cells[1] * 1e3:>12.3f}{cells[2] * 1e3:>10.3f}"
            f"{cells[1] / cells[2]:>7.1f}x{index.matches(clean):>17}"
        )
    text = normalize(build_text("ko", 100 * 1024)).text
    windows = index.windows(text)
    cost = {d.id: timed(lambda t, d=d: detect_in(d, t, windows), text, 5) for d in detectors}
    cost["(trigger pass)"] = timed(index.windows, text, 5)
    ranked = sorted(cost.items(), key=lambda item: -item[1])
    print("\nper detector, ko 100 KB, in trigger windows (ms): ", end="")
    print(", ".join(f"{name} {ms * 1e3:.2f}" for name, ms in ranked))

    conversation(repeat)

    # What PERSON costs before any of Gwanmun's own work: the analysers alone.
    from gwanmun.detect.names import _kiwi, _sudachi

    def sudachi(text: str) -> object:
        tokenizer, mode = _sudachi()
        return tokenizer.tokenize(text, mode)

    ko, ja = build_text("ko", 1024), build_text("ja", 1024)
    print(
        f"analysers alone, 1 KB (ms): kiwipiepy {timed(_kiwi().tokenize, ko, repeat) * 1e3:.2f}, "
        f"sudachipy {timed(sudachi, ja, repeat) * 1e3:.2f}"
    )


def conversation(repeat: int) -> None:
    """A chat resends the whole conversation every turn: ten Korean messages of
    1 KB through the input guard (everything, PERSON included), first with
    nothing cached, then as the next turn with one new message."""
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.guard.input import DetectorInputGuard
    from gwanmun.policy import load_policy
    from gwanmun.types import ChatMessage, ChatRequest, Grade

    text = build_text("ko", 11 * 1024)
    step = len(text) // 11
    messages = [ChatMessage("user", text[i * step : (i + 1) * step]) for i in range(11)]
    detectors, policy = builtin_detectors(structured_only=False), load_policy()

    def request(n: int) -> ChatRequest:
        return ChatRequest(model="m", messages=tuple(messages[:n]), max_tokens=1)

    DetectorInputGuard(detectors, policy).inspect(request(10), backend_grade=Grade.C)  # warm
    first_samples, next_samples = [], []
    for _ in range(max(3, repeat // 4)):
        guard = DetectorInputGuard(detectors, policy)  # built outside the timing
        start = time.perf_counter()
        guard.inspect(request(10), backend_grade=Grade.C)
        first_samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        guard.inspect(request(11), backend_grade=Grade.C)
        next_samples.append(time.perf_counter() - start)
    first, nxt = statistics.median(first_samples), statistics.median(next_samples)
    print(
        f"\nconversation of 10 Korean messages of 1 KB, all + PERSON: first request "
        f"{first * 1e3:.1f} ms; next turn (11 messages, 10 seen before) {nxt * 1e3:.1f} ms "
        f"({first / nxt:.1f}x less)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=21, help="runs per input (x10 for 1 KB, /4 for 100 KB)"
    )
    args = parser.parse_args()
    offline()
    systems = {
        "(a) structured": gwanmun_detector(structured_only=True),
        "(b) all + PERSON": gwanmun_detector(structured_only=False),
        "(c) presidio regex": presidio_detector(),
    }
    print(f"{'input':<14}{'system':<22}{'p50 ms':>10}{'MB/s':>10}")
    summary: dict[tuple[str, str], float] = {}
    for lang in ("ko", "ja"):
        for size in (1024, 100 * 1024):
            text = build_text(lang, size)
            nbytes = len(text.encode("utf-8"))
            # A 1 KB call takes tens of microseconds: ten times the runs, so a
            # moment of machine noise does not move the median.
            repeat = args.repeat * 10 if size <= 1024 else max(3, args.repeat // 4)
            for name, detect in systems.items():
                p50 = timed(detect, text, repeat)
                rate = nbytes / p50 / 1e6
                label = f"{lang} {size // 1024} KB"
                summary[(label, name)] = rate
                print(f"{label:<14}{name:<22}{p50 * 1e3:>10.2f}{rate:>10.2f}")
                if name.startswith("(b)") and size == 1024:
                    summary[(f"{lang} 1 KB", "b_ms")] = p50 * 1e3
    print()
    for lang in ("ko", "ja"):
        for size in ("1 KB", "100 KB"):
            a = summary[(f"{lang} {size}", "(a) structured")]
            c = summary[(f"{lang} {size}", "(c) presidio regex")]
            print(f"{lang} {size:<7} structured vs Presidio: {a / c:>6.1f}x")
    worst_a = min(v for (k, n), v in summary.items() if n == "(a) structured")
    worst_b = max(v for (k, n), v in summary.items() if n == "b_ms")
    worst_ratio = min(
        summary[(k, "(a) structured")] / summary[(k, "(c) presidio regex")]
        for k, n in summary
        if n == "(a) structured"
    )
    print(
        f"\ntargets: (a) >= 20 MB/s: {worst_a:.1f} {'met' if worst_a >= 20 else 'NOT met'}; "
        f"(b) <= 5 ms for 1 KB: {worst_b:.2f} ms {'met' if worst_b <= 5 else 'NOT met'}; "
        f">= 10x Presidio: {worst_ratio:.1f}x {'met' if worst_ratio >= 10 else 'NOT met'}"
    )
    breakdown(args.repeat)


if __name__ == "__main__":
    main()
