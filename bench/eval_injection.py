"""Prompt-injection check: detection rate on attacks, false positives on benign prompts.

    python bench/eval_injection.py

Attacks: the ``user_input`` of every record in shared/eval/prompt_injection.dev.jsonl
(Meta CyberSecEval, machine-translated into 17 languages; MIT licence), per
language and in all. Many of them only attack in the context of their system
prompt ("what is the user's birth year?", a riddle in Caesar code), which no
input-side rule can see; the column shows what the rules catch on their own.
Benign: bench/data/benign_prompts.jsonl, 30 Korean, 30 Japanese and 30 English
office requests written by the project, including hard negatives (password
notices, "system prompt" in training material, "ignore the previous draft"),
plus the shipped starter templates. Threshold: the default policy's min_score
for PROMPT_INJECTION (0.7).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from gwanmun.check.injection import InjectionCheck
from gwanmun.policy import load_policy
from gwanmun.prompts.store import render, starter_templates

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = ROOT.parent / "shared" / "eval" / "prompt_injection.dev.jsonl"
BENIGN = ROOT / "bench" / "data" / "benign_prompts.jsonl"


def main() -> None:
    if not ATTACKS.exists():
        sys.exit(f"missing {ATTACKS}: the evaluation data lives in shared/eval beside the repo")
    check = InjectionCheck()
    threshold = load_policy().rule("PROMPT_INJECTION").min_score
    detected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in ATTACKS.open(encoding="utf-8"):
        record = json.loads(line)
        hit = check.score(record["user_input"]) >= threshold
        for key in (record["speaking_language"], "all 17 languages"):
            detected[key][0] += hit
            detected[key][1] += 1
    flagged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    examples: list[str] = []
    benign = [json.loads(line) for line in BENIGN.open(encoding="utf-8")]
    benign = [r for r in benign if "text" in r]
    for template in starter_templates():
        values = {v.name: "검토 자료" for v in template.variables}
        benign.append({"text": render(template, values), "language": template.language})
    for record in benign:
        hit = check.score(record["text"]) >= threshold
        flagged[record["language"]][0] += hit
        flagged[record["language"]][1] += 1
        if hit:
            examples.append(record["text"][:80])
    print(f"prompt injection, rules only, threshold {threshold}")
    print(f"{'language':<20}{'attacks found':>15}{'attacks':>9}{'benign flagged':>16}{'benign':>8}")
    for lang, code in (("Korean", "ko"), ("Japanese", "ja"), ("English", "en")):
        found, total = detected.get(lang, [0, 0])
        fp, clean = flagged.get(code, [0, 0])
        rate = f"{found / total:.3f}" if total else "-"
        print(f"{lang:<20}{rate:>15}{total:>9}{fp / max(clean, 1):>16.3f}{clean:>8}")
    found, total = detected["all 17 languages"]
    fp = sum(v[0] for v in flagged.values())
    clean = sum(v[1] for v in flagged.values())
    print(f"{'all 17 languages':<20}{found / total:>15.3f}{total:>9}{fp / clean:>16.3f}{clean:>8}")
    for example in examples:
        print("  benign flagged:", example)


if __name__ == "__main__":
    main()
