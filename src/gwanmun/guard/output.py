"""The output guard: per-response sessions that check text as it streams.

Model text (still masked: placeholders, never the user's values) goes through
a ``CheckingSession`` chunk by chunk. The session owns only the text (what is
pending, what was released) and composes parts that each own their state:

1. **Hold-back** (``holdback.HoldBackRule``): only text that no check could
   still object to is released. In ``minimal`` mode that is everything except
   the trailing words and digit groups a finding could still grow from, so
   the first token is barely delayed; in ``sentence`` mode a whole sentence
   is held. Never more than ``hold_back_chars``.
2. **Leak masking** (``leaks.LeakMasker``): the input detectors run over what
   is about to be released; a value the user did not supply is replaced by
   ``[KIND]`` before release, so it is never delivered.
3. **Copy masking** (``copies.CopyMasker``): span checks (verbatim) over the
   recent answer; a masked copy is shown as one ``[VERBATIM]``.
4. **Sentence checks** (``answer_checks.SentenceChecks``, toxicity) on each
   finished sentence, and **whole-answer checks**
   (``answer_checks.GroundingChecks``) once the answer is complete.
5. **Restore**: released text goes through the input guard's restorer, so the
   user sees their own values back.

Every part applies policy through ``Policy.judge`` and writes what it found
into the session's ``OutputLedger``; ``report()`` lists every output finding
(offsets into the model's text) and why a stream was stopped. The
non-streamed path feeds the whole answer once.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from gwanmun.check import TextCheck
from gwanmun.check.grounding import GroundingCheck
from gwanmun.guard.answer_checks import GroundingChecks, SentenceChecks
from gwanmun.guard.base import InputResult, OutputReport, OutputSession, Restorer
from gwanmun.guard.copies import CopyMasker
from gwanmun.guard.holdback import HoldBackRule, Supplied
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.leaks import LeakMasker, Mask
from gwanmun.guard.ledger import OutputLedger
from gwanmun.guard.mask import placeholder_pattern
from gwanmun.policy import HoldBack, Policy
from gwanmun.types import ChatRequest

_NO_PLACEHOLDERS = re.compile(r"(?!)")


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """How answers are held back and whether leaks are scanned for (the
    policy's ``output`` section)."""

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
    supplied: Container[str]  # the user's text compacted (Supplied.text): an echo is no leak
    supplied_words: Container[str] = frozenset()  # the same, word by word
    span_checks: Sequence[TextCheck] = ()  # verbatim copying: spans across sentences
    grounding: GroundingCheck | None = None
    sources: tuple[str, ...] = ()  # source documents as the model received them (masked)
    placeholders: re.Pattern[str] = _NO_PLACEHOLDERS  # the input guard's, as models write them
    _pending: str = ""
    _released: str = ""  # model text released so far (masked domain)
    _ledger: OutputLedger = field(default_factory=OutputLedger)

    def __post_init__(self) -> None:
        ledger, policy = self._ledger, self.policy
        self._hold = HoldBackRule(
            self.options.hold_back,
            self.options.hold_back_chars,
            whole_words=bool(self.checks),
            supplied_words=self.supplied_words,
        )
        self._leaks = (
            LeakMasker(
                self.scanner,
                policy,
                ledger,
                supplied=self.supplied,
                placeholders=self.placeholders,
                limit=self.options.hold_back_chars,
            )
            if self.options.leak_scan and self.scanner is not None
            else None
        )
        self._copies = CopyMasker(self.span_checks, policy, ledger)
        self._sentences = SentenceChecks(self.checks, policy, ledger)
        self._whole = GroundingChecks(self.grounding, self.sources, policy, ledger)

    def feed(self, text: str) -> str:
        if self._ledger.stopped:
            return ""
        self._pending += text
        cut = self._hold.release_point(self._pending, self._released)
        if cut <= 0:
            return ""
        return self._release(cut)

    def finish(self) -> str:
        if self._ledger.stopped:
            return ""
        out = self._release(len(self._pending), final=True) if self._pending else ""
        self._sentences.finish(self._released)
        self._whole.finish(self._released)
        return out + self.restorer.flush()

    def report(self) -> OutputReport:
        return self._ledger.report()

    def _release(self, cut: int, *, final: bool = False) -> str:
        pending = self._pending
        segment_start = len(self._released)
        masks: list[Mask] = []
        if self._leaks is not None:
            cut, masks = self._leaks.cut(self._released, pending, cut, final=final)
        if cut <= 0:
            return ""
        segment = pending[:cut]
        self._pending = pending[cut:]
        copied = self._copies.find(self._released, segment)
        self._sentences.block_early(self._released, segment)
        # ``_released`` is the model's own text (offsets of output findings index it);
        # what the user gets has leaks and masked copies replaced.
        self._released += segment
        self._sentences.released(self._released, segment_start)
        return self.restorer.feed(self._copies.render(segment, segment_start, copied, masks))


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

    def open(
        self, request: ChatRequest, input_result: InputResult, *, part: str | None = None
    ) -> OutputSession:
        return RestoringSession(input_result.restorer.fork())


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

    def open(
        self, request: ChatRequest, input_result: InputResult, *, part: str | None = None
    ) -> OutputSession:
        grounding = self.grounding if part is None else None
        if not (self.scanner or self.checks or self.span_checks or grounding):
            # Nothing to check: nothing to hold back either.
            return RestoringSession(input_result.restorer.fork())
        user = Supplied(m.content for m in request.messages)
        return CheckingSession(
            restorer=input_result.restorer.fork(),
            policy=self.policy,
            options=self.options,
            scanner=self.scanner,
            checks=self.checks,
            supplied=user.text,
            supplied_words=user.words,
            span_checks=self.span_checks,
            grounding=grounding,
            placeholders=self.placeholders,
            sources=tuple(
                input_result.request.messages[i].content
                for i in request.sources
                if i < len(input_result.request.messages)
            ),
        )
