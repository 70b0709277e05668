"""The input side of one realistic request, part by part, in CPU milliseconds.

    python bench/speed/guard_parts.py
    python bench/speed/guard_parts.py --old /tmp/old-e1edd71/src --rounds 3

Requests (every one different, so no whole-message cache is ever hit):

- ``ko notice`` / ``ja notice``: the 1 KB Korean and Japanese notices of
  bench/speed/soak.py (a name, a phone number, an e-mail), each with fresh
  values — what an office drafts again and again: most sentences recur, the
  values do not;
- ``ko news`` / ``ja news``: about 1 KB of NER development sentences
  (shared/eval) in which no sentence is ever repeated — nothing any cache
  could have seen;
- ``en prompt``: the short English question of bench/speed/gateway_overhead.py.

Parts, each timed on its own (CPU time of this process, median over the
requests): normalisation; the structured detectors (on the normalised text, in
their trigger windows); morphology (kiwipiepy or sudachipy alone, on the whole
text); morphology as read (the same on each sentence the way the person
detector reads it, with the end of the sentence before: ``names.lead_in``);
the person detector (morphology included, so the tagger's own share is the
difference from morphology as read);
injection (the policy's input checks); grading (``Policy.decide``); masking;
provenance (signing an answer); audit (one event appended to a SQLite audit
chain); the whole ``DetectorInputGuard.inspect`` of the request; and opening
the output guard's session for its answer (``output open``, on the event loop
for every request).

With ``--old``, each round runs this tree and the old one in turn, each in a
fresh subprocess (both are ``gwanmun``), and the ratio new / old is printed
per part (below 1: the new tree is cheaper). Alternating spreads the noise of a
shared machine over both.

``--as-gateway`` measures instead what the gateway's worker threads spend on
a request (``gateway_overhead.py``'s CPU phase reads more than ``inspect``
costs here): the whole ``inspect`` back to back on this thread, the same
after a pause of ``--pause-ms`` (the stand-in upstream's wait, during which
other work takes the core and its caches), the same on a worker thread
through ``anyio.to_thread`` after the pause (as ``Gateway._admit`` calls
it), the SQLite audit append (``store.record``: a worker thread too), and a
hop to a worker thread that does nothing. CPU of every thread of the
process, in the mean over the requests (the gateway's phase reports means),
and what reading those clocks adds to each (``clocks``); each variant reads
its own texts, none seen by any cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* as a script
from bench.trees import in_tree  # noqa: E402

KINDS = ("ko notice", "ko news", "ja notice", "ja news", "en prompt")
PARTS = (
    "normalise",
    "structured",
    "morphology",
    "morph. as read",
    "person (all)",
    "injection",
    "grading",
    "masking",
    "provenance",
    "audit",
    "inspect (all)",
    "output open",
)

# Run in the subprocess, with PYTHONPATH naming the tree under test; only names
# both trees have are used.
_CHILD = """
import json, sys
sys.path.insert(1, {root!r})
from bench.speed.guard_parts import measure_here
print(json.dumps(measure_here({requests})))
"""


def _news(lang: str, count: int, size: int = 1000) -> list[str]:
    """``count`` texts of about ``size`` UTF-8 bytes, no sentence in two of them."""
    from devtools.evalsets import EVAL, load

    sentences = [r["text"] for r in load(EVAL / f"{lang}_ner.dev.jsonl")]
    texts, i = [], 0
    for _ in range(count):
        parts: list[str] = []
        while len(" ".join(parts).encode("utf-8")) < size and i < len(sentences):
            parts.append(sentences[i])
            i += 1
        texts.append(" ".join(parts))
    return texts


def requests(count: int) -> dict[str, list[str]]:
    """``count`` different texts of each kind."""
    import random

    from bench.speed.soak import EN_QUESTIONS, JA_BODY, JA_NAMES, KO_BODY, KO_NAMES

    rng = random.Random(23)

    def values() -> dict[str, object]:
        return {
            "month": rng.randrange(1, 13),
            "email": f"user{rng.randrange(10**6)}@example.go.kr",
        }

    ko = [
        KO_BODY.format(
            name=rng.choice(KO_NAMES),
            phone=f"010-{rng.randrange(2000, 9999)}-{rng.randrange(1000, 9999)}",
            **values(),
        )
        for _ in range(count)
    ]
    ja = [
        JA_BODY.format(
            name=rng.choice(JA_NAMES),
            phone=f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
            **values(),
        )
        for _ in range(count)
    ]
    en = [EN_QUESTIONS[n % len(EN_QUESTIONS)].format(n=n) for n in range(count)]
    return {
        "ko notice": ko,
        "ko news": _news("ko", count),
        "ja notice": ja,
        "ja news": _news("ja", count),
        "en prompt": en,
    }


def measure_here(count: int) -> dict[str, dict[str, float]]:
    """Median CPU ms of every part for every kind, in this interpreter (the
    ``gwanmun`` on ``sys.path``)."""
    import asyncio
    import tempfile
    import time
    from collections.abc import Callable
    from typing import Any

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from gwanmun.audit import AuditEvent
    from gwanmun.audit.store import SQLiteAuditStore
    from gwanmun.detect import run_detectors
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.detect.names import PersonNames, _japanese_morphemes, _kiwi, lead_in, segments
    from gwanmun.guard.factory import CheckDetector, input_guard_for, output_guard_for
    from gwanmun.guard.mask import Masker
    from gwanmun.policy import load_policy
    from gwanmun.provenance import ProvenanceSigner
    from gwanmun.text import normalize
    from gwanmun.types import Action, ChatMessage, ChatRequest, Grade, Outcome, Principal

    policy = load_policy(None)
    guard = input_guard_for(policy)
    guard.warm_up()
    structured = builtin_detectors(structured_only=True)
    person = next(d for d in guard.detectors if isinstance(d, PersonNames))
    checks = [d for d in guard.detectors if isinstance(d, CheckDetector)]
    signer = ProvenanceSigner(Ed25519PrivateKey.generate(), "bench")
    answer = "요청하신 안내문 초안입니다. 내용을 확인해 주세요."
    tmp = tempfile.TemporaryDirectory(prefix="gwanmun-parts-")
    store = SQLiteAuditStore(Path(tmp.name) / "audit.db", b"k" * 32)

    def morphology(text: str) -> object:
        out: list[object] = []
        if any("\uac00" <= c <= "\ud7a3" for c in text):
            out += _kiwi().tokenize(text)
        if any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text):
            out += _japanese_morphemes(text)
        return out

    def as_read(text: str) -> object:
        """The analysers on each sentence as the person detector reads it (with
        its lead-in), so that the tagger's own share is the person detector's
        time less this."""
        out: list[object] = []
        for start, end in segments(text):
            read = text[start - lead_in(text, start) : end]
            out.append(morphology(read))
        return out

    # Parts that read what detection found are given it ready (``prepare``,
    # run untimed before them): each part is timed alone.
    def detected(text: str) -> object:
        return guard.detect(text)

    def audit(found: Any) -> object:
        event = AuditEvent(
            request_id="r", time=0.0, principal=Principal("bench"), model="m",
            backend="b", grade=Grade.C, action=Action.MASK, outcome=Outcome.MASKED,
            findings=tuple(found),
        )  # fmt: skip
        return asyncio.run(store.record(event))

    def decided(pair: Any) -> Any:
        text, found = pair
        return policy.decide([(f, text) for f in found], backend_grade=Grade.C)

    def masked(pair: Any) -> object:
        text, decision = pair
        return Masker().mask(text, decision.to_mask())

    def request(text: str) -> ChatRequest:
        return ChatRequest(model="m", messages=(ChatMessage("user", text),), max_tokens=1)

    def inspect(text: str) -> object:
        return guard.inspect(request(text), backend_grade=Grade.C)

    # The output guard's session for the answer, opened on the event loop for
    # every request (the checks it would run on an answer are not timed here).
    output = output_guard_for(policy, guard, data_dir=Path(tmp.name))

    def opened(pair: Any) -> object:
        return output.open(*pair)

    parts: dict[str, tuple[Callable[[Any], object], Callable[[str], Any]]] = {
        "normalise": (normalize, str),
        "structured": (lambda t: run_detectors(normalize(t), structured), str),
        "morphology": (morphology, str),
        "morph. as read": (as_read, lambda t: normalize(t).text),
        "person (all)": (person.detect, lambda t: normalize(t).text),
        "injection": (lambda t: [c.detect(t) for c in checks], str),
        "grading": (decided, lambda t: (t, detected(t))),
        "masking": (masked, lambda t: (t, decided((t, detected(t))))),
        "provenance": (lambda _: signer.sign(answer, model="m", request_id="r", when=0.0), str),
        "audit": (audit, detected),
        "inspect (all)": (inspect, str),
        "output open": (opened, lambda t: (request(t), inspect(t))),
    }
    # Every cache the person detector keeps across requests (those a tree
    # has): the sentences' names, the type table, the words asked about. Left
    # warm, "inspect (all)" read texts that "person (all)" had just filled
    # them with (the type table above all), which no request of the gateway
    # meets.
    from gwanmun.detect import names, person_model

    caches = [
        cache
        for cache in (
            getattr(person, "cache", None),
            getattr(person_model, "TYPE_ROWS", None),
            getattr(names, "_COMMON_WORDS", None),
            getattr(names, "_NAME_FREE", None),
        )
        if cache is not None
    ]
    texts = requests(count + 2)
    out: dict[str, dict[str, float]] = {}
    for kind, batch in texts.items():
        out[kind] = {}
        for name, (part, prepare) in parts.items():
            # A fresh guard (empty findings cache) and an empty sentence cache
            # (a tree that has one) per part, so no part reads what another
            # part's run of the same texts left behind.
            guard = input_guard_for(policy)
            for cache in caches:
                cache.clear()
            part(prepare(batch[0]))  # lazy loads
            samples = []
            for text in batch[2:]:
                given = prepare(text)
                start = time.process_time_ns()
                part(given)
                samples.append(time.process_time_ns() - start)
            out[kind][name] = statistics.median(samples) / 1e6
    store.close()
    tmp.cleanup()
    return out


def as_gateway_here(count: int, pause_s: float) -> dict[str, dict[str, float]]:
    """Mean CPU ms of the worker side of a request, for every kind (``--as-gateway``)."""
    import asyncio
    import os
    import tempfile
    import time
    from typing import Any

    import anyio
    from threadpoolctl import threadpool_limits

    from gwanmun.audit import AuditEvent
    from gwanmun.audit.store import SQLiteAuditStore
    from gwanmun.detect import names, person_model
    from gwanmun.guard.factory import input_guard_for
    from gwanmun.guard.input import DetectorInputGuard
    from gwanmun.policy import load_policy
    from gwanmun.types import Action, ChatMessage, ChatRequest, Grade, Outcome, Principal

    threadpool_limits(limits=1, user_api="blas")  # as the gateway (services.one_blas_thread)
    policy = load_policy(None)
    guard: DetectorInputGuard = input_guard_for(policy)
    guard.warm_up()
    caches = [
        c
        for c in (
            next(d for d in guard.detectors if isinstance(d, names.PersonNames)).cache,
            getattr(person_model, "TYPE_ROWS", None),
            getattr(names, "_COMMON_WORDS", None),
            getattr(names, "_NAME_FREE", None),
        )
        if c is not None
    ]
    tmp = tempfile.TemporaryDirectory(prefix="gwanmun-parts-")
    store = SQLiteAuditStore(Path(tmp.name) / "audit.db", b"k" * 32)
    pid = os.getpid()

    def cpu_ns() -> int:
        # This thread by its clock (its schedstat lags while it runs); the
        # others, idle when read, by their schedstat.
        total = time.thread_time_ns()
        for task in os.listdir(f"/proc/{pid}/task"):
            if task != str(pid):
                try:
                    with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                        total += int(f.read().split()[0])
                except (FileNotFoundError, ProcessLookupError):
                    continue
        return total

    def inspect(text: str) -> Any:
        request = ChatRequest(model="m", messages=(ChatMessage("user", text),), max_tokens=1)
        return guard.inspect(request, backend_grade=Grade.C)

    def event(result: Any) -> AuditEvent:
        return AuditEvent(
            request_id="r", time=0.0, principal=Principal("bench"), model="m",
            backend="b", grade=Grade.C, action=Action.MASK, outcome=Outcome.MASKED,
            findings=tuple(result.verdict.findings),
        )  # fmt: skip

    variants = ("back to back", "after a pause", "worker, after a pause", "audit", "hop", "clocks")
    texts = requests(3 * count + 1)

    async def run() -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for kind, batch in texts.items():
            spent: dict[str, list[int]] = {v: [] for v in variants}
            for n, variant in enumerate(variants[:3]):
                nonlocal guard
                guard = input_guard_for(policy)  # an empty findings cache
                for cache in caches:
                    cache.clear()
                inspect(batch[0])  # lazy loads
                for text in batch[1 + n * count : 1 + (n + 1) * count]:
                    if variant != "back to back":
                        await asyncio.sleep(pause_s)
                    start = cpu_ns()
                    if variant.startswith("worker"):
                        result = await anyio.to_thread.run_sync(inspect, text)
                    else:
                        result = inspect(text)
                    spent[variant].append(cpu_ns() - start)
                    if variant.startswith("worker"):
                        start = cpu_ns()
                        await store.record(event(result))
                        spent["audit"].append(cpu_ns() - start)
                        start = cpu_ns()
                        await anyio.to_thread.run_sync(lambda: None)
                        spent["hop"].append(cpu_ns() - start)
                        start = cpu_ns()  # what reading the clocks adds to each row
                        spent["clocks"].append(cpu_ns() - start)
            out[kind] = {v: statistics.mean(spent[v]) / 1e6 for v in variants}
        return out

    try:
        return asyncio.run(run())
    finally:
        store.close()
        tmp.cleanup()


def measure(src: Path, count: int) -> dict[str, dict[str, float]]:
    result: dict[str, dict[str, float]] = in_tree(
        src, _CHILD.format(root=str(ROOT), requests=count), "the measurement"
    )
    return result


_GATEWAY_CHILD = """
import json, sys
sys.path.insert(1, {root!r})
from bench.speed.guard_parts import as_gateway_here
print(json.dumps(as_gateway_here({requests}, {pause})))
"""


def _as_gateway_main(args: argparse.Namespace) -> None:
    trees = {"new": args.new} | ({"old": args.old} if args.old else {})
    runs: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    code = _GATEWAY_CHILD.format(root=str(ROOT), requests=args.requests, pause=args.pause_ms / 1e3)
    for _ in range(args.rounds):
        for name, src in trees.items():
            runs[name].append(in_tree(src, code, "the measurement"))
    print(
        f"worker-side CPU ms per request, mean of {args.requests} requests a variant, "
        f"median of {args.rounds} rounds, pause {args.pause_ms:g} ms"
    )
    for kind in KINDS:
        print(f"\n{kind:<24}" + "".join(f"{name:>9}" for name in trees))
        for variant in runs["new"][0][kind]:
            cells = "".join(
                f"{statistics.median(r[kind][variant] for r in runs[name]):>9.3f}" for name in trees
            )
            print(f"  {variant:<22}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="an old tree's src directory, measured beside")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40, help="different texts per kind")
    parser.add_argument(
        "--as-gateway",
        action="store_true",
        help="the worker side of a request as the gateway spends it (see above)",
    )
    parser.add_argument("--pause-ms", type=float, default=20.0, help="with --as-gateway")
    args = parser.parse_args()
    if args.as_gateway:
        _as_gateway_main(args)
        return
    trees = {"new": args.new} | ({"old": args.old} if args.old else {})
    runs: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, src in trees.items():
            runs[name].append(measure(src, args.requests))

    def median(tree: str, kind: str, part: str) -> float:
        return statistics.median(r[kind][part] for r in runs[tree])

    print(f"CPU ms per request, median of {args.requests} requests, median of {args.rounds} rounds")
    for kind in KINDS:
        header = f"\n{kind:<16}{'new':>9}"
        print(header + (f"{'old':>9}{'new/old':>9}" if args.old else ""))
        for part in PARTS:
            new = median("new", kind, part)
            line = f"  {part:<14}{new:>9.3f}"
            if args.old:
                old = median("old", kind, part)
                line += f"{old:>9.3f}{new / old if old else float('nan'):>9.2f}"
            print(line)


if __name__ == "__main__":
    main()
