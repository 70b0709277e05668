"""The audit seam: one ``AuditEvent`` per request, whatever its outcome.

An event never holds raw text: findings carry kind, detector, offsets and
score only; with ``audit_text: masked`` it also holds the prompt as the model
received it and the answer as the model wrote it, both masked.
``LogAuditSink`` writes each event as one structured log line; the
hash-chained stores (SQLite, PostgreSQL) plug in behind the same ``AuditSink``
protocol.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from gwanmun.types import Action, Finding, Grade, Outcome, Principal, Reference, Usage


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened to one request. Contains no prompt or answer text."""

    request_id: str
    time: float
    principal: Principal
    model: str
    backend: str | None
    grade: Grade
    action: Action
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    output_findings: tuple[Finding, ...] = ()
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    stream: bool = False
    error_code: str | None = None
    reasons: tuple[str, ...] = ()
    # Only with audit_text: masked — what the model received and what it answered,
    # both with placeholders, never a raw value. None means not stored.
    prompt: tuple[dict[str, str], ...] | None = None
    answer: str | None = None
    # Knowledge-base passages given to the model: ids and hashes, never text.
    passages: tuple[Reference, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "time": self.time,
            "user": self.principal.user,
            "group": self.principal.group,
            "key_id": self.principal.key_id,
            "client": self.principal.client,
            "model": self.model,
            "backend": self.backend,
            "grade": self.grade.value,
            "action": self.action.value,
            "outcome": self.outcome.value,
            "findings": [f.as_dict() for f in self.findings],
            "output_findings": [f.as_dict() for f in self.output_findings],
            "usage": self.usage.as_dict(),
            "latency_ms": round(self.latency_ms, 3),
            "stream": self.stream,
            "error_code": self.error_code,
            "reasons": list(self.reasons),
            **({} if self.prompt is None else {"prompt": list(self.prompt)}),
            **({} if self.answer is None else {"answer": self.answer}),
            **({"passages": [p.audit_dict() for p in self.passages]} if self.passages else {}),
        }


class AuditSink(Protocol):
    async def record(self, event: AuditEvent) -> None: ...


class LogAuditSink:
    """Writes every event as one JSON line on the ``gwanmun.audit`` logger."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("gwanmun.audit")

    async def record(self, event: AuditEvent) -> None:
        self._log.info(json.dumps(event.as_dict(), ensure_ascii=False, sort_keys=True))


class MemoryAuditSink:
    """Keeps events in a list; for tests and embedding Gwanmun as a library."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    async def record(self, event: AuditEvent) -> None:
        self.events.append(event)
