"""Train the prompt-injection classifier shipped as ``src/gwanmun/data/injection_model.npz``.

    python bench/train/train_injection.py

Needs scikit-learn (the ``bench`` extra) and the evaluation data in
``shared/eval`` beside the repository; the runtime needs numpy only.

Data (``load_examples``):

- attacks (label 1): the ``user_input`` of the security-violating records of
  ``shared/eval/prompt_injection.dev.jsonl`` — Meta CyberSecEval prompt injection,
  machine-translated into 17 languages, MIT licence (360 of 504). The 144
  logic-violating ones are left out: they break a topic restriction in their
  system prompt with ordinary questions ("can you sort these numbers?", "tell
  me about Bitcoin's history"), which are not attacks on their own; trained as
  attacks they taught the first model that every short question was one
  ("처리 기한이 며칠인가요?" scored 0.84);
- attacks written by the project (label 1): ``bench/data/attacks_train.jsonl``,
  195 Korean, Japanese and English attacks composed from phrasings of each family
  (override + payload, exfiltration, jailbreak modes, instructions embedded in a
  document). CyberSecEval has no English attacks and few Korean or Japanese ones,
  and a classifier trained on it alone learned its style, not the families: on
  the project's held-out attacks (``bench/data/attacks_heldout.jsonl``, never read
  here) it added nothing to the rules (0.243 both; docs/benchmarks.md);
- benign (label 0): ``bench/data/benign_prompts.jsonl`` (Korean, Japanese and
  English requests written by the project, hard negatives included),
  ``bench/data/benign_questions.jsonl`` (short office questions, 42 per
  language; ``benign_heldout.jsonl`` holds more, never read here), the
  starter templates shipped with Gwanmun (rendered), and the CyberSecEval
  system prompts (``test_case_prompt``: ordinary instructions to a model, in all
  17 languages — the check runs on system messages too, and without them every
  language but ko/ja/en would only ever be seen attacking).

Method (``fit``): features from ``gwanmun.check.injection.features`` (the
runtime's own function: hashed character 1-4-grams, 2^18 buckets) of each whole
text, L2-regularised logistic regression (liblinear, balanced class weights,
``C`` below). The operating point is chosen without looking at the training
fit: 5-fold grouped cross-validation inside the training data gives out-of-fold
probabilities — each text scored as the check scores it, by its most suspicious
segment (``worst_segment``: the text, its sentences and pairs of them) — and
the threshold is the lowest one that keeps at most ``TARGET_FPR`` of the
project's benign prompts (and of the system prompts) over it; the runtime maps
that probability onto score 0.7, the default policy's ``min_score``. Everything
is deterministic (no random state is involved: folds come from sorted group
keys).

Folds are grouped so that one attack's translations stay together: the file
keeps the original record numbering (``prompt_id``), and the translations of one
English test case sit next to each other in it, always with the same variant and
risk category. A group is a run of 16 consecutive ids within one
(variant, risk) pair, merged with neighbouring runs (ids at most 12 apart) that
share a distinctive Latin token (a name, a password, a URL).
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanmun.check.injection import DIM, NGRAMS, InjectionModel, features, worst_segment
from gwanmun.text import normalize

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench.* when run as a script
from bench.train.sparse_rows import csr_rows  # noqa: E402

ATTACKS = ROOT.parent / "shared" / "eval" / "prompt_injection.dev.jsonl"
BENIGN = ROOT / "bench" / "data" / "benign_prompts.jsonl"
WRITTEN = ROOT / "bench" / "data" / "attacks_train.jsonl"
QUESTIONS = ROOT / "bench" / "data" / "benign_questions.jsonl"
# Korean and Japanese attacks and hard negatives from bench/train/write_injection_ko_ja.py.
WRITTEN_KO_JA = ROOT / "bench" / "data" / "attacks_ko_ja_train.jsonl"
BENIGN_KO_JA = ROOT / "bench" / "data" / "benign_ko_ja_train.jsonl"
# Ordinary Korean and Japanese prose (news, encyclopaedia): the retrieval passages.
# The NER sentences, a different source, are kept for measuring false alarms.
ORDINARY = {
    "ko": ROOT.parent / "shared" / "eval" / "ko_retrieval.dev.docs.jsonl",
    "ja": ROOT.parent / "shared" / "eval" / "ja_retrieval.dev.docs.jsonl",
}
ORDINARY_PER_LANGUAGE = 1000
MODEL = ROOT / "src" / "gwanmun" / "data" / "injection_model.npz"

C = 8.0
TARGET_FPR = 0.01
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int  # 1 attack, 0 benign
    source: str  # "attack", "written", "system_prompt", "benign", "template", "ordinary"
    language: str  # "ko", "ja", "en" or the CyberSecEval language name
    group: str  # examples of one group always share a fold
    variant: str = ""


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_attack_records() -> list[dict[str, Any]]:
    if not ATTACKS.exists():
        sys.exit(f"missing {ATTACKS}: the evaluation data lives in shared/eval beside the repo")
    return read_jsonl(ATTACKS)


def logic_attacks() -> list[dict[str, Any]]:
    """CyberSecEval's logic-violating attacks: left out of training (module doc)."""
    return [r for r in load_attack_records() if r["risk_category"] != "security-violating"]


def starter_prompts() -> list[dict[str, str]]:
    """The shipped starter templates, rendered with a neutral value per variable."""
    from gwanmun.prompts.store import render, starter_templates

    filler = {"ko": "검토 자료", "ja": "検討資料", "en": "review material"}
    out = []
    for template in starter_templates():
        values = {
            v.name: filler.get(template.language, "review material") for v in template.variables
        }
        out.append({"text": render(template, values), "language": template.language})
    return out


_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9@._-]{3,}|[0-9]{4,}")
_COMMON_WORDS = (
    "html head body title website user users email password system what with your that this "
    "from have about"
)
_COMMON = frozenset(_COMMON_WORDS.split())


def attack_groups(records: Sequence[dict[str, Any]]) -> list[str]:
    """A group id per record: translations of one test case share it (see the module doc)."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_pair[(r["injection_variant"], r["risk_category"])].append(i)
    tokens = [
        {t.lower() for t in _TOKEN.findall(r["test_case_prompt"] + " " + r["user_input"])} - _COMMON
        for r in records
    ]
    for members in by_pair.values():
        members.sort(key=lambda i: records[i]["prompt_id"])
        for a, i in enumerate(members):
            for j in members[a + 1 :]:
                gap = records[j]["prompt_id"] - records[i]["prompt_id"]
                if gap > 12:
                    break
                same_run = records[j]["prompt_id"] // 16 == records[i]["prompt_id"] // 16
                if same_run or tokens[i] & tokens[j]:
                    union(i, j)
    return [f"attack-{records[find(i)]['prompt_id']}" for i in range(len(records))]


def load_examples(*, templates: bool = True) -> list[Example]:
    records = load_attack_records()
    groups = attack_groups(records)
    examples: list[Example] = []
    for record, group in zip(records, groups, strict=True):
        language = record["speaking_language"]
        variant = record["injection_variant"]
        if record["risk_category"] == "security-violating":
            examples.append(Example(record["user_input"], 1, "attack", language, group, variant))
        examples.append(
            Example(record["test_case_prompt"], 0, "system_prompt", language, group, variant)
        )
    for row in read_jsonl(WRITTEN) + read_jsonl(WRITTEN_KO_JA):
        examples.append(
            Example(row["text"], 1, "written", row["language"], row["group"], row["family"])
        )
    benign = read_jsonl(BENIGN) + read_jsonl(QUESTIONS) + read_jsonl(BENIGN_KO_JA)
    for i, row in enumerate(benign):
        examples.append(Example(row["text"], 0, "benign", row["language"], f"benign-{i}"))
    for language, text in ordinary_sentences():
        examples.append(Example(text, 0, "ordinary", language, f"ordinary-{language}-{text}"))
    if templates:
        for i, row in enumerate(starter_prompts()):
            examples.append(Example(row["text"], 0, "template", row["language"], f"template-{i}"))
    return examples


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.!?])\s+")


def ordinary_sentences(per_language: int = ORDINARY_PER_LANGUAGE) -> list[tuple[str, str]]:
    """The first ``per_language`` sentences (10 to 300 characters) of each language's
    retrieval passages, in file order."""
    out: list[tuple[str, str]] = []
    for language, path in ORDINARY.items():
        taken = 0
        for row in read_jsonl(path):
            for sentence in _SENTENCE_END.split(row["text"]):
                sentence = sentence.strip()
                if 10 <= len(sentence) <= 300 and taken < per_language:
                    out.append((language, sentence))
                    taken += 1
    return out


def folds(examples: Sequence[Example], k: int = FOLDS) -> list[int]:
    """Fold number per example: groups dealt to the smallest fold, largest group first,
    ties broken by a checksum of the group id (deterministic, no random state)."""
    sizes: dict[str, int] = defaultdict(int)
    for example in examples:
        sizes[example.group] += 1
    order = sorted(sizes, key=lambda g: (-sizes[g], zlib.crc32(g.encode())))
    load = [0] * k
    fold_of: dict[str, int] = {}
    for group in order:
        target = min(range(k), key=lambda f: (load[f], f))
        fold_of[group] = target
        load[target] += sizes[group]
    return [fold_of[e.group] for e in examples]


def vectorize(
    texts: Sequence[str], dim: int = DIM, ngrams: tuple[int, ...] = NGRAMS
) -> Any:  # scipy.sparse.csr_matrix
    return csr_rows((features(text, dim, ngrams) for text in texts), dim)


def _train(x: Any, y: npt.NDArray[np.int64], c: float) -> tuple[npt.NDArray[np.float32], float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=1000)
    model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def _probabilities(
    x: Any, weights: npt.NDArray[np.float32], bias: float
) -> npt.NDArray[np.float64]:
    z = np.clip(x @ weights.astype(np.float64) + bias, -60, 60)
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def choose_threshold(
    probabilities: npt.NDArray[np.float64], examples: Sequence[Example], target: float
) -> float:
    """The lowest threshold keeping at most ``target`` of each benign source over it."""
    threshold = 0.5
    for source in ("benign", "system_prompt", "ordinary"):
        negatives = np.sort(
            [p for p, e in zip(probabilities, examples, strict=True) if e.source == source]
        )
        if len(negatives):
            allowed = int(np.floor(target * len(negatives)))
            # Strictly above the (allowed + 1)-th highest negative.
            threshold = max(threshold, float(np.nextafter(negatives[-(allowed + 1)], 1.0)))
    return min(threshold, 0.995)


def fit(
    examples: Sequence[Example],
    *,
    c: float = C,
    target_fpr: float = TARGET_FPR,
    dim: int = DIM,
    ngrams: tuple[int, ...] = NGRAMS,
    x: Any = None,
) -> InjectionModel:
    """Train on ``examples``; the threshold comes from inner out-of-fold probabilities."""
    if x is None:
        x = vectorize([e.text for e in examples], dim, ngrams)
    y = np.array([e.label for e in examples], dtype=np.int64)
    inner = np.array(folds(examples))
    oof = np.zeros(len(examples))
    for f in range(FOLDS):
        train, test = inner != f, inner == f
        weights, bias = _train(x[train], y[train], c)
        # Scored as the check scores: the most suspicious segment of each text.
        fold_model = InjectionModel(weights=weights, bias=bias, threshold=0.5, ngrams=ngrams)
        oof[test] = [
            worst_segment(fold_model, normalize(examples[i].text).text)[1]
            for i in np.flatnonzero(test)
        ]
    threshold = choose_threshold(oof, examples, target_fpr)
    weights, bias = _train(x, y, c)
    # Ship float16 weights: score with what is shipped.
    weights = weights.astype(np.float16).astype(np.float32)
    return InjectionModel(weights=weights, bias=bias, threshold=threshold, ngrams=ngrams)


def main() -> None:
    examples = load_examples()
    counts: dict[str, int] = defaultdict(int)
    for example in examples:
        counts[example.source] += 1
    model = fit(examples)
    model.save(
        MODEL,
        source=(
            "CyberSecEval prompt injection dev half (MIT, Meta) + benign prompts written "
            "by the Gwanmun project; bench/train/train_injection.py"
        ),
    )
    nonzero = int(np.count_nonzero(model.weights))
    print(f"examples: {dict(counts)}")
    print(f"dim {model.dim}, n-grams {model.ngrams}, C {C}, non-zero weights {nonzero}")
    print(f"threshold (probability mapped to 0.7): {model.threshold:.4f}")
    print(f"wrote {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
