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

import hyperscan

from gwanmun.detect import REGISTRY, Scanner
from gwanmun.detect._common import folds_to_ascii, make
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
        (r"-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?"
         r"-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s]*)", 0.99,
         ("-----BEGIN ",), 0),
    )
)  # fmt: skip
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# Every match of _ASSIGNMENT starts with one of these, in any case. A regex that
# opens with a lookbehind or a case-insensitive alternation is tried by the
# engine at every position (0.5 ms per pattern per 100 KB, 2.7 ms for this one),
# so each is tried only where its literals occur (``literal_starts``).
_ASSIGNMENT_STARTS = (
    "pass", "pwd", "pw", "secret", "api", "access", "token", "비밀번호", "비번", "패스워드",
    "암호", "パスワード", "暗証番号",
)  # fmt: skip
# The keyword, then ``:``/``=`` (a strong sign), a word or particle (is, 는, 가, は …)
# or only spaces (weak ones: the value must then look like a credential), then
# the value.
_ASSIGNMENT = re.compile(
    r"(?i)(?:password|passwd|passcode|pwd|(?<![a-z])pw(?![a-z])|secret|api[_-]?key|"
    r"access[_-]?token|token|비밀번호|비번|패스워드|암호|パスワード|暗証番号)[\"']?[ \t]*"
    r"(?:(?P<strong>=>?|[:：])|(?P<weak>is(?![a-z])|는|은|가|를|을|이|は|が)|(?<=[ \t]))"
    r"[ \t]*[\"']?(?P<value>[^\s,;\"'<>]{4,128})"
)
# Hangul, kana and kanji end a value: パスワードはQwer1234!です → Qwer1234!; a value
# that starts with them is a word (비밀번호는 주기적으로 …), not a password.
_VALUE_END = re.compile(r"[\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff]")


def _assigned_value(m: re.Match[str]) -> tuple[int, int] | None:
    """The span of a credential assigned in ``m``, or None when it is no credential:
    a word, a value already hidden (``********``), or — after a weak sign — a
    value with neither a digit, a symbol nor mixed case (``token is expired``)."""
    start, end = m.span("value")
    cut = _VALUE_END.search(m.string, start, end)
    end = cut.start() if cut else end
    value = m.string[start:end]
    if len(value) < 4 or not value.strip("*●○•xX#·."):
        return None
    if m.group("strong") is None:
        marked = any(not c.isalpha() for c in value)  # a digit or a symbol
        if not (marked or value.lower() != value != value.upper()):
            return None
    return start, end


_URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://(?P<value>[^\s:/@]+:[^\s@/]+)@")
# A maximal run of 24 or more token characters. Written as one class then a
# repeat (no lookarounds: a greedy match from the leftmost position is a whole
# run already), because a pattern that opens with a plain character class lets
# the engine skip to the next such character instead of trying every position:
# 0.65 -> 0.22 ms per 100 KB of Korean.
_TOKEN = re.compile(r"[A-Za-z0-9+/_=-][A-Za-z0-9+/_=-]{23,}")


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


_CASED = tuple(sorted({w for _, _, words, _ in _KNOWN for w in words} | {"eyJ"}))
_WORDS = (*_CASED, *_ASSIGNMENT_STARTS)
# Every literal in one hyperscan pass (the assignment words case-insensitively):
# 0.1 ms per 100 KB, where a str.find per literal took 0.6.
_EXPRESSIONS = [*(re.escape(w) for w in _WORDS), r"(?:^|[^A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{24}"]
_FLAGS = (
    [hyperscan.HS_FLAG_UTF8] * len(_CASED)
    + [hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_CASELESS] * len(_ASSIGNMENT_STARTS)
    + [hyperscan.HS_FLAG_UTF8]
)
_LITERALS = Scanner(_EXPRESSIONS, _FLAGS)
# The pass's last expression: the first 24 characters of a run of token characters,
# reported once per run (the character before the run anchors it). ``_TOKEN``
# (whose matches are exactly those runs) is tried only where they start, not
# over the whole text (0.2 ms per 100 KB of prose).
_TOKEN_RUN = len(_WORDS)
_TOKEN_LENGTH = 24


def _scan(
    text: str, ends: list[tuple[int, int]] | None = None
) -> tuple[dict[str, set[int]], list[int]]:
    """``literal_starts(text)``, and where each match of ``_TOKEN`` starts
    (``ends``: ``_LITERALS.ends(text)``, when the caller has them)."""
    starts: dict[str, set[int]] = {}
    token_runs: list[int] = []
    for end, number in _LITERALS.ends(text) if ends is None else ends:
        if number == _TOKEN_RUN:
            token_runs.append(end - _TOKEN_LENGTH)
            continue
        word = _WORDS[number]
        starts.setdefault(word, set()).add(end - len(word))
    return starts, token_runs


def _token_runs(text: str, starts: list[int]) -> list[re.Match[str]]:
    """``_TOKEN.finditer(text)``, given where its matches start (``_scan``)."""
    return [m for at in starts if (m := _TOKEN.match(text, at)) is not None]


def literal_starts(text: str) -> dict[str, set[int]]:
    """Where each literal of ``_KNOWN``, ``eyJ`` and ``_ASSIGNMENT_STARTS`` (those in
    any case) starts in ``text``, overlapping occurrences included."""
    return _scan(text)[0]


def _starts_of(starts: dict[str, set[int]], words: Iterable[str], offset: int = 0) -> set[int]:
    return {at - offset for w in words for at in starts.get(w, ())}


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


def _assignments(text: str, starts: dict[str, set[int]] | None = None) -> list[re.Match[str]]:
    """``_ASSIGNMENT.finditer(text)``, tried only where one of ``_ASSIGNMENT_STARTS``
    begins (``starts``: ``literal_starts(text)``)."""
    if folds_to_ascii(text):
        return list(_ASSIGNMENT.finditer(text))  # the regex folds these; hyperscan does not
    if starts is None:
        starts = literal_starts(text)
    return _matches_at(_ASSIGNMENT, text, _starts_of(starts, _ASSIGNMENT_STARTS))


class Credentials:
    id = "credentials"
    kinds = ("SECRET",)
    # ``_LITERALS``' expressions, found by ``run_detectors`` in its trigger pass.
    hints = tuple(zip(_EXPRESSIONS, _FLAGS, strict=True))

    def detect(self, text: str, hints: list[tuple[int, int]] | None = None) -> list[Finding]:
        """``hints``: ``_LITERALS.ends(text)``, when the caller found them."""
        found: list[Finding] = []
        starts, token_runs = _scan(text, hints)
        # Most texts hold none of the literals: no pattern is tried (looking
        # for each pattern's starts cost 7 us per call, on a prompt too).
        for pattern, score, literals, offset in _KNOWN if starts else ():
            if any(w in starts for w in literals):
                for m in _matches_at(pattern, text, _starts_of(starts, literals, offset)):
                    found.append(make("SECRET", m.start(), m.end(), score, self.id))
        for m in _matches_at(_JWT, text, _starts_of(starts, ("eyJ",))) if "eyJ" in starts else ():
            if _jwt_header_ok(m.group(0)):
                found.append(make("SECRET", m.start(), m.end(), 0.97, self.id))
        for m in _assignments(text, starts) if starts or folds_to_ascii(text) else ():
            span = _assigned_value(m)
            if span is not None:
                found.append(make("SECRET", *span, 0.9 if m.group("strong") else 0.8, self.id))
        for m in _URL_CREDENTIALS.finditer(text) if "://" in text else ():
            found.append(make("SECRET", m.start("value"), m.end("value"), 0.95, self.id))
        covered = [(f.start, f.end) for f in found]
        for m in _token_runs(text, token_runs):
            value = m.group(0)
            if any(s <= m.start() < e for s, e in covered):
                continue
            classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
            if classes == 3 and entropy(value) > 4.0:
                found.append(make("SECRET", m.start(), m.end(), 0.7, self.id))
        return found


REGISTRY.register(Credentials())
