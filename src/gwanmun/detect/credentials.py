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
from collections.abc import Iterable

from gwanmun.detect import REGISTRY
from gwanmun.detect._common import make
from gwanmun.types import Finding

# (pattern, score, strings one of which every match has at the given offset from
# its start): the pattern is tried only where one occurs (``_matches_at``).
_KNOWN: tuple[tuple[re.Pattern[str], float, tuple[str, ...], int], ...] = tuple(
    (re.compile(p), s, lits, offset)
    for p, s, lits, offset in (
        (r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])", 0.97, ("AKIA", "ASIA"), 0),
        (r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}", 0.99,
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), 0),
        (r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{40,}", 0.99, ("github_pat_",), 0),
        (r"(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}", 0.97, ("xox",), 0),
        (r"(?<![A-Za-z0-9])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}", 0.95, ("sk-",), 0),
        (r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}", 0.97, ("AIza",), 0),
        (r"(?<![A-Za-z0-9])[rs]k_(?:live|test)_[0-9A-Za-z]{16,}", 0.98, ("k_live_", "k_test_"), 1),
        (r"(?<![A-Za-z0-9])gwk_[0-9a-f]{12}_[A-Za-z0-9_-]{16,}", 0.99, ("gwk_",), 0),
        (r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
         r"|[A-Za-z0-9+/=\s]*)", 0.99, ("-----BEGIN ",), 0),
    )
)  # fmt: skip
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# Every match of _ASSIGNMENT starts with one of these, lower-cased. A regex that
# opens with a lookbehind or a case-insensitive alternation is tried by the
# engine at every position (0.5 ms per pattern per 100 KB, 2.7 ms for this one);
# str.find for the words it must start with costs a tenth of that.
_ASSIGNMENT_STARTS = (
    "pass", "pwd", "secret", "api", "access", "token", "비밀번호", "패스워드", "암호",
    "パスワード", "暗証番号",
)  # fmt: skip
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


def _find_all(text: str, words: Iterable[str], offset: int = 0) -> set[int]:
    """Where each of ``words`` occurs in ``text``, minus ``offset``."""
    starts: set[int] = set()
    for word in words:
        at = text.find(word)
        while at >= 0:
            starts.add(at - offset)
            at = text.find(word, at + 1)
    return starts


def _matches_at(pattern: re.Pattern[str], text: str, starts: set[int]) -> list[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts at one of
    ``starts``: tried there only, in order, and not inside an earlier match."""
    matches: list[re.Match[str]] = []
    end = 0
    for at in sorted(starts):
        if at < end or at < 0:
            continue
        m = pattern.match(text, at)
        if m is not None:
            matches.append(m)
            end = m.end()
    return matches


def _assignments(text: str) -> list[re.Match[str]]:
    """``_ASSIGNMENT.finditer(text)``, tried only where one of ``_ASSIGNMENT_STARTS``
    begins."""
    lowered = text.lower()
    if len(lowered) != len(text) or "ı" in lowered or "ſ" in lowered:
        # lower() changed lengths (İ), or the regex's case folding would match a
        # character that lower() leaves alone (ı ~ i, ſ ~ s): the plain way.
        return list(_ASSIGNMENT.finditer(text))
    return _matches_at(_ASSIGNMENT, text, _find_all(lowered, _ASSIGNMENT_STARTS))


class Credentials:
    id = "credentials"
    kinds = ("SECRET",)

    def detect(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        for pattern, score, literals, offset in _KNOWN:
            for m in _matches_at(pattern, text, _find_all(text, literals, offset)):
                found.append(make("SECRET", m.start(), m.end(), score, self.id))
        for m in _matches_at(_JWT, text, _find_all(text, ("eyJ",))):
            if _jwt_header_ok(m.group(0)):
                found.append(make("SECRET", m.start(), m.end(), 0.97, self.id))
        for m in _assignments(text):
            found.append(make("SECRET", m.start("value"), m.end("value"), 0.9, self.id))
        for m in _URL_CREDENTIALS.finditer(text) if "://" in text else ():
            found.append(make("SECRET", m.start("value"), m.end("value"), 0.95, self.id))
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
