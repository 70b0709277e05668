"""Secrets: API keys, private keys, JWTs, passwords, credentials in URLs.  [pure]

Registered as ``credentials`` (kind SECRET). Known token formats score high;
a long random-looking token (Shannon entropy above 4 bits per character, mixing
letters and digits) scores 0.7 — hexadecimal digests stay below that entropy
and are not reported.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import make
from gwanmun.types import Finding

# (pattern, score, substrings one of which must occur: a cheap prefilter)
_KNOWN: tuple[tuple[re.Pattern[str], float, tuple[str, ...]], ...] = tuple(
    (re.compile(p), s, lits)
    for p, s, lits in (
        (r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])", 0.97, ("AKIA", "ASIA")),
        (r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}", 0.99, ("gh",)),
        (r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{40,}", 0.99, ("github_pat_",)),
        (r"(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}", 0.97, ("xox",)),
        (r"(?<![A-Za-z0-9])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}", 0.95, ("sk-",)),
        (r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}", 0.97, ("AIza",)),
        (r"(?<![A-Za-z0-9])[rs]k_(?:live|test)_[0-9A-Za-z]{16,}", 0.98, ("k_live_", "k_test_")),
        (r"(?<![A-Za-z0-9])gwk_[0-9a-f]{12}_[A-Za-z0-9_-]{16,}", 0.99, ("gwk_",)),
        (r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
         r"|[A-Za-z0-9+/=\s]*)", 0.99, ("PRIVATE KEY",)),
    )
)  # fmt: skip
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_ASSIGNMENT_HINT = re.compile(
    r"(?i)pass|pwd|secret|api[_-]?key|token|비밀번호|패스워드|암호|パスワード|暗証番号"
)
_ASSIGNMENT = re.compile(
    r"(?i)(?:password|passwd|passcode|pwd|secret|api[_-]?key|access[_-]?token|token|"
    r"비밀번호|패스워드|암호|パスワード|暗証番号)[\"']?[ ]*(?:[:=：]|is|는|은|は)[ ]*[\"']?"
    r"(?P<value>[^\s,;\"'<>]{4,128})"
)
_URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://(?P<value>[^\s:/@]+:[^\s@/]+)@")
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{24,}(?![A-Za-z0-9+/_=-])")


def entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())


def _jwt_header_ok(token: str) -> bool:
    head = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(decoded, dict) and "alg" in decoded


class Credentials:
    id = "credentials"
    kinds = ("SECRET",)

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        for pattern, score, literals in _KNOWN:
            if not any(literal in text for literal in literals):
                continue
            found += [
                make("SECRET", m.start(), m.end(), score, self.id) for m in pattern.finditer(text)
            ]
        for m in _JWT.finditer(text) if "eyJ" in text else ():
            if _jwt_header_ok(m.group(0)):
                found.append(make("SECRET", m.start(), m.end(), 0.97, self.id))
        checks = []
        if _ASSIGNMENT_HINT.search(text):
            checks.append((_ASSIGNMENT, 0.9))
        if "://" in text:
            checks.append((_URL_CREDENTIALS, 0.95))
        for regex, score in checks:
            for m in regex.finditer(text):
                found.append(make("SECRET", m.start("value"), m.end("value"), score, self.id))
        covered = [(f.start, f.end) for f in found]
        for m in _TOKEN.finditer(text):
            value = m.group(0)
            if any(s <= m.start() < e for s, e in covered):
                continue
            classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
            if classes == 3 and entropy(value) > 4.0:
                found.append(make("SECRET", m.start(), m.end(), 0.7, self.id))
        return found


REGISTRY.register(Credentials())
