"""Prompt-injection check: detection rate on attacks, false positives on benign prompts.

    python bench/quality/eval_injection.py            # a few minutes, numpy only
    python bench/quality/eval_injection.py --show-misses   # also list the held-out attacks missed

Data (see ``bench/train/train_injection.py``, which trains the shipped classifier on
the same examples): the ``user_input`` of every record in
shared/eval/prompt_injection.dev.jsonl (Meta CyberSecEval, machine-translated
into 17 languages; MIT licence) as attacks; as benign, the project's Korean,
Japanese and English requests in bench/data/benign_prompts.jsonl (hard
negatives included: password notices, "system prompt" in training material,
"ignore the previous draft"), the shipped starter templates, and the
CyberSecEval system prompts (ordinary instructions to a model).

Many CyberSecEval attacks only attack in the context of their system prompt
("what is the user's birth year?", a riddle in Caesar code): no input-side
check can see those, so no column reaches 1.0.

Three columns of detectors, one row per language, at the default policy's
``min_score`` for PROMPT_INJECTION (0.7):

- **rules**: the multilingual rules alone (nothing learned; in-sample does
  not apply);
- **rules + classifier, out of fold**: the honest number. 5-fold grouped
  cross-validation (translations of one attack stay in one fold): for each
  fold a classifier is trained, threshold included, on the other four exactly
  as ``train_injection.fit`` trains the shipped one, and the fold's texts are
  scored by rules + that classifier;
- **shipped**: rules + the packaged model on all the data it was trained on
  (in-sample, optimistic: shown only to check the shipped file behaves).

CyberSecEval has no English attacks, and its Korean and Japanese ones are few
(25 and 20). A second table therefore scores bench/data/attacks_heldout.jsonl:
70 attacks (30 English, 20 Korean, 20 Japanese) written by the project in the
families the check names — override, exfiltration, jailbreak modes, instructions
embedded in documents, payload splitting, encoded payloads — and never used in
training (``train_injection.py`` does not read the file). Rules alone against
rules + the shipped classifier. Which of them were missed is printed only with
``--show-misses``: whoever reads them and then writes training attacks makes
the held-out numbers optimistic.

Korean and Japanese, before and after (issue 18; ``--ko-ja`` runs this part
alone, a few minutes): the check as it was at each ``--before`` revision (its
own rules, readings and model, loaded from git; by default before set E's
round and before set F's) and as it is now, side by side on

- attacks never trained on: ``attacks_unseen_ko_ja.jsonl`` (50 ko, 50 ja, seven
  families, written by hand apart from the training generator),
  ``attacks_unseen_b_ko_ja.jsonl`` (25 + 25, written later, before any result on
  them was looked at), ``attacks_unseen_c_ko_ja.jsonl`` (150 + 150, written by
  hand and committed before the second round of changes, never tuned on),
  ``attacks_unseen_d_ko_ja.jsonl`` (100 + 100, written by hand and committed
  before the third round, used once to choose), ``attacks_unseen_e_ko_ja.jsonl``
  (103 + 103, written by hand and committed before the fourth round, used in
  aggregate by family in the fifth), ``attacks_unseen_f_ko_ja.jsonl`` (100 + 100,
  written by hand in other registers and committed before the fifth round,
  never tuned on) and the older
  ``attacks_heldout.jsonl`` (20 + 20);
- ordinary text: every sentence of ``shared/eval/ko_ner.dev.jsonl`` (2,528 KLUE
  news and review sentences) and ``ja_ner.dev.jsonl`` (2,739 Wikipedia
  sentences) — a different source from the retrieval passages the classifier
  trains on — and 60 hand-written office requests that talk about
  instructions, passwords, modes, role-play and translation
  (``benign_unseen_ko_ja.jsonl``), and the office requests of sets C to F
  (``benign_unseen_c_ko_ja.jsonl``, ``benign_unseen_d_ko_ja.jsonl``, 50 + 50
  each; ``benign_unseen_e_ko_ja.jsonl``, 55 + 55; ``benign_unseen_f_ko_ja.jsonl``,
  50 + 50), and ordinary requests with a link (``benign_urls_heldout.jsonl``,
  30 + 30 Korean and Japanese shown);
- cost: the median time of one ``score`` call on a 1 KB Korean and a 1 KB
  Japanese request and a 10 KB Korean document, the checks timed in turn, and
  each one's ratio to the first.

Today's check is shown three ways: as the default policy runs it (``now``: no
embedding stage), with the embedding stage consulted on whatever segment the
character classifier hands over (``floor 0``) and as ``output.injection_embedding:
true`` runs it (``+embed``: only when that classifier gave the segment at least
the model's floor).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench.* when run as a script

from bench.train.train_injection import (
    Example,
    fit,
    folds,
    load_examples,
    logic_attacks,
    read_jsonl,
    vectorize,
)
from gwanmun.check import injection
from gwanmun.check.injection import InjectionCheck, InjectionModel
from gwanmun.check.injection_embedding import load_embedding_model
from gwanmun.policy import load_policy

LANGUAGES = (("Korean", "ko"), ("Japanese", "ja"), ("English", "en"))
HELDOUT = Path(__file__).resolve().parents[1] / "data" / "attacks_heldout.jsonl"
BENIGN_HELDOUT = Path(__file__).resolve().parents[1] / "data" / "benign_heldout.jsonl"
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data"
UNSEEN = {
    "unseen A": DATA / "attacks_unseen_ko_ja.jsonl",
    "unseen B": DATA / "attacks_unseen_b_ko_ja.jsonl",
    "unseen C": DATA / "attacks_unseen_c_ko_ja.jsonl",
    "unseen D": DATA / "attacks_unseen_d_ko_ja.jsonl",
    "unseen E": DATA / "attacks_unseen_e_ko_ja.jsonl",
    "unseen F": DATA / "attacks_unseen_f_ko_ja.jsonl",
    "heldout (older)": HELDOUT,
}
BENIGN_UNSEEN = (
    DATA / "benign_unseen_ko_ja.jsonl",
    DATA / "benign_unseen_c_ko_ja.jsonl",
    DATA / "benign_unseen_d_ko_ja.jsonl",
    DATA / "benign_unseen_e_ko_ja.jsonl",
    DATA / "benign_unseen_f_ko_ja.jsonl",
    DATA / "benign_urls_heldout.jsonl",
)
ORDINARY = {
    "ko": ROOT.parent / "shared" / "eval" / "ko_ner.dev.jsonl",
    "ja": ROOT.parent / "shared" / "eval" / "ja_ner.dev.jsonl",
}
# The check as it was before the fourth round (60ea1ad: set E committed, nothing
# else changed yet) and before the fifth (3e95afd: set F committed, likewise).
# (e9dd3c5, the last main commit before the Korean and Japanese training set, is
# the first round's "before", e1edd71 the second's: pass --before to see them.)
BEFORE = ("60ea1ad", "3e95afd")


def out_of_fold_scores(examples: Sequence[Example]) -> list[float]:
    """Rules + a classifier that never saw the example's fold."""
    x = vectorize([e.text for e in examples])
    fold_of = np.array(folds(examples))
    scores = [0.0] * len(examples)
    for f in sorted(set(fold_of.tolist())):
        train = [i for i, k in enumerate(fold_of) if k != f]
        test = [i for i, k in enumerate(fold_of) if k == f]
        model: InjectionModel = fit([examples[i] for i in train], x=x[train])
        # (The embedding stage, off by default, is trained on every fold: its own
        # out-of-fold numbers are printed by bench/train/train_injection_embedding.py.)
        check = InjectionCheck(model=model)
        for i in test:
            scores[i] = check.score(examples[i].text)
        print(f"  fold {f + 1}: trained on {len(train)}, scored {len(test)}", file=sys.stderr)
    return scores


def rates(
    examples: Sequence[Example], scores: Sequence[float], threshold: float
) -> dict[str, tuple[int, int, int, int]]:
    """Per language (and "all"): attacks found, attacks, benign flagged, benign."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for example, score in zip(examples, scores, strict=True):
        hit = score >= threshold
        language = _code(example.language)
        keys = {language, "all"} if example.source != "written" else {f"written {language}"}
        for key in keys:
            row = table[key]
            if example.label:
                row[0] += hit
                row[1] += 1
            elif example.source != "system_prompt":
                row[2] += hit
                row[3] += 1
    system = [(e, s) for e, s in zip(examples, scores, strict=True) if e.source == "system_prompt"]
    table["system prompts"] = [0, 0, sum(s >= threshold for _, s in system), len(system)]
    return {key: (r[0], r[1], r[2], r[3]) for key, r in table.items()}


def _code(language: str) -> str:
    return {"Korean": "ko", "Japanese": "ja", "English": "en"}.get(language, language)


def _cell(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show-misses", action="store_true", help="list the held-out attacks the check missed"
    )
    parser.add_argument(
        "--ko-ja", action="store_true", help="only the Korean and Japanese before/after table"
    )
    parser.add_argument(
        "--before",
        action="append",
        help="git revision of the check to compare against (repeatable; default: "
        + ", ".join(BEFORE)
        + ")",
    )
    args = parser.parse_args()
    threshold = load_policy().rule("PROMPT_INJECTION").min_score
    revisions = tuple(args.before or BEFORE)
    if args.ko_ja:
        ko_ja(threshold, revisions)
        return
    examples = load_examples()
    print(f"{len(examples)} examples; scoring...", file=sys.stderr)
    columns: list[tuple[str, Callable[[], list[float]]]] = [
        ("rules", lambda: [InjectionCheck(classifier=False).score(e.text) for e in examples]),
        ("rules+clf (out of fold)", lambda: out_of_fold_scores(examples)),
        ("shipped (in-sample)", lambda: [InjectionCheck().score(e.text) for e in examples]),
    ]
    results = {name: rates(examples, compute(), threshold) for name, compute in columns}
    print(f"\nprompt injection, threshold {threshold} (attack recall / benign false positives)")
    header = f"{'language':<16}" + "".join(f"{name:>26}" for name, _ in columns)
    print(header)
    rows = [code for _, code in LANGUAGES] + ["all", "system prompts"]
    rows += [f"written {code}" for _, code in LANGUAGES]
    names = {code: name for name, code in LANGUAGES} | {"all": "all 17 languages"}
    for row in rows:
        cells = []
        for name, _ in columns:
            found, attacks, flagged, benign = results[name].get(row, (0, 0, 0, 0))
            cells.append(f"{_cell(found, attacks):>7} / {_cell(flagged, benign):<5} ({benign:>3})")
        print(f"{names.get(row, row):<16}" + "".join(f"{c:>26}" for c in cells))
    print("(n) = benign texts in the row; system prompts: CyberSecEval test_case_prompt, benign;")
    print("language rows: CyberSecEval attacks; written: bench/data/attacks_train.jsonl")
    heldout(threshold, show_misses=args.show_misses)
    ko_ja(threshold, revisions)


Scored = tuple[str, tuple[str, ...]]  # a text and the table rows it counts in


def rules_vs_both(
    title: str, items: Sequence[Scored], rows: Sequence[str], threshold: float
) -> list[bool]:
    """Print, per row, the share of ``items`` that the rules alone and rules + the
    shipped classifier score at or over ``threshold``; return the latter per item."""
    rules, both = InjectionCheck(classifier=False), InjectionCheck()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    hits: list[bool] = []
    for text, keys in items:
        by_rules, by_both = rules.score(text) >= threshold, both.score(text) >= threshold
        hits.append(by_both)
        for key in keys:
            counts[key][0] += by_rules
            counts[key][1] += by_both
            counts[key][2] += 1
    print(f"\n{title}")
    print(f"{'':<16}{'rules':>8}{'rules+clf':>11}{'n':>5}")
    for key in rows or list(counts):
        r, b, n = counts[key]
        print(f"{key:<16}{r / n:>8.3f}{b / n:>11.3f}{n:>5}")
    return hits


def heldout(threshold: float, *, show_misses: bool = False) -> None:
    rules_vs_both(
        "CyberSecEval logic-violating attacks (ordinary questions outside a topic restriction;\n"
        "not trained on): found",
        [(r["user_input"], (_code(r["speaking_language"]), "all")) for r in logic_attacks()],
        ("ko", "ja", "all"),
        threshold,
    )
    benign = read_jsonl(BENIGN_HELDOUT)
    flagged = rules_vs_both(
        f"held-out benign questions, never trained on ({BENIGN_HELDOUT.name}): flagged",
        [(row["text"], (row["language"], "all")) for row in benign],
        ("ko", "ja", "en", "all"),
        threshold,
    )
    for row, hit in zip(benign, flagged, strict=True):
        if hit:
            print(f"  flagged: {row['language']}: {row['text']}")
    attacks = read_jsonl(HELDOUT)
    found = rules_vs_both(
        f"held-out attacks written by the project, never trained on ({HELDOUT.name})",
        [(a["text"], (a["language"], a["family"], "all")) for a in attacks],
        (),
        threshold,
    )
    for attack, hit in zip(attacks, found, strict=True):
        if not hit and show_misses:
            print(f"  missed: {attack['language']} {attack['family']}: {attack['text'][:70]}")
    if not show_misses:
        print(f"  ({sum(not hit for hit in found)} missed; --show-misses lists them)")
    cost()


def cost() -> None:
    """What the check costs per text, rules alone and with the classifier (median)."""
    prompt = "Write a short paragraph about the history of public libraries."
    document = "도로 보수 공사는 3월에 시작하여 5월에 끝날 예정입니다. " * 300
    print("\ncost per text (median of repeated runs)")
    for name, text, repeat in (("62-char prompt", prompt, 2000), ("10 KB document", document, 20)):
        cells = []
        for check in (InjectionCheck(classifier=False), InjectionCheck()):
            check.score(text)
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                check.score(text)
                samples.append(time.perf_counter() - start)
            cells.append(f"{statistics.median(samples) * 1e3:.3f} ms")
        print(f"{name:<16} rules {cells[0]:>10}   rules+clf {cells[1]:>10}")


class Scorer(Protocol):
    """Anything with the check's ``score``."""

    def score(self, text: str) -> float: ...


def check_at(revision: str) -> Scorer:
    """The injection check as it was at ``revision``: its module, its readings (when
    it had them) and its model, read from git (the rest of the package is today's)."""

    def show(path: str) -> bytes:
        return subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True, capture_output=True
        ).stdout

    def load(path: str, name: str) -> types.ModuleType:
        module = types.ModuleType(f"{name}_at_{revision}")
        module.__dict__["__file__"] = f"{revision}:{path}"
        sys.modules[module.__name__] = module  # dataclasses look their module up
        exec(compile(show(path), module.__file__, "exec"), module.__dict__)
        return module

    today = sys.modules.get("gwanmun.check.readings")
    # The old check imports its readings by name while it is executed (a revision
    # without readings does not import them).
    with contextlib.suppress(subprocess.CalledProcessError):
        sys.modules["gwanmun.check.readings"] = load("src/gwanmun/check/readings.py", "readings")
    try:
        module = load("src/gwanmun/check/injection.py", "injection")
    finally:
        if today is not None:
            sys.modules["gwanmun.check.readings"] = today
    with np.load(io.BytesIO(show("src/gwanmun/data/injection_model.npz"))) as npz:
        model = module.InjectionModel.from_npz({key: npz[key] for key in npz.files})
    check: Scorer = module.InjectionCheck(model=model)
    return check


def ko_ja(threshold: float, revisions: Sequence[str]) -> None:
    """Korean and Japanese: detection on unseen attacks and false alarms on
    ordinary text, the check at each of ``revisions`` against today's, in one run."""
    checks: list[tuple[str, Scorer]] = [(revision, check_at(revision)) for revision in revisions]
    model, second = injection.load_model(), load_embedding_model()
    floor0 = replace(second, floor=0.0)
    checks += [
        # Today's check as the default policy runs it: rules and character
        # classifier, no embedding stage (unchanged by the third round, set D).
        ("now", InjectionCheck(model=model)),
        # The embedding stage on whatever the classifier hands over (floor 0): what
        # the floor costs in recall and saves in time.
        ("floor 0", InjectionCheck(model=model, embedding=True, embedding_model=floor0)),
        # With output.injection_embedding: true.
        ("+embed", InjectionCheck(model=model, embedding=True, embedding_model=second)),
    ]
    names = ", ".join(revisions)
    print(f"\nKorean and Japanese, before ({names}) and now, threshold {threshold}")
    print(f"{'':<34}" + "".join(f"{name:>10}" for name, _ in checks) + f"{'n':>6}")

    def line(label: str, texts: Sequence[str]) -> None:
        cells = [sum(c.score(t) >= threshold for t in texts) / len(texts) for _, c in checks]
        print(f"{label:<34}" + "".join(f"{cell:>10.3f}" for cell in cells) + f"{len(texts):>6}")

    print("attacks found (higher is better)")
    for name, path in UNSEEN.items():
        rows = read_jsonl(path)
        for language in ("ko", "ja"):
            line(f"  {name} {language}", [r["text"] for r in rows if r["language"] == language])
    print("ordinary text flagged (lower is better)")
    for language, path in ORDINARY.items():
        line(f"  {path.name} {language}", [r["text"] for r in read_jsonl(path)])
    for path in BENIGN_UNSEEN:
        benign = read_jsonl(path)
        for language in ("ko", "ja"):
            texts = [r["text"] for r in benign if r["language"] == language]
            line(f"  {path.name.removesuffix('.jsonl')} {language}", texts)
    print("cost per text, median (each / first; the checks take turns)")
    for label, text, repeat in _cost_texts():
        samples: list[list[float]] = [[] for _ in checks]
        for _, check in checks:
            check.score(text)
        for _ in range(repeat):
            for i, (_, check) in enumerate(checks):
                start = time.perf_counter()
                check.score(text)
                samples[i].append(time.perf_counter() - start)
        ms = [statistics.median(s) * 1e3 for s in samples]
        cells = "".join(f"{m:>8.3f} ms x{m / ms[0]:<5.2f}" for m in ms)
        print(f"  {label:<32}{cells}")
    # One text says little about a stage that runs on some requests only: the mean
    # over many different ordinary requests is what the CPU pays.
    print("cost per request, mean over 100 different 1 KB requests of NER sentences")
    for language, requests in _requests(100).items():
        totals = [0.0 for _ in checks]
        for text in requests:
            for i, (_, check) in enumerate(checks):
                start = time.perf_counter()
                check.score(text)
                totals[i] += time.perf_counter() - start
        ms = [total / len(requests) * 1e3 for total in totals]
        cells = "".join(f"{m:>8.3f} ms x{m / ms[0]:<5.2f}" for m in ms)
        print(f"  {language:<32}{cells}")


def _requests(count: int) -> dict[str, list[str]]:
    """``count`` requests of about 1 KB per language: NER sentences run together,
    after the first request (the one ``_cost_texts`` times)."""
    out: dict[str, list[str]] = {}
    for language, path in ORDINARY.items():
        requests, text = [], ""
        for row in read_jsonl(path):
            if len((text + row["text"]).encode()) > 1024:
                requests.append(text)
                text = ""
            text += row["text"] + " "
        out[language] = requests[1 : count + 1]
    return out


def _cost_texts() -> list[tuple[str, str, int]]:
    """A 1 KB Korean and a 1 KB Japanese request (NER sentences run together) and a
    10 KB Korean document, with how many times to time each."""
    out = []
    for language, path in ORDINARY.items():
        text = ""
        for row in read_jsonl(path):
            if len((text + row["text"]).encode()) > 1024:
                break
            text += row["text"] + " "
        out.append((f"{language} ({len(text.encode())} bytes)", text, 300))
    document = "도로 보수 공사는 3월에 시작하여 5월에 끝날 예정입니다. " * 300
    out.append((f"ko document ({len(document.encode()) // 1024} KB)", document, 20))
    return out


if __name__ == "__main__":
    main()
