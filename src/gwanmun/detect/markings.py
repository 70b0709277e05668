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
from gwanmun.detect._common import make
from gwanmun.types import Finding

_RULES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.MULTILINE), s)
    for p, s in (
        # Korea
        (r"(?:군사[ ]?)?(?:III|II|I|[1-3])[ ]?급[ ]?(?:군사[ ]?)?비밀", 0.99),
        (r"군사[ ]?(?:비밀|기밀)", 0.95),
        (r"대외비(?![용])", 0.92),
        (r"(?:부분공개|비공개)[ ]?\([ ]?[1-8][ ]?\)", 0.95),
        # Japan
        (r"特定秘密(?!保護)", 0.99),
        (r"極秘|厳秘|時限秘|㊙", 0.95),
        (r"取扱厳重注意|取扱注意|取り扱い注意", 0.88),
        (r"部外秘|社外秘|関係者限り|関係者外秘", 0.9),
        (r"機密性[ ]?[23](?![0-9])", 0.92),
        (r"[【\[「(〔<《][ ]?秘[ ]?[】\]」)〕>》]", 0.95),
        (r"^[ \t]*秘[ \t]*(?:$|[:：])", 0.9),
        # English
        (r"\bTOP[ ]?SECRET\b", 0.99),
        (r"(?<![A-Za-z])SECRET(?![A-Za-z])", 0.85),
        (r"(?<![A-Za-z])CONFIDENTIAL(?![A-Za-z])", 0.85),
        (r"^[ \t]*Confidential\b", 0.8),
        (r"(?i:classification|classified|marking)[ ]?:[ ]?(?P<v>(?i:top secret|secret|"
         r"confidential|restricted))", 0.95),
        (r"\bINTERNAL[ ]USE[ ]ONLY\b|\bINTERNAL[ ]ONLY\b|\bFOR[ ]OFFICIAL[ ]USE[ ]ONLY\b|"
         r"\bFOUO\b", 0.85),
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
        for pattern, score in _RULES:
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
