"""Classification and handling markings (shared/spec/identifiers.md §3.3).  [pure]

Registered as ``markings`` (kind MARKING). The policy grades each marking by
its text (``gwanmun.policy.marking_grade``); the score here is how sure we are
that the text is a marking, not a word: 秘 counts only when set off as a
marking (【秘】, ㊙, alone on a line), never in 秘書 or 神秘; SECRET and
CONFIDENTIAL only in capitals or after "Classification:"; 대외비 not in 대외비용.
"""

from __future__ import annotations

import re

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import folds_to_ascii, make
from gwanmun.types import Finding

# The one case-insensitive rule's words, looked for in the lower-cased text (the
# rule is simply run when the text holds a character the regex folds to ASCII and
# lower() does not: ı, ſ, K, İ).
_FOLDED = ("classif", "marking")

# (pattern, score, strings one of which every match contains: the rule is run
# only on a text holding one; lower-cased where the pattern ignores case).
_RULES: tuple[tuple[re.Pattern[str], float, tuple[str, ...]], ...] = tuple(
    (re.compile(p, re.MULTILINE), s, needs)
    for p, s, needs in (
        # Korea
        (r"(?:군사[ ]?)?(?:III|II|I|[1-3])[ ]?급[ ]?(?:군사[ ]?)?비밀", 0.99, ("비밀",)),
        (r"군사[ ]?(?:비밀|기밀)", 0.95, ("군사",)),
        (r"대외비(?![용])", 0.92, ("대외비",)),
        (r"(?:부분공개|비공개)[ ]?\([ ]?[1-8][ ]?\)", 0.95, ("공개",)),
        # Japan
        (r"特定秘密(?!保護)", 0.99, ("特定秘密",)),
        (r"極秘|厳秘|時限秘|㊙", 0.95, ("秘", "㊙")),
        (r"取扱厳重注意|取扱注意|取り扱い注意", 0.88, ("注意",)),
        (r"部外秘|社外秘|関係者限り|関係者外秘", 0.9, ("秘", "関係者限り")),
        (r"機密性[ ]?[23](?![0-9])", 0.92, ("機密性",)),
        (r"[【\[「(〔<《][ ]?秘[ ]?[】\]」)〕>》]", 0.95, ("秘",)),
        (r"^[ \t]*秘[ \t]*(?:$|[:：])", 0.9, ("秘",)),
        # English
        (r"\bTOP[ ]?SECRET\b", 0.99, ("SECRET",)),
        (r"(?<![A-Za-z])SECRET(?![A-Za-z])", 0.85, ("SECRET",)),
        (r"(?<![A-Za-z])CONFIDENTIAL(?![A-Za-z])", 0.85, ("CONFIDENTIAL",)),
        (r"^[ \t]*Confidential\b", 0.8, ("Confidential",)),
        (r"(?i:classification|classified|marking)[ ]?:[ ]?(?P<v>(?i:top secret|secret|"
         r"confidential|restricted))", 0.95, _FOLDED),
        (r"\bINTERNAL[ ]USE[ ]ONLY\b|\bINTERNAL[ ]ONLY\b|\bFOR[ ]OFFICIAL[ ]USE[ ]ONLY\b|"
         r"\bFOUO\b", 0.85, ("ONLY", "FOUO")),
    )
)  # fmt: skip


# Every marking contains one of these: texts without any skip the rules entirely.
_HINT = re.compile(
    r"급|비밀|기밀|대외비|공개|秘|㊙|注意|限り|機密性|SECRET|CONFIDENTIAL|Confidential|ONLY|FOUO"
    r"|(?i:classification|classified|marking)"
)


class Markings:
    # Every rule's match holds one of these (see gwanmun.detect.TriggerIndex).
    trigger = (
        r"비밀|기밀|대외비|공개|秘|㊙|注意|限り|機密性|SECRET|CONFIDENTIAL|Confidential|ONLY|FOUO"
        r"|(?i:classification|classified|marking)"
    )
    id = "markings"
    kinds = ("MARKING",)

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        if not _HINT.search(text):
            return found
        for pattern, score, needs in _RULES:
            if needs is _FOLDED:
                if not folds_to_ascii(text):
                    folded = text.lower()
                    if not any(word in folded for word in needs):
                        continue
            elif not any(word in text for word in needs):
                continue
            for m in pattern.finditer(text):
                group = "v" if m.groupdict().get("v") else 0
                start, end = m.start(group), m.end(group)
                # Report the marking word itself, without brackets or line padding.
                value = text[start:end]
                if "秘" in value and len(value.strip()) > 1 and value.strip()[0] in "【[「(〔<《":
                    start = text.index("秘", start)
                    end = start + 1
                elif value.strip() != value:
                    start += len(value) - len(value.lstrip())
                    end = start + len(value.strip().rstrip(":："))
                found.append(make("MARKING", start, end, score, self.id))
        return found


REGISTRY.register(Markings())
