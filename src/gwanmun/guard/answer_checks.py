"""Checks on what an answer says: per sentence while it streams (toxicity),
and over the whole answer once it is complete (groundedness).  [pure]"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from gwanmun.check import TextCheck
from gwanmun.check.grounding import GroundingCheck
from gwanmun.check.grounding import findings as grounding_findings
from gwanmun.guard.holdback import SENTENCE_END
from gwanmun.guard.ledger import OutputLedger
from gwanmun.policy import Policy
from gwanmun.types import Reason, ReasonCode

log = logging.getLogger("gwanmun.guard.output")


class SentenceChecks:
    """Runs sentence checks on each sentence the released text finishes.

    ``block`` stops the answer; other actions are reported. Owns where the
    sentence being written began (an offset into the released model text).
    """

    def __init__(self, checks: Sequence[TextCheck], policy: Policy, ledger: OutputLedger) -> None:
        self.checks = tuple(checks)
        self.policy = policy
        self.ledger = ledger
        self._sentence_start = 0

    def block_early(self, released: str, segment: str) -> None:
        """Stop before ``segment`` is released if the sentence so far already must
        be blocked: a blocked phrase is not delivered while its sentence is still
        being written."""
        if not self.checks:
            return
        start = self._sentence_start
        partial = released[start:] + segment
        for check in self.checks:
            for finding in self.ledger.run(check, partial):
                if self.policy.judge(finding, partial).blocks:
                    self.ledger.add(
                        replace(finding, start=start + finding.start, end=start + finding.end)
                    )
                    raise self.ledger.stop(Reason(ReasonCode.OUTPUT_FINDING, kinds=(finding.kind,)))

    def released(self, released: str, segment_start: int) -> None:
        """Check every sentence the text released from ``segment_start`` on finished."""
        for match in SENTENCE_END.finditer(released, max(self._sentence_start, segment_start)):
            end = match.end()
            if end <= self._sentence_start:
                continue
            self._check(released, self._sentence_start, end)
            self._sentence_start = end

    def finish(self, released: str) -> None:
        """Check the last sentence, which may have no end mark."""
        if len(released) > self._sentence_start:
            self._check(released, self._sentence_start, len(released))
            self._sentence_start = len(released)

    def _check(self, released: str, start: int, end: int) -> None:
        sentence = released[start:end]
        if not sentence.strip() or not self.checks:
            return
        for check in self.checks:
            for finding in self.ledger.run(check, sentence):
                judgment = self.policy.judge(finding, sentence)
                if not judgment.counts:
                    continue
                located = replace(finding, start=start + finding.start, end=start + finding.end)
                self.ledger.add(located)
                if judgment.blocks:
                    raise self.ledger.stop(Reason(ReasonCode.OUTPUT_FINDING, kinds=(finding.kind,)))


class GroundingChecks:
    """Scores every sentence of a complete answer against the request's source
    documents (as the model received them, masked). Advisory: a failure is
    reported in the answer's metadata, not a stop."""

    def __init__(
        self,
        grounding: GroundingCheck | None,
        sources: tuple[str, ...],
        policy: Policy,
        ledger: OutputLedger,
    ) -> None:
        self.grounding = grounding
        self.sources = sources
        self.policy = policy
        self.ledger = ledger

    def finish(self, answer: str) -> None:
        if self.grounding is None or not self.sources or not answer.strip():
            return
        try:
            report = self.grounding.score(answer, list(self.sources))
        except Exception as exc:  # noqa: BLE001 - advisory: reported in the answer's metadata
            log.error("groundedness check failed", extra={"error": type(exc).__name__})
            self.ledger.meta["grounding"] = {"error": f"the check failed ({type(exc).__name__})"}
            return
        self.ledger.meta["grounding"] = report.as_dict()
        for finding in grounding_findings(report):
            if self.policy.judge(finding, answer).counts:
                self.ledger.add(finding)
