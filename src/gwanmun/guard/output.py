"""The output guard: per-response sessions that check text as it streams.

Model text (still masked: placeholders, never the user's values) goes through
a session chunk by chunk:

1. **Hold-back.** Only text that no check could still object to is released.
   In ``minimal`` mode that is everything except the trailing words and digit
   groups a finding could still grow from (a number being written, a name
   whose title has not come yet) — a few characters, so the first token is
   barely delayed. In ``sentence`` mode a whole sentence is held. Either way
   no more than ``hold_back_chars`` are held: past that the text is checked
   and released.
2. **Leak re-scan.** The input detectors run over what is about to be
   released (with the text before it as context). A value the user did not
   supply is replaced by ``[KIND]`` before release, so it is never delivered;
   a finding that runs into the held tail keeps the whole finding held (a
   longer one is masked up to the bound and its mask stays open), a finding
   whose first characters were already shown has the rest masked, and a
   number that is no finding yet is held until the words a detector reads after
   it (``…, the bank account``) have come, within the same bound. The input
   guard's own placeholders are not leaks.
3. **Sentence checks** (toxicity, and later verbatim and groundedness) run on
   each finished sentence. ``block`` stops the stream with an error event;
   ``warn`` is reported in the response metadata and the audit record.
4. **Restore.** Released text goes through the input guard's restorer, so the
   user sees their own values back.

``report()`` lists every output finding (offsets into the model's text) and
why a stream was stopped. The non-streamed path feeds the whole answer once.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gwanmun.check import TextCheck
from gwanmun.check.grounding import GroundingCheck
from gwanmun.check.grounding import findings as grounding_findings
from gwanmun.detect.names import could_continue_name
from gwanmun.errors import OutputBlocked
from gwanmun.guard.base import InputResult, OutputReport, OutputSession, Restorer
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.mask import placeholder_pattern
from gwanmun.policy import HoldBack, Policy
from gwanmun.text import ASCII_DIGITS
from gwanmun.types import Action, ChatRequest, Finding, Reason, ReasonCode

log = logging.getLogger("gwanmun.guard.output")

# A sentence ends at . ! ? (followed by a space or the end), 。！？, or a newline.
_SENTENCE_END = re.compile(r"(?:[.!?](?=\s|$)|[。！？\n])[\"'”’」』)\]]*")
# Characters an identifier is made of, besides letters and digits.
_ID_JOINERS = frozenset("-–—./:@+_()")
# Context before the released text that detectors see (keywords such as 계좌).
_CONTEXT_CHARS = 48
# Answer text that span checks (verbatim) look back over.
_SPAN_CONTEXT = 600
# A run without spaces (Japanese, Chinese) holds at most this many characters.
_UNSPACED_HOLD = 12
# The widest context window a detector reads after a value (``near``'s window:
# Japanese health insurance reads 40), and a number with its separators.
_AFTER_CONTEXT = 40
_NUMBER = re.compile(r"[0-9](?:[0-9 .\-]*[0-9])?")
_NUMBER_MAX = 32  # how far back a number held for context may begin
_NO_PLACEHOLDERS = re.compile(r"(?!)")


@dataclass(frozen=True, slots=True)
class OutputOptions:
    hold_back: HoldBack = "minimal"
    hold_back_chars: int = 64
    leak_scan: bool = True


@dataclass
class CheckingSession:
    """One response's output checks; never shared between requests."""

    restorer: Restorer
    policy: Policy
    options: OutputOptions
    scanner: DetectorInputGuard | None
    checks: Sequence[TextCheck]
    supplied: str  # the user's own text, normalised, to tell a leak from an echo
    span_checks: Sequence[TextCheck] = ()  # verbatim copying: spans across sentences
    grounding: GroundingCheck | None = None
    sources: tuple[str, ...] = ()  # source documents as the model received them (masked)
    placeholders: re.Pattern[str] = _NO_PLACEHOLDERS  # the input guard's, as models write them
    _meta: dict[str, Any] = field(default_factory=dict)
    _pending: str = ""
    _released: str = ""  # model text released so far (masked domain)
    _sentence_start: int = 0
    _findings: list[Finding] = field(default_factory=list)
    _stopped: Reason | None = None
    _open_leak: int | None = None  # the released text ends inside this masked leak
    _open_leak_end: int = 0  # where that value was last seen to end (model text)
    _in_copy: bool = False  # the released text ends inside a masked copied span
    _gap: str = ""  # spaces and punctuation after a masked copy, not yet shown

    # --- feeding ---------------------------------------------------------

    def feed(self, text: str) -> str:
        if self._stopped is not None:
            return ""
        self._pending += text
        cut = self._release_point(self._pending)
        if cut <= 0:
            return ""
        return self._release(cut)

    def finish(self) -> str:
        if self._stopped is not None:
            return ""
        out = self._release(len(self._pending), final=True) if self._pending else ""
        if len(self._released) > self._sentence_start:
            self._check_sentence(self._sentence_start, len(self._released))
            self._sentence_start = len(self._released)
        if self.grounding is not None and self.sources and self._released.strip():
            self._ground()
        return out + self.restorer.flush()

    def _ground(self) -> None:
        """Score every answer sentence against the sources (once the answer is complete)."""
        assert self.grounding is not None
        try:
            report = self.grounding.score(self._released, list(self.sources))
        except Exception as exc:  # noqa: BLE001 - advisory: reported in the answer's metadata
            log.error("groundedness check failed", extra={"error": type(exc).__name__})
            self._meta["grounding"] = {"error": f"the check failed ({type(exc).__name__})"}
            return
        self._meta["grounding"] = report.as_dict()
        for finding in grounding_findings(report):
            if self.policy.judge(finding, self._released).counts:
                self._findings.append(finding)

    def report(self) -> OutputReport:
        return OutputReport(
            findings=tuple(self._findings),
            stop=self._stopped,
            meta=dict(self._meta),
        )

    # --- hold-back ---------------------------------------------------------

    def _release_point(self, pending: str) -> int:
        """How much of ``pending`` may be checked and released now."""
        limit = self.options.hold_back_chars
        if self.options.hold_back == "sentence":
            # ``kim.`` may go on as ``kim.minsu@…``: a full stop ends a sentence only
            # once the space after it has come.
            ends = [
                m.end()
                for m in _SENTENCE_END.finditer(pending)
                if m.end() < len(pending) or pending[m.start()] not in ".!?"
            ]
            cut = ends[-1] if ends else 0
        else:
            # After a lone first digit, the word it starts is still being written.
            first_digit_only = len(self._released) == 1 and self._released in ASCII_DIGITS
            lead = self._released if first_digit_only else ""
            text = lead + pending
            hold = _growing_tail(text)
            if self.checks and self._released:
                # A word still being written is held, so a blocked word is never half
                # shown. Not before the first release: the first token is not delayed.
                hold = max(hold, _partial_word(text))
            cut = len(pending) - min(hold, len(pending))
            if cut == 0 and not self._released and pending[:1] in ASCII_DIGITS:
                # An answer that starts with a number (a list: ``1``, ``.``, `` **``)
                # shows its first digit at once. One digit tells nothing about
                # anyone; a value it turns out to begin is masked from the second
                # character on (``1[PHONE]``), and a value that has come whole is
                # held whole, as everywhere (the cut moves back in ``_leaks``).
                cut = 1
        return max(cut, len(pending) - limit, 0)

    # --- release -------------------------------------------------------------

    def _release(self, cut: int, *, final: bool = False) -> str:
        pending = self._pending
        segment_start = len(self._released)
        masks: list[tuple[int, int, str]] = []  # start, end (absolute), what is shown instead
        if self.options.leak_scan and self.scanner is not None:
            cut, masks = self._leaks(pending, cut, final=final)
        if cut <= 0:
            return ""
        segment = pending[:cut]
        self._pending = pending[cut:]
        copied = self._span_checks(segment)
        self._block_early(segment)
        # ``_released`` is the model's own text (offsets of output findings index it);
        # what the user gets has leaks and masked copies replaced.
        self._released += segment
        self._sentences(segment_start)
        replaced = {a - segment_start: (b - segment_start, shown) for a, b, shown in masks}
        out: list[str] = []
        i = 0
        while i < len(segment):
            if i in replaced:
                end, marker = replaced[i]
                out.append(marker)
                self._in_copy, self._gap = False, ""
                i = end
                continue
            ch = segment[i]
            if copied[i]:
                if not self._in_copy:
                    out.append("[VERBATIM]")
                    self._in_copy = True
                self._gap = ""
            elif self._in_copy and not ch.isalnum():
                self._gap += ch  # between copied words: part of the copy if it goes on
            else:
                if self._in_copy:
                    out.append(" " if any(c.isspace() for c in self._gap) else "")
                    self._in_copy, self._gap = False, ""
                out.append(ch)
            i += 1
        return self.restorer.feed("".join(out))

    def _leaks(
        self, pending: str, cut: int, *, final: bool
    ) -> tuple[int, list[tuple[int, int, str]]]:
        """Where to cut ``pending`` so that no leak is released, and what to mask.

        A finding that runs into the held tail is held whole, up to
        ``hold_back_chars``; a longer one (a key, a blob) is masked as far as the
        cut and its mask stays open: the rest is masked as it comes, without a
        second marker. A finding whose first characters were already shown (a
        word that only later turned out to start an address) has the rest masked.
        """
        assert self.scanner is not None
        context = self._released[-_CONTEXT_CHARS:]
        window = context + pending
        base = len(self._released) - len(context)
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
            if _compact(window[finding.start : finding.end]) in self.supplied:
                continue  # the user's own value (not masked by policy): not a leak
            acting.append(finding)
        limit = self.options.hold_back_chars
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
            kind = self._findings[self._open_leak].kind
            ended = any(f.kind == kind and f.start < len(context) == f.end for f in found)
            # Not found again in the shorter window: the value's known rest, and the
            # word it goes on with (unless the value is seen to end where the cut was).
            run = len(context) + (0 if ended else _leading_run(pending))
            end = min(max(self._open_leak_end - base, run), local_cut)
            if end > len(context):
                spans.insert(0, (len(context), end, None))
        masks: list[tuple[int, int, str]] = []
        still_open: int | None = None
        for start, end, value in spans:
            value_end = end if value is None else value.end
            if start == len(context) and self._open_leak is not None:  # the same value goes on
                index, shown = self._open_leak, ""
                seen = self._findings[index]
                self._findings[index] = replace(seen, end=max(seen.end, base + value_end))
            else:
                assert value is not None
                shown = f"[{value.kind}]"
                index = self._note(
                    replace(
                        value,
                        start=base + value.start,
                        end=base + value.end,
                        detector=f"leak:{value.detector}",
                    )
                )
            masks.append((base + start, base + end, shown))
            # The value may go on: it runs past the cut, or up to the end of what came.
            goes_on = local_cut == len(window) or not window[local_cut].isspace()
            if end == local_cut and (value_end > local_cut or goes_on):
                still_open = index
                self._open_leak_end = base + max(value_end, local_cut)
        self._open_leak = None if final else still_open
        return local_cut - len(context), masks

    def _sentences(self, segment_start: int) -> None:
        """Run the sentence checks on every sentence the new text finished."""
        released = self._released
        for match in _SENTENCE_END.finditer(released, max(self._sentence_start, segment_start)):
            end = match.end()
            if end <= self._sentence_start:
                continue
            self._check_sentence(self._sentence_start, end)
            self._sentence_start = end

    def _span_checks(self, segment: str) -> list[bool]:
        """Checks over the recent answer (a copy runs across sentences): block, mask or warn.

        Returns, per character of ``segment``, whether it is masked as copied. A
        copied span is found once it is ``min_chars`` long, so less than that may
        already have been shown — below the length the policy cares about. The
        rest of a masked copy becomes one ``[VERBATIM]``.
        """
        copied = [False] * len(segment)
        if not self.span_checks or not segment:
            return copied
        context = self._released[-_SPAN_CONTEXT:]
        base = len(self._released) - len(context)
        window = context + segment
        for check in self.span_checks:
            for finding in self._run(check, window):
                if finding.end <= len(context):
                    continue
                judgment = self.policy.judge(finding, window)
                if not judgment.counts:
                    continue
                self._note(replace(finding, start=base + finding.start, end=base + finding.end))
                if judgment.blocks:
                    raise self._stop(Reason(ReasonCode.OUTPUT_FINDING, kinds=(finding.kind,)))
                if judgment.action is Action.MASK:
                    for i in range(
                        max(finding.start - len(context), 0), finding.end - len(context)
                    ):
                        copied[i] = True
        return copied

    def _note(self, finding: Finding) -> int:
        """Record a finding, merging it with an earlier one of the same span that
        grew (``John``, then ``John Smith``); returns its index."""
        for i, seen in enumerate(self._findings):
            if (
                seen.kind == finding.kind
                and seen.detector == finding.detector
                and seen.start <= finding.end
                and finding.start <= seen.end
            ):
                self._findings[i] = replace(
                    seen,
                    start=min(seen.start, finding.start),
                    end=max(seen.end, finding.end),
                    score=max(seen.score, finding.score),
                )
                return i
        self._findings.append(finding)
        return len(self._findings) - 1

    def _block_early(self, segment: str) -> None:
        """Stop before releasing a segment if the sentence so far already must be blocked.

        Sentence checks otherwise run on finished sentences; this keeps a blocked
        phrase from being delivered while its sentence is still being written.
        """
        if not self.checks:
            return
        start = self._sentence_start
        partial = self._released[start:] + segment
        for check in self.checks:
            for finding in self._run(check, partial):
                if self.policy.judge(finding, partial).blocks:
                    self._findings.append(
                        replace(finding, start=start + finding.start, end=start + finding.end)
                    )
                    raise self._stop(Reason(ReasonCode.OUTPUT_FINDING, kinds=(finding.kind,)))

    def _run(self, check: TextCheck, text: str) -> list[Finding]:
        try:
            return check.check(text)
        except Exception as exc:
            log.error(
                "output check failed", extra={"check": check.name, "error": type(exc).__name__}
            )
            raise self._stop(
                Reason(ReasonCode.CHECK_FAILED, source=check.name, error=type(exc).__name__)
            ) from exc

    def _check_sentence(self, start: int, end: int) -> None:
        sentence = self._released[start:end]
        if not sentence.strip() or not self.checks:
            return
        for check in self.checks:
            found = self._run(check, sentence)
            for finding in found:
                judgment = self.policy.judge(finding, sentence)
                if not judgment.counts:
                    continue
                located = replace(finding, start=start + finding.start, end=start + finding.end)
                self._findings.append(located)
                if judgment.blocks:
                    raise self._stop(Reason(ReasonCode.OUTPUT_FINDING, kinds=(finding.kind,)))

    def _stop(self, reason: Reason) -> OutputBlocked:
        self._stopped = reason
        return OutputBlocked(
            f"{reason}. The part already shown stays; the rest was withheld. The event is audited."
        )


_WORD = re.compile(r"\S+")
_PUNCT = ".,;:!?\"'()[]{}“”‘’「」"


def _growing_tail(text: str) -> int:
    """How many trailing characters could still become (part of) a finding.

    Held: a trailing word with digits or identifier joiners (a number, an
    address, a key being written) together with the digit groups before it
    (``010 1234 5678``); a Hangul or CJK word and the one before it (a name
    is found by the title after it: 김민수 주무관); an English title or given
    name and the capitalised word after it. Plain words are not held, so the
    first token of an ordinary answer is not delayed. A run without spaces
    (Japanese) holds at most its last few characters.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, max(0, len(text) - 160))]
    hold_from = len(text)
    for index in range(len(words) - 1, max(len(words) - 3, -1), -1):
        start, end = words[index]
        word = text[start:end]
        previous = text[slice(*words[index - 1])] if index > 0 else ""
        if not _risky(word, previous, incomplete=end == len(text)):
            break
        if _unspaced(word) and end - start > _UNSPACED_HOLD:
            # The last few characters, and all of a Latin code or address being
            # written in the run (担当はtaro.yamada@…).
            hold_from = min(end - _UNSPACED_HOLD, end - _ascii_run(word, _ID_JOINERS, at_end=True))
            break
        hold_from = start
        if not (_name_like(word) or _name_like(previous) or _capitalised(word, previous)):
            break  # one identifier-like word; its digit groups are added below
    # Extend back over digit groups and joiners: 010 1234 5678, 123-45-67890.
    i = hold_from
    if i < len(text) and any(c.isdigit() for c in text[i:]):
        while i > 0 and (text[i - 1].isdigit() or text[i - 1] in _ID_JOINERS or text[i - 1] == " "):
            if text[i - 1] == " " and not (i >= 2 and text[i - 2].isdigit()):
                break
            i -= 1
    return len(text) - i


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
    while begin > start and (text[begin - 1].isdigit() or text[begin - 1] in " .-"):
        begin -= 1  # from the start of a number the window would cut
    for match in _NUMBER.finditer(text, begin):
        if len(text) - match.end() >= _AFTER_CONTEXT or sum(map(str.isdigit, match[0])) < 5:
            continue
        if not any(f.start <= match.start() and match.end() <= f.end for f in findings):
            return match.start()
    return len(text)


def _ascii_run(text: str, joiners: Collection[str], *, at_end: bool = False) -> int:
    """Length of the run of ASCII letters, digits and ``joiners`` that ``text``
    starts with (or, ``at_end``, ends with)."""
    step, i = (-1, len(text) - 1) if at_end else (1, 0)
    n = 0
    while 0 <= i < len(text) and text[i].isascii() and (text[i].isalnum() or text[i] in joiners):
        n += 1
        i += step
    return n


def _leading_run(text: str) -> int:
    """Length of the run of characters a key, a token or a number is made of
    (ASCII letters, digits, joiners, base64's + / =) that ``text`` starts with:
    where a value masked at the bound may still be going on. Prose — a space,
    a Hangul or kana word glued on (…です) — ends it."""
    return _ascii_run(text, "-_.+/=:@%~")


def _partial_word(text: str) -> int:
    """Length of the word at the end of ``text`` that may still be growing."""
    i = len(text)
    while i > 0 and not text[i - 1].isspace() and text[i - 1] not in _PUNCT:
        i -= 1
    return len(text) - i


def _risky(word: str, previous: str, *, incomplete: bool) -> bool:
    if any(c.isdigit() or c in "@:/_" for c in word):
        return True
    core = word.strip(_PUNCT)
    if any(c in "-." for c in core):
        return True  # a host name, an e-mail being written, a hyphenated code
    if _name_like(word):
        return True
    return core[:1].isupper() and could_continue_name(
        core, previous.strip(_PUNCT), incomplete=incomplete
    )


def _capitalised(word: str, previous: str) -> bool:
    """Two capitalised words in a row (``John S…``, ``Kim Min…``): one name, held together."""
    return word.strip(_PUNCT)[:1].isupper() and previous.strip(_PUNCT)[:1].isupper()


def _name_like(word: str) -> bool:
    """Hangul, kana or kanji: names there are found by morphology and context."""
    return any(
        "\uac00" <= c <= "\ud7a3" or "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff"
        for c in word
    )


def _unspaced(word: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in word)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-–—.()]", "", unicodedata.normalize("NFKC", text)).casefold()


class RestoringSession:
    """Restores placeholders in one response; never shared between requests."""

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer

    def feed(self, text: str) -> str:
        return self._restorer.feed(text)

    def finish(self) -> str:
        return self._restorer.flush()

    def report(self) -> OutputReport:
        return OutputReport()


class RestoringOutputGuard:
    """Opens a ``RestoringSession`` around the input guard's restorer (no checks)."""

    def open(self, request: ChatRequest, input_result: InputResult) -> OutputSession:
        return RestoringSession(input_result.restorer)


class CheckingOutputGuard:
    """Opens a ``CheckingSession`` per response: leak re-scan, sentence checks, restore."""

    def __init__(
        self,
        policy: Policy,
        *,
        scanner: DetectorInputGuard | None,
        checks: Sequence[TextCheck] = (),
        span_checks: Sequence[TextCheck] = (),
        grounding: GroundingCheck | None = None,
        options: OutputOptions | None = None,
    ) -> None:
        self.policy = policy
        self.scanner = scanner
        self.checks = tuple(checks)
        self.span_checks = tuple(span_checks)
        self.grounding = grounding
        self.options = options or OutputOptions()
        kinds = set(policy.data.kinds)
        if scanner is not None:
            kinds |= {kind for detector in scanner.detectors for kind in detector.kinds}
        self.placeholders = placeholder_pattern(kinds)

    def open(self, request: ChatRequest, input_result: InputResult) -> OutputSession:
        if not (self.scanner or self.checks or self.span_checks or self.grounding):
            # Nothing to check: nothing to hold back either.
            return RestoringSession(input_result.restorer)
        supplied = _compact(" ".join(m.content for m in request.messages))
        return CheckingSession(
            restorer=input_result.restorer,
            policy=self.policy,
            options=self.options,
            scanner=self.scanner,
            checks=self.checks,
            supplied=supplied,
            span_checks=self.span_checks,
            grounding=self.grounding,
            placeholders=self.placeholders,
            sources=tuple(
                input_result.request.messages[i].content
                for i in request.sources
                if i < len(input_result.request.messages)
            ),
        )
