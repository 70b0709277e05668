"""``Gateway``: the one place where a request meets every rule.

``handle`` runs explicit steps, in order:

1. route: the requested model picks the backend (and its highest data grade);
2. input guard: detect → decide → block or mask (a crashing guard blocks);
3. backend: the (possibly masked) request goes to the model;
4. output guard: placeholders restored and output checked, chunk by chunk;
5. audit: exactly one event per request, written before the response ends.

HTTP, the CLI and the UI only parse, call ``handle`` and format.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from gwanmun.audit import AuditEvent, AuditSink
from gwanmun.backends import Backend, Router
from gwanmun.errors import GuardBlocked, GuardFailure, GwanmunError, OutputBlocked
from gwanmun.guard.base import InputGuard, InputResult, OutputGuard, OutputSession
from gwanmun.metrics import Metrics
from gwanmun.provenance import ProvenanceSigner
from gwanmun.ratelimit import RateLimiter
from gwanmun.types import (
    Action,
    ChatRequest,
    Finding,
    Grade,
    Outcome,
    Principal,
    Reason,
    ReasonCode,
    Usage,
    Verdict,
)

log = logging.getLogger("gwanmun.gateway")

# Backend-specific fields that say nothing to an OpenAI client.
_DROPPED_FIELDS = ("timings", "system_fingerprint")

# Requests up to this many characters are scanned on the event loop (well under 1 ms).
_INLINE_GUARD_CHARS = 300

# Longest answer kept in an audit record (audit_text: masked), in characters.
_MAX_AUDIT_ANSWER = 100_000

BlockedErrorFactory = Callable[[Verdict, ChatRequest], GwanmunError]


def _default_blocked_error(verdict: Verdict, request: ChatRequest) -> GwanmunError:
    kinds = sorted({f.kind for f in verdict.findings})
    reason = "; ".join(map(str, verdict.reasons)) or "policy blocks this content"
    return GuardBlocked(
        f"The request was blocked before reaching the model: {reason}",
        details={"kinds": kinds, "findings": [f.as_dict() for f in verdict.findings]},
    )


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A complete (non-streamed) answer: an OpenAI ``chat.completion`` body."""

    body: dict[str, Any]


class ChatStream:
    """A streamed answer: async-iterates OpenAI ``chat.completion.chunk`` bodies.

    Errors after the first chunk surface as ``GwanmunError`` from iteration;
    the audit event is written before iteration ends, either way.
    """

    def __init__(self, chunks: AsyncIterator[dict[str, Any]], request_id: str) -> None:
        self._chunks = chunks
        self.request_id = request_id

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._chunks


@dataclass(slots=True)
class _Trace:
    """Mutable per-request state collected for the audit event."""

    request: ChatRequest
    principal: Principal
    started: float
    backend: Backend | None = None
    verdict: Verdict | None = None
    usage: Usage = field(default_factory=Usage)
    outcome: Outcome = Outcome.FAILED
    error_code: str | None = None
    sent: ChatRequest | None = None  # as the model received it (masked)
    session: OutputSession | None = None
    delivered: list[str] = field(default_factory=list)  # what the user received (choice 0)
    answer: list[str] = field(default_factory=list)  # as the model wrote it (masked)


class Gateway:
    """Routes, guards, calls the model, guards again, and audits."""

    def __init__(
        self,
        *,
        router: Router,
        input_guard: InputGuard,
        output_guard: OutputGuard,
        audit: AuditSink,
        blocked_error: BlockedErrorFactory = _default_blocked_error,
        clock: Callable[[], float] = time.time,
        limiter: RateLimiter | None = None,
        metrics: Metrics | None = None,
        audit_text: str = "none",
        signer: ProvenanceSigner | None = None,
    ) -> None:
        self.router = router
        self.input_guard = input_guard
        self.output_guard = output_guard
        self.audit = audit
        self._blocked_error = blocked_error
        self._clock = clock
        self.limiter = limiter
        self.metrics = metrics
        self.audit_text = audit_text
        self.signer = signer

    async def handle(self, request: ChatRequest, principal: Principal) -> ChatResult | ChatStream:
        if not request.request_id:
            request = dataclasses.replace(request, request_id=f"chatcmpl-gw{uuid.uuid4().hex}")
        trace = _Trace(request=request, principal=principal, started=time.perf_counter())
        try:
            if self.limiter is not None:
                self.limiter.admit(principal)
            backend = trace.backend = self.router.resolve(request.model)
            # Detection is CPU work (morphology for names): off the event loop, except
            # for short requests, where the hop to a worker thread costs more (~0.3 ms)
            # than scanning them does.
            if _short(request):
                guarded = self._inspect(request, backend.max_grade, trace)
            else:
                guarded = await anyio.to_thread.run_sync(
                    self._inspect, request, backend.max_grade, trace
                )
            trace.sent = guarded.request
            if request.stream:
                upstream = await backend.open_stream(guarded.request)
                session = trace.session = self.output_guard.open(request, guarded)
                return ChatStream(self._stream(upstream, session, trace), request.request_id)
            body = await backend.complete(guarded.request)
            trace.answer.extend(_contents(body))
            trace.session = self.output_guard.open(request, guarded)
            result = ChatResult(self._finish_body(body, trace.session))
            trace.delivered.extend(_contents(result.body))
            # The id the client sees is the one in the audit record.
            result.body["id"] = request.request_id
            result.body["model"] = request.model
            result.body["gwanmun"] = self._meta(trace)
            trace.usage = _usage(body.get("usage"))
            trace.outcome = _success_outcome(trace.verdict)
        except GwanmunError as exc:
            trace.error_code = exc.code
            if isinstance(exc, OutputBlocked):
                trace.outcome = Outcome.BLOCKED
            await self._record(trace)
            raise
        except BaseException:
            trace.error_code = "internal_error"
            await self._record(trace)
            raise
        await self._record(trace)
        return result

    def _inspect(self, request: ChatRequest, backend_grade: Grade, trace: _Trace) -> InputResult:
        try:
            result = self.input_guard.inspect(request, backend_grade=backend_grade)
        except GuardFailure as exc:
            # A guard that names its own failure (which detector) still fails closed.
            trace.verdict = Verdict(action=Action.BLOCK, grade=Grade.C, reasons=(exc.reason,))
            trace.outcome = Outcome.BLOCKED
            raise
        except GwanmunError:
            raise
        except Exception as exc:
            # Fail closed: a guard that cannot decide blocks the request.
            log.error("input guard crashed", extra={"error": type(exc).__name__})
            trace.verdict = Verdict(
                action=Action.BLOCK,
                grade=Grade.C,
                reasons=(Reason(ReasonCode.GUARD_FAILED, error=type(exc).__name__),),
            )
            trace.outcome = Outcome.BLOCKED
            raise GuardFailure(
                "The input guard failed, so the request was blocked (fail closed). "
                "The failure is audited; tell your administrator if it persists."
            ) from exc
        trace.verdict = result.verdict
        if result.verdict.action is Action.BLOCK:
            trace.outcome = Outcome.BLOCKED
            raise self._blocked_error(result.verdict, request)
        return result

    def _finish_body(self, body: dict[str, Any], session: OutputSession) -> dict[str, Any]:
        body = {k: v for k, v in body.items() if k not in _DROPPED_FIELDS}
        choices = []
        for choice in body.get("choices", []):
            message = dict(choice.get("message") or {})
            content = message.get("content")
            if isinstance(content, str):
                message["content"] = session.feed(content) + session.finish()
            choices.append({**choice, "message": message})
        body["choices"] = choices
        return body

    def _meta(self, trace: _Trace) -> dict[str, Any]:
        verdict = trace.verdict or Verdict.allow()
        return {
            "ai_generated": True,
            "model": trace.request.model,
            "backend": trace.backend.name if trace.backend else None,
            "grade": verdict.grade.value,
            "action": verdict.action.value,
            "masked_kinds": sorted(set(verdict.masked_kinds)),
            "output_findings": [f.as_dict() for f in self._output_findings(trace)],
            "notice": "AI-generated. Verify facts before use.",
            **(trace.session.report().meta if trace.session is not None else {}),
            **self._provenance(trace),
        }

    def _provenance(self, trace: _Trace) -> dict[str, Any]:
        if self.signer is None:
            return {}
        record = self.signer.sign(
            "".join(trace.delivered),
            model=trace.request.model,
            request_id=trace.request.request_id,
            when=self._clock(),
        )
        return {"provenance": record}

    async def _stream(
        self, upstream: AsyncIterator[dict[str, Any]], session: OutputSession, trace: _Trace
    ) -> AsyncIterator[dict[str, Any]]:
        request = trace.request
        wants_usage = bool((request.params.get("stream_options") or {}).get("include_usage"))
        finished = False
        surrogates = _Surrogates()
        try:
            async for raw in upstream:
                chunk = {k: v for k, v in raw.items() if k not in _DROPPED_FIELDS}
                chunk["id"] = request.request_id
                chunk["model"] = request.model
                if chunk.get("usage"):
                    trace.usage = _usage(chunk["usage"])
                    if not wants_usage:
                        del chunk["usage"]
                choices = [surrogates.join(c) for c in chunk.get("choices") or []]
                if not choices:
                    if wants_usage and "usage" in chunk:
                        yield chunk
                    continue
                trace.answer.extend(
                    c["delta"]["content"]
                    for c in choices
                    if c.get("index", 0) == 0
                    and isinstance((c.get("delta") or {}).get("content"), str)
                )
                chunk["choices"] = [self._guard_delta(c, session) for c in choices]
                trace.delivered.extend(
                    c["delta"]["content"]
                    for c in chunk["choices"]
                    if c.get("index", 0) == 0 and isinstance(c["delta"].get("content"), str)
                )
                if any(c.get("finish_reason") for c in choices):
                    finished = True
                    chunk["gwanmun"] = self._meta(trace)
                yield chunk
            if not finished:  # the backend ended without a finish_reason
                tail = surrogates.rest() + session.finish()
                trace.delivered.append(tail)
                last = _content_chunk(request, tail)
                last["gwanmun"] = self._meta(trace)  # the label and findings all the same
                yield last
            trace.outcome = _success_outcome(trace.verdict)
        except GwanmunError as exc:
            trace.error_code = exc.code
            if isinstance(exc, OutputBlocked):
                trace.outcome = Outcome.BLOCKED
            raise
        except BaseException:
            trace.error_code = trace.error_code or "stream_aborted"
            raise
        finally:
            # Shielded: a client that hangs up cancels this task, but the audit
            # event must still be written.
            with anyio.CancelScope(shield=True):
                await self._record(trace)

    @staticmethod
    def _guard_delta(choice: dict[str, Any], session: OutputSession) -> dict[str, Any]:
        delta = dict(choice.get("delta") or {})
        content = delta.get("content")
        text = session.feed(content) if isinstance(content, str) else ""
        if choice.get("finish_reason"):
            text += session.finish()
        if text or isinstance(content, str):
            delta["content"] = text
        return {**choice, "delta": delta}

    @staticmethod
    def _output_reasons(trace: _Trace) -> tuple[str, ...]:
        if trace.session is None:
            return ()
        reason = trace.session.report().reason
        return (reason,) if reason else ()

    @staticmethod
    def _output_findings(trace: _Trace) -> tuple[Finding, ...]:
        return trace.session.report().findings if trace.session is not None else ()

    def _text(self, trace: _Trace) -> dict[str, Any]:
        """The masked prompt and answer, when the audit keeps text; never for a block."""
        if self.audit_text != "masked" or trace.sent is None or trace.outcome is Outcome.BLOCKED:
            return {}
        prompt = tuple({"role": m.role, "content": m.content} for m in trace.sent.messages)
        return {"prompt": prompt, "answer": "".join(trace.answer)[:_MAX_AUDIT_ANSWER]}

    async def _record(self, trace: _Trace) -> None:
        verdict = trace.verdict or Verdict(action=Action.ALLOW, grade=Grade.O)
        event = AuditEvent(
            request_id=trace.request.request_id,
            time=self._clock(),
            principal=trace.principal,
            model=trace.request.model,
            backend=trace.backend.name if trace.backend else None,
            grade=verdict.grade,
            action=verdict.action,
            outcome=trace.outcome,
            findings=verdict.findings,
            output_findings=self._output_findings(trace),
            usage=trace.usage,
            latency_ms=(time.perf_counter() - trace.started) * 1000,
            stream=trace.request.stream,
            error_code=trace.error_code,
            reasons=tuple(map(str, verdict.reasons)) + self._output_reasons(trace),
            **self._text(trace),
        )
        try:
            await self.audit.record(event)
        finally:
            if self.limiter is not None:
                self.limiter.charge(trace.principal, trace.usage.total_tokens)
            if self.metrics is not None:
                self.metrics.observe(event)


def _contents(body: dict[str, Any]) -> list[str]:
    for choice in body.get("choices") or []:
        if choice.get("index", 0) == 0:
            content = (choice.get("message") or {}).get("content")
            return [content] if isinstance(content, str) else []
    return []


def _success_outcome(verdict: Verdict | None) -> Outcome:
    if verdict is not None and verdict.action is Action.MASK:
        return Outcome.MASKED
    return Outcome.ALLOWED


def _usage(raw: object) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
    )


def _short(request: ChatRequest) -> bool:
    """Whether everything the input guard scans is short enough to scan inline:
    message texts only (tool definitions and tool-call arguments have any length)."""
    if request.visible_params or any(m.extra for m in request.messages):
        return False
    return sum(len(m.content) for m in request.messages) <= _INLINE_GUARD_CHARS


class _Surrogates:
    """Joins a UTF-16 surrogate pair that a backend split across two events.

    A JSON escape such as ``\\ud83d`` in one event and ``\\ude00`` in the next
    decodes to two lone surrogates, which no check can read and no response can
    encode. The high half waits for the next piece of content; a half that
    stays alone becomes U+FFFD.
    """

    def __init__(self) -> None:
        self._held = ""

    def join(self, choice: dict[str, Any]) -> dict[str, Any]:
        delta = choice.get("delta") or {}
        content = delta.get("content")
        if choice.get("index", 0) != 0 or not (isinstance(content, str) or self._held):
            return choice
        text, self._held = self._held + (content or ""), ""
        if text and "\ud800" <= text[-1] <= "\udbff" and not choice.get("finish_reason"):
            text, self._held = text[:-1], text[-1]
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return {**choice, "delta": {**delta, "content": text}}

    def rest(self) -> str:
        held, self._held = self._held, ""
        return "\ufffd" if held else ""


def _content_chunk(request: ChatRequest, text: str) -> dict[str, Any]:
    return {
        "id": request.request_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.model,
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
