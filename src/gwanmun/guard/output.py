"""The output guard: per-response sessions that restore masks as text streams.

The output checks (leak re-scan, verbatim, groundedness, toxicity) plug into
``OutputSession`` here; with none configured, a session restores the input
guard's placeholders and holds back only what a split placeholder needs.
"""

from __future__ import annotations

from gwanmun.guard.base import InputResult, OutputReport, OutputSession, Restorer
from gwanmun.types import ChatRequest


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
    """Opens a ``RestoringSession`` around the input guard's restorer."""

    def open(self, request: ChatRequest, input_result: InputResult) -> OutputSession:
        return RestoringSession(input_result.restorer)
