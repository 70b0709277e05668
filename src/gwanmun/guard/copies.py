"""Copy masking: checks over the recent answer (a verbatim copy runs across
sentences) and the text the user is shown instead.  [pure]"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gwanmun.check import TextCheck
from gwanmun.guard.leaks import Mask
from gwanmun.guard.ledger import OutputLedger
from gwanmun.policy import Policy
from gwanmun.types import Action, Reason, ReasonCode

# Answer text that span checks (verbatim) look back over.
_SPAN_CONTEXT = 600
COPY_MARKER = "[VERBATIM]"


class CopyMasker:
    """Runs span checks on each released segment and renders the segment with
    leaks and masked copies replaced.

    Owns whether the shown text ends inside a masked copy, and the spaces and
    punctuation after it not yet shown: a copy that goes on after them stays
    one ``[VERBATIM]``.
    """

    def __init__(self, checks: Sequence[TextCheck], policy: Policy, ledger: OutputLedger) -> None:
        self.checks = tuple(checks)
        self.policy = policy
        self.ledger = ledger
        self._in_copy = False  # the shown text ends inside a masked copied span
        self._gap = ""  # spaces and punctuation after a masked copy, not yet shown

    def find(self, released: str, segment: str) -> list[bool]:
        """Checks over the recent answer: block, mask or warn.

        Returns, per character of ``segment``, whether it is masked as copied. A
        copied span is found once it is ``min_chars`` long, so less than that may
        already have been shown — below the length the policy cares about. The
        rest of a masked copy becomes one ``[VERBATIM]``.
        """
        copied = [False] * len(segment)
        if not self.checks or not segment:
            return copied
        context = released[-_SPAN_CONTEXT:]
        base = len(released) - len(context)
        window = context + segment
        for check in self.checks:
            for finding in self.ledger.run(check, window):
                if finding.end <= len(context):
                    continue
                judgment = self.policy.judge(finding, window)
                if not judgment.counts:
                    continue
                self.ledger.note(
                    replace(finding, start=base + finding.start, end=base + finding.end)
                )
                if judgment.blocks:
                    raise self.ledger.stop(Reason(ReasonCode.OUTPUT_FINDING, kinds=(finding.kind,)))
                if judgment.action is Action.MASK:
                    for i in range(
                        max(finding.start - len(context), 0), finding.end - len(context)
                    ):
                        copied[i] = True
        return copied

    def render(
        self, segment: str, segment_start: int, copied: list[bool], masks: Sequence[Mask]
    ) -> str:
        """What the user is shown of ``segment`` (model text from ``segment_start``):
        each leak as its marker, each run of masked copy as one ``[VERBATIM]``."""
        replaced = {m.start - segment_start: (m.end - segment_start, m.shown) for m in masks}
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
                    out.append(COPY_MARKER)
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
        return "".join(out)
