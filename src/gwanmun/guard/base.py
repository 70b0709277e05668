"""The guard seams the gateway calls. Implementations are pure.

The gateway runs, per request::

    result = input_guard.inspect(request, backend_grade=backend.max_grade)
    # result.verdict.action == BLOCK -> the gateway raises, the model sees nothing
    # result.request                -> what the backend receives (masked if needed)
    session = output_guard.open(request, result)
    for text in backend stream: deliver(session.feed(text))
    deliver(session.finish())

``feed`` may hold text back (a placeholder split across chunks, a sentence
still being checked) and returns only what is safe to deliver now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gwanmun.types import ChatRequest, Finding, Grade, Reason, Verdict


class Restorer(Protocol):
    """Turns placeholders in model output back into the user's values.

    A restorer holds the tail of one text; ``fork`` gives a fresh one with the
    same values for another text of the same answer (a tool call's arguments).
    """

    def feed(self, text: str) -> str: ...

    def flush(self) -> str: ...

    def fork(self) -> Restorer: ...


class _Identity:
    """A restorer for requests that were not masked: returns text unchanged."""

    def feed(self, text: str) -> str:
        return text

    def flush(self) -> str:
        return ""

    def fork(self) -> Restorer:
        return self


IDENTITY_RESTORER: Restorer = _Identity()


@dataclass(frozen=True, slots=True)
class InputResult:
    """What the input guard decided and what the backend may receive."""

    verdict: Verdict
    request: ChatRequest
    restorer: Restorer = field(default=IDENTITY_RESTORER)


class InputGuard(Protocol):
    def inspect(self, request: ChatRequest, *, backend_grade: Grade) -> InputResult: ...


@dataclass(frozen=True, slots=True)
class OutputReport:
    """What the output checks found in a whole answer (for metadata and audit)."""

    findings: tuple[Finding, ...] = ()
    # Why the answer was stopped; None while it was delivered whole.
    stop: Reason | None = None
    # Whole-answer results for the response's ``gwanmun`` field (e.g. "grounding").
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        return self.stop is not None

    @property
    def reason(self) -> str | None:
        """Why the answer was stopped, in words (for the audit record)."""
        return None if self.stop is None else str(self.stop)


class OutputSession(Protocol):
    """Per-response state of the output guard; never shared across requests."""

    def feed(self, text: str) -> str: ...

    def finish(self) -> str: ...

    def report(self) -> OutputReport: ...


class OutputGuard(Protocol):
    def open(
        self, request: ChatRequest, input_result: InputResult, *, part: str | None = None
    ) -> OutputSession:
        """A session for one text of the answer: the content (``part`` None), or
        another field (``reasoning``, a tool call's arguments), which gets every
        check but the whole-answer ones (groundedness against the sources)."""
        ...
