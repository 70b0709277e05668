"""What one answer's output checks found, and why it was stopped.  [pure]

The parts of a checking session (leak masking, copy masking, sentence and
whole-answer checks) write into one ledger per response; ``report()`` reads it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from gwanmun.check import TextCheck
from gwanmun.errors import OutputBlocked
from gwanmun.guard.base import OutputReport
from gwanmun.types import Finding, Reason, ReasonCode

log = logging.getLogger("gwanmun.guard.output")


@dataclass
class OutputLedger:
    """Output findings (offsets into the model's text), the stop reason and the
    whole-answer results of one response; never shared between requests."""

    findings: list[Finding] = field(default_factory=list)
    stop_reason: Reason | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        return self.stop_reason is not None

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def note(self, finding: Finding) -> int:
        """Record a finding, merging it with an earlier one of the same span that
        grew (``John``, then ``John Smith``); returns its index."""
        for i, seen in enumerate(self.findings):
            if (
                seen.kind == finding.kind
                and seen.detector == finding.detector
                and seen.start <= finding.end
                and finding.start <= seen.end
            ):
                self.findings[i] = replace(
                    seen,
                    start=min(seen.start, finding.start),
                    end=max(seen.end, finding.end),
                    score=max(seen.score, finding.score),
                )
                return i
        self.findings.append(finding)
        return len(self.findings) - 1

    def grow(self, index: int, end: int) -> None:
        """The finding at ``index`` (a value still being masked) reaches ``end`` at least."""
        seen = self.findings[index]
        self.findings[index] = replace(seen, end=max(seen.end, end))

    def stop(self, reason: Reason) -> OutputBlocked:
        """Mark the answer stopped; the caller raises what this returns."""
        self.stop_reason = reason
        return OutputBlocked(
            f"{reason}. The part already shown stays; the rest was withheld. The event is audited."
        )

    def run(self, check: TextCheck, text: str) -> list[Finding]:
        """``check.check(text)``; a check that raises stops the answer (fail closed)."""
        try:
            return check.check(text)
        except Exception as exc:
            log.error(
                "output check failed", extra={"check": check.name, "error": type(exc).__name__}
            )
            reason = Reason(ReasonCode.CHECK_FAILED, source=check.name, error=type(exc).__name__)
            raise self.stop(reason) from exc

    def report(self) -> OutputReport:
        return OutputReport(
            findings=tuple(self.findings), stop=self.stop_reason, meta=dict(self.meta)
        )
