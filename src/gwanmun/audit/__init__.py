"""The audit seam: one ``AuditEvent`` per request, whatever its outcome.

An event never holds raw text: findings carry kind, detector, offsets and
score only; with ``audit_text: masked`` it also holds the prompt as the model
received it and the answer as the model wrote it, both masked.
``LogAuditSink`` writes each event as one structured log line; the
hash-chained stores (SQLite, PostgreSQL) plug in behind the same ``AuditSink``
protocol.

``AdminEvent`` is the other kind of record: one account, key, password,
unlock, backend or policy action, through the API or the CLI, with who did
it, to whom, and what — never a password, key or other secret. It goes into
the same chain (``kind: "admin"``), so ``gwanmun audit verify`` covers it.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from gwanmun.audit.journal import OpenStream
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


UNKNOWN_MODEL = "(unknown model)"


def audited_model(name: str, served: Iterable[str]) -> str:
    """The ``model`` an audit record keeps: a served model's name, else a constant.

    A name nobody serves is whatever the client typed — it can carry anything,
    a resident number included — and a hash of a short value is reversed by
    trying them all, so none of it is kept (the request id ties the record to
    the client's 404)."""
    return name if name in set(served) else UNKNOWN_MODEL


class AdminAction(StrEnum):
    """Every administrative action that is recorded, one name each."""

    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_PASSWORD = "user.password"
    USER_UNLOCK = "user.unlock"
    KEY_CREATE = "key.create"
    KEY_REVOKE = "key.revoke"
    BACKEND_ADD = "backend.add"
    BACKEND_REMOVE = "backend.remove"
    POLICY_IMPORT = "policy.import"
    TEMPLATES_IMPORT = "templates.import"
    GATEWAY_START = "gateway.start"
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class AdminEvent:
    """One administrative action: actor, target, action. Never a secret.

    ``user`` in the record is the account acted on, so the person concerned
    finds it in their own ``/v1/history`` (a key minted for them, a reset).
    ``via`` is ``api`` or ``cli``; a CLI actor is ``local:<OS user>``.
    """

    request_id: str
    time: float
    actor: str
    actor_role: str
    action: AdminAction
    target: str
    via: str
    target_user: str | None = None
    key_id: str | None = None
    client: str | None = None
    details: tuple[tuple[str, str | int | float | bool | None], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "admin",
            "request_id": self.request_id,
            "time": self.time,
            "actor": self.actor,
            "actor_role": self.actor_role,
            "key_id": self.key_id,
            "client": self.client,
            "via": self.via,
            "action": self.action.value,
            "target": self.target,
            "user": self.target_user,
            "details": dict(self.details),
        }


def admin_event(
    actor: Principal | None,
    action: AdminAction,
    target: str,
    *,
    target_user: str | None = None,
    details: Mapping[str, str | int | float | bool | None] | None = None,
) -> AdminEvent:
    """The event for ``action`` now; ``actor`` None means the local command line."""
    return AdminEvent(
        request_id=f"adm-{uuid.uuid4().hex}",
        time=time.time(),
        actor=local_actor() if actor is None else actor.user,
        actor_role="local" if actor is None else actor.role.value,
        action=action,
        target=target,
        via="cli" if actor is None else "api",
        target_user=target_user,
        key_id=None if actor is None else actor.key_id,
        client=None if actor is None else actor.client,
        details=tuple(sorted((details or {}).items())),
    )


def local_actor() -> str:
    """Who runs a CLI command: ``local:<OS user>``."""
    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"local:uid{os.getuid()}"


class Recordable(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


class AuditSink(Protocol):
    async def record(self, event: Recordable) -> None:
        """Keep ``event``; a streamed request's event also closes its journal entry."""

    async def open_stream(self, entry: OpenStream) -> None:
        """Note that a stream started delivering (``gwanmun.audit.journal``)."""


class LogAuditSink:
    """Writes every event as one JSON line on the ``gwanmun.audit`` logger; a
    stream's start is a line too (``stream_open``), so a log cut by a crash
    shows which stream had no end."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("gwanmun.audit")

    async def record(self, event: Recordable) -> None:
        self._log.info(json.dumps(event.as_dict(), ensure_ascii=False, sort_keys=True))

    async def open_stream(self, entry: OpenStream) -> None:
        line = {**entry.body, "kind": "stream_open"}
        self._log.info(json.dumps(line, ensure_ascii=False, sort_keys=True))


class MemoryAuditSink:
    """Keeps events in a list and streams in flight in ``open``; for tests and
    embedding Gwanmun as a library."""

    def __init__(self) -> None:
        self.events: list[Recordable] = []
        self.open: dict[str, OpenStream] = {}

    async def record(self, event: Recordable) -> None:
        body = event.as_dict()
        if body.get("stream"):
            self.open.pop(str(body["request_id"]), None)
        self.events.append(event)

    async def open_stream(self, entry: OpenStream) -> None:
        self.open[entry.request_id] = entry
