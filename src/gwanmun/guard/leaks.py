"""Leak masking: the input detectors re-run over answer text about to be
released, so a value the user did not supply is never delivered.  [pure]

A finding that runs into the held tail keeps the whole finding held (a longer
one is masked up to the bound and its mask stays open); a finding whose first
characters were already shown has the rest masked; a number that is no
finding yet is held until the words a detector reads after it have come. The
input guard's own placeholders are not leaks.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import replace
from typing import NamedTuple

from gwanmun.digits import NUMERALS
from gwanmun.guard.holdback import SCAN_CONTEXT_CHARS, ascii_run, compact, digit_like
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.ledger import OutputLedger
from gwanmun.policy import Policy
from gwanmun.types import Finding

# Context before the released text that detectors see: the hold-back's.
_CONTEXT_CHARS = SCAN_CONTEXT_CHARS
# The widest context window a detector reads after a value (``near``'s window:
# Japanese health insurance reads 40), and a number with its separators.
_AFTER_CONTEXT = 40
# A number, in digits or numerals (공일공 구구구구 …).
_DIGIT = "0-9" + "".join(NUMERALS)
_NUMBER = re.compile(f"[{_DIGIT}](?:[{_DIGIT} .\\-]*[{_DIGIT}])?")
_NUMBER_MAX = 32  # how far back a number held for context may begin


class Mask(NamedTuple):
    """Model text ``[start, end)`` (offsets into the whole answer) shown as ``shown``."""

    start: int
    end: int
    shown: str


class LeakMasker:
    """Finds leaks in what is about to be released and says what to mask.

    Owns the one piece of state that spans releases: a value masked at the
    hold-back bound whose mask is still open (its rest is masked as it comes).
    """

    def __init__(
        self,
        scanner: DetectorInputGuard,
        policy: Policy,
        ledger: OutputLedger,
        *,
        supplied: Container[str],
        placeholders: re.Pattern[str],
        limit: int,
    ) -> None:
        self.scanner = scanner
        self.policy = policy
        self.ledger = ledger
        self.supplied = supplied  # the user's own text, compacted: an echo is no leak
        self.placeholders = placeholders  # the input guard's, as models write them
        self.limit = limit
        self._open_leak: int | None = None  # the released text ends inside this masked leak
        self._open_leak_end = 0  # where that value was last seen to end (model text)

    def cut(self, released: str, pending: str, cut: int, *, final: bool) -> tuple[int, list[Mask]]:
        """Where to cut ``pending`` so that no leak is released, and what to mask.

        A finding that runs into the held tail is held whole, up to
        ``hold_back_chars``; a longer one (a key, a blob) is masked as far as the
        cut and its mask stays open: the rest is masked as it comes, without a
        second marker. A finding whose first characters were already shown (a
        word that only later turned out to start an address) has the rest masked.
        """
        context = released[-_CONTEXT_CHARS:]
        window = context + pending
        base = len(released) - len(context)
        found = self.scanner.detect(window)  # a failing detector raises GuardFailure
        # Placeholders are the input guard's own (``[PERSON_1]님`` is not a name).
        issued = [(m.start(), m.end()) for m in self.placeholders.finditer(window)]
        acting: list[Finding] = []  # findings the policy masks or blocks
        for finding in sorted(found, key=lambda f: f.start):
            if finding.end <= len(context):
                continue  # already released: it was checked then
            if any(s <= finding.start and finding.end <= e for s, e in issued):
                continue
            if not self.policy.judge(finding, window).acts:
                continue
            if compact(window[finding.start : finding.end]) in self.supplied:
                continue  # the user's own value (not masked by policy): not a leak
            acting.append(finding)
        limit = self.limit
        local_cut = len(context) + cut
        if not final:  # within the hold-back bound, like every other hold
            awaiting = _awaiting_context(window, len(context), acting)
            local_cut = min(local_cut, max(awaiting, len(window) - limit))
            for finding in acting:
                held_from = max(finding.start, len(context))
                if finding.start < local_cut < finding.end and len(window) - held_from <= limit:
                    local_cut = held_from  # hold the whole finding back
        if local_cut <= len(context):
            return 0, []
        # (start, end, the finding or None for the rest of an open mask), window offsets
        spans: list[tuple[int, int, Finding | None]] = []
        for finding in acting:
            start, end = max(finding.start, len(context)), min(finding.end, local_cut)
            if start >= end:
                continue
            if spans and start <= spans[-1][1]:  # overlapping findings: one mask
                spans[-1] = (spans[-1][0], max(spans[-1][1], end), spans[-1][2])
            else:
                spans.append((start, end, finding))
        if self._open_leak is not None and (not spans or spans[0][0] > len(context)):
            kind = self.ledger.findings[self._open_leak].kind
            ended = any(f.kind == kind and f.start < len(context) == f.end for f in found)
            # Not found again in the shorter window: the value's known rest, and the
            # word it goes on with (unless the value is seen to end where the cut was).
            run = len(context) + (0 if ended else _leading_run(pending))
            end = min(max(self._open_leak_end - base, run), local_cut)
            if end > len(context):
                spans.insert(0, (len(context), end, None))
        masks: list[Mask] = []
        still_open: int | None = None
        for start, end, value in spans:
            value_end = end if value is None else value.end
            if start == len(context) and self._open_leak is not None:  # the same value goes on
                index, shown = self._open_leak, ""
                self.ledger.grow(index, base + value_end)
            else:
                assert value is not None
                shown = f"[{value.kind}]"
                index = self.ledger.note(
                    replace(
                        value,
                        start=base + value.start,
                        end=base + value.end,
                        detector=f"leak:{value.detector}",
                    )
                )
            masks.append(Mask(base + start, base + end, shown))
            # The value may go on: it runs past the cut, or up to the end of what came.
            goes_on = local_cut == len(window) or not window[local_cut].isspace()
            if end == local_cut and (value_end > local_cut or goes_on):
                still_open = index
                self._open_leak_end = base + max(value_end, local_cut)
        self._open_leak = None if final else still_open
        return local_cut - len(context), masks


def _awaiting_context(text: str, start: int, findings: Sequence[Finding]) -> int:
    """Where in ``text`` (from ``start``) a number begins that is no finding yet
    but could become one, or ``len(text)``.

    Some identifiers are reported only with a context word near them, and the
    word may come after the number (``110-123-456789, the bank account …``,
    ``… 12345678 です。保険証の …``). Such a number — five or more digits, not
    inside a finding already — is held until ``_AFTER_CONTEXT`` characters have
    followed it, so the leak re-scan sees its context before it is delivered.
    """
    begin = max(start, len(text) - _AFTER_CONTEXT - _NUMBER_MAX)
    while begin > start and (digit_like(text[begin - 1]) or text[begin - 1] in " .-"):
        begin -= 1  # from the start of a number the window would cut
    for match in _NUMBER.finditer(text, begin):
        if len(text) - match.end() >= _AFTER_CONTEXT or sum(map(digit_like, match[0])) < 5:
            continue
        if not any(f.start <= match.start() and match.end() <= f.end for f in findings):
            return match.start()
    return len(text)


def _leading_run(text: str) -> int:
    """Length of the run of characters a key, a token or a number is made of
    (ASCII letters, digits, joiners, base64's + / =; digits of any script and
    Hangul or kanji numerals: 구공공일…) that ``text`` starts with: where a
    value masked at the bound may still be going on. Prose — a space, a
    Hangul or kana word glued on (…です) — ends it."""
    n = 0
    while n < len(text):
        step = ascii_run(text[n:], "-_.+/=:@%~")
        while n + step < len(text) and digit_like(text[n + step]):
            step += 1
        if step == 0:
            return n
        n += step
    return n
