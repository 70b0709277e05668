"""``Gateway``: the one place where a request meets every rule.

``handle`` runs explicit steps, in order:

1. route: the requested model picks the backend (and its highest data grade);
2. input guard: detect → decide → block or mask (a crashing guard blocks);
3. backend: the (possibly masked) request goes to the model, which answers in
   typed values (``gwanmun.completion``), never in wire JSON;
4. output guard: every text field of the answer — content, reasoning, refusal,
   tool-call names and arguments — through its own output session
   (``guard/answer.py``); log-probabilities only in step with the content;
5. audit: exactly one event per request, written before the response ends —
   also for a stream that fails, is cut, or is closed without being read. A
   stream is also journalled when it starts delivering (``audit/journal.py``),
   so one cut by a crash is listed and later closed as ``interrupted``.

The JSON and the streamed path share steps 1–2 (``_admit``), the output guard
(``AnswerGuard``) and the outcome mapping (``_Trace.failed``/``succeeded``).
HTTP, the CLI and the UI only parse, call ``handle`` and format
(``web/encode.py`` writes OpenAI JSON).

``embed`` (``/v1/embeddings``) takes the same steps without a backend: limits,
the input guard's data detectors, the in-process encoder, one audit event.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from gwanmun.audit import AuditEvent, AuditSink, audited_model
from gwanmun.audit.journal import OpenStream, opening_body
from gwanmun.backends import Backend, Router
from gwanmun.backends.base import DeltaStream
from gwanmun.completion import Completion, Delta
from gwanmun.errors import (
    GuardBlocked,
    GuardFailure,
    GwanmunError,
    InvalidRequest,
    ModelNotFound,
    OutputBlocked,
)
from gwanmun.guard.answer import AnswerGuard
from gwanmun.guard.base import InputGuard, InputResult, OutputGuard
from gwanmun.guard.mask import RecordingRestorer
from gwanmun.kb.cite import passage_at
from gwanmun.kb.embedders import Floats, TextEncoder
from gwanmun.metrics import Metrics
from gwanmun.provenance import ProvenanceSigner
from gwanmun.ratelimit import Limiter
from gwanmun.types import (
    Action,
    ChatMessage,
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
    """A complete (non-streamed) answer, guarded: what the client may see.

    ``meta`` is the response's ``gwanmun`` field (AI label, grade, findings,
    provenance); the web layer encodes the whole as OpenAI JSON.
    """

    request_id: str
    model: str
    created: int
    completion: Completion
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StreamPiece:
    """One guarded event of a streamed answer; ``meta`` comes with the last text."""

    delta: Delta
    meta: dict[str, Any] | None = None


class ChatStream:
    """A streamed answer: async-iterates ``StreamPiece``s.

    Errors after the first piece surface as ``GwanmunError`` from iteration.
    The audit record is written when the stream ends, fails or is closed —
    also when it is closed without ever being read, so close every stream
    (``async with stream:`` or ``await stream.aclose()``).
    """

    def __init__(
        self,
        pieces: AsyncGenerator[StreamPiece, None],
        *,
        request_id: str,
        model: str,
        created: int,
        include_usage: bool,
        abandon: Callable[[], Awaitable[None]],
    ) -> None:
        self._pieces = pieces
        self._abandon = abandon
        self._started = False
        self._closed = False
        self.request_id = request_id
        self.model = model
        self.created = created
        self.include_usage = include_usage

    def __aiter__(self) -> ChatStream:
        return self

    async def __anext__(self) -> StreamPiece:
        self._started = True
        return await self._pieces.__anext__()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            if self._started:
                await self._pieces.aclose()
            else:
                await self._abandon()

    async def __aenter__(self) -> ChatStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


@dataclass(slots=True)
class _Trace:
    """Mutable per-request state collected for the audit event."""

    request: ChatRequest
    principal: Principal
    started: float
    backend: Backend | None = None
    engine: str | None = None  # what served a request without a backend (the encoder)
    verdict: Verdict | None = None
    usage: Usage = field(default_factory=Usage)
    outcome: Outcome = Outcome.FAILED
    error_code: str | None = None
    sent: ChatRequest | None = None  # as the model received it (masked)
    guard: AnswerGuard | None = None
    delivered: list[str] = field(default_factory=list)  # the content the user received
    shown: RecordingRestorer | None = None  # the content as shown, values still masked
    recorded: bool = False

    def failed(self, exc: BaseException, code: str) -> None:
        """The one outcome mapping for a request that ended in an exception."""
        if isinstance(exc, GwanmunError):
            self.error_code = exc.code
            if isinstance(exc, OutputBlocked):
                self.outcome = Outcome.BLOCKED
        else:
            self.error_code = self.error_code or code

    def succeeded(self) -> None:
        masked = self.verdict is not None and self.verdict.action is Action.MASK
        self.outcome = Outcome.MASKED if masked else Outcome.ALLOWED


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
        limiter: Limiter | None = None,
        metrics: Metrics | None = None,
        audit_text: str = "none",
        signer: ProvenanceSigner | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.router = router
        self.encoder = encoder
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
            guarded = await self._admit(trace)
            backend, sent = trace.backend, guarded.request
            assert backend is not None
            # The content as shown (placeholders kept, leaks masked) is what an
            # audit record may keep; other fields are not kept.
            shown = trace.shown = RecordingRestorer(guarded.restorer)
            recorded = dataclasses.replace(guarded, restorer=shown)
            trace.guard = AnswerGuard(
                lambda part: self.output_guard.open(
                    request, recorded if part is None else guarded, part=part
                )
            )
            if request.stream:
                upstream = await backend.open_stream(sent)
                return ChatStream(
                    self._stream(upstream, trace),
                    request_id=request.request_id,
                    model=request.model,
                    created=int(self._clock()),
                    include_usage=request.include_usage,
                    abandon=lambda: self._abandoned(upstream, trace),
                )
            answer = await backend.complete(sent)
            trace.usage = answer.usage
            completion = trace.guard.complete(answer)
            trace.delivered.append(completion.content or "")
            trace.succeeded()
            result = ChatResult(
                request_id=request.request_id,
                model=request.model,
                created=int(self._clock()),
                completion=completion,
                meta=self._meta(trace),
            )
        except BaseException as exc:
            trace.failed(exc, "internal_error")
            await self._record(trace)
            raise
        await self._record(trace)
        return result

    async def _limit(self, principal: Principal) -> None:
        """Rates and quotas (raise ``RateLimited``); a limiter on the network
        (PostgreSQL, shared by replicas) is asked off the event loop."""
        limiter = self.limiter
        if limiter is None:
            return
        if limiter.blocking:
            await anyio.to_thread.run_sync(limiter.admit, principal)
        else:
            limiter.admit(principal)

    async def _admit(self, trace: _Trace) -> InputResult:
        """Steps 1 and 2: limits, route, input guard (blocks raise)."""
        request = trace.request
        await self._limit(trace.principal)
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
        return guarded

    def _inspect(
        self,
        request: ChatRequest,
        backend_grade: Grade,
        trace: _Trace,
        guard: InputGuard | None = None,
    ) -> InputResult:
        try:
            result = (guard or self.input_guard).inspect(request, backend_grade=backend_grade)
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

    async def embed(self, texts: Sequence[str], model: str, principal: Principal) -> Embedded:
        """Vectors for ``texts`` from the encoder named ``model``: limits, the data
        guard (blocks raise; masked values are embedded as their placeholders, so
        no vector encodes them), the encoder, and one audit record — the same
        steps as a chat request, without a backend."""
        encoder = self.encoder
        if encoder is None or model != encoder.model.name:
            served = encoder.model.name if encoder is not None else "none (embeddings.enabled)"
            raise ModelNotFound(
                f"That embedding model does not exist here. Available: {served}", param="model"
            )
        if not texts:
            raise InvalidRequest("input is empty; send a string or a list of them.", param="input")
        if len(texts) > encoder.max_inputs:
            raise InvalidRequest(
                f"input has {len(texts)} texts; the limit is {encoder.max_inputs} "
                "(embeddings.max_inputs).",
                param="input",
            )
        request = ChatRequest(
            model=model,
            messages=tuple(ChatMessage(role="user", content=t) for t in texts),
            max_tokens=0,
            request_id=f"embd-gw{uuid.uuid4().hex}",
        )
        trace = _Trace(
            request=request,
            principal=principal,
            started=time.perf_counter(),
            engine=f"encoder:{model}",
        )
        try:
            await self._limit(principal)
            guarded = await anyio.to_thread.run_sync(
                self._inspect, request, encoder.max_grade, trace, encoder.guard
            )
            trace.sent = guarded.request
            sent = [m.content for m in guarded.request.messages]
            vectors, tokens = await anyio.to_thread.run_sync(_encode, encoder, sent)
            trace.usage = Usage(prompt_tokens=tokens)
            trace.succeeded()
        except BaseException as exc:
            trace.failed(exc, "internal_error")
            await self._record(trace)
            raise
        await self._record(trace)
        return Embedded(
            request_id=request.request_id,
            model=model,
            vectors=vectors,
            usage=trace.usage,
            verdict=trace.verdict or Verdict.allow(),
        )

    def _served(self) -> list[str]:
        """Every model name this gateway answers for (chat and embeddings)."""
        names = [m for m, _ in self.router.models()]
        return names + ([self.encoder.model.name] if self.encoder is not None else [])

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
            **_cited(trace, trace.guard.report().meta if trace.guard is not None else {}),
            **self._provenance(trace),
            **_passages(trace.request),
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
        self, upstream: DeltaStream, trace: _Trace
    ) -> AsyncGenerator[StreamPiece, None]:
        """Steps 4 and 5 for a stream: feed every delta to the answer guard, finish,
        record. The record is written however the stream ends."""
        guard = trace.guard
        assert guard is not None
        finished = opened = False
        try:
            async for delta in upstream:
                if delta.usage is not None:
                    trace.usage = delta.usage
                guarded = guard.feed(delta)
                trace.delivered.append(guarded.content)
                if delta.finish_reason is not None or not guarded.empty:
                    # Journalled before the first piece goes out: a crash from
                    # here on leaves a trace (a failed write fails the stream).
                    opened = opened or await self._open(trace)
                if delta.finish_reason is not None:
                    finished = True
                    yield StreamPiece(guarded, meta=self._meta(trace))
                elif not guarded.empty:
                    yield StreamPiece(guarded)
            if not finished:  # the backend ended without a finish reason
                tail = guard.finish()
                trace.delivered.append(tail.content)
                opened = opened or await self._open(trace)
                yield StreamPiece(tail, meta=self._meta(trace))  # the label all the same
            trace.succeeded()
        except BaseException as exc:
            trace.failed(exc, "stream_aborted")
            raise
        finally:
            # Shielded: a client that hangs up cancels this task, but the
            # upstream must be let go and the audit event written.
            with anyio.CancelScope(shield=True):
                await upstream.aclose()
                await self._record(trace)

    async def _abandoned(self, upstream: DeltaStream, trace: _Trace) -> None:
        """A stream closed before its first piece was read (the client left)."""
        trace.error_code = "stream_not_read"
        with anyio.CancelScope(shield=True):
            await upstream.aclose()
            await self._record(trace)

    @staticmethod
    def _output_reasons(trace: _Trace) -> tuple[str, ...]:
        if trace.guard is None:
            return ()
        reason = trace.guard.report().reason
        return (reason,) if reason else ()

    @staticmethod
    def _output_findings(trace: _Trace) -> tuple[Finding, ...]:
        return trace.guard.report().findings if trace.guard is not None else ()

    def _text(self, trace: _Trace) -> dict[str, Any]:
        """The masked prompt and the answer as shown (the user's values and any leak
        still masked), when the audit keeps text; never for a block."""
        if self.audit_text != "masked" or trace.sent is None or trace.outcome is Outcome.BLOCKED:
            return {}
        prompt = tuple({"role": m.role, "content": m.content} for m in trace.sent.messages)
        answer = trace.shown.text if trace.shown is not None else ""
        return {"prompt": prompt, "answer": answer[:_MAX_AUDIT_ANSWER]}

    async def _open(self, trace: _Trace) -> bool:
        """Journal a stream about to deliver its first piece; its record closes it."""
        started = self._clock()
        sent = trace.sent.messages if trace.sent is not None else ()
        body = opening_body(
            self._event(trace).as_dict(),
            started=started,
            sent=({"role": m.role, "content": m.content} for m in sent),
        )
        await self.audit.open_stream(OpenStream(trace.request.request_id, started, body))
        return True

    async def _record(self, trace: _Trace) -> None:
        if trace.recorded:  # exactly one record per request
            return
        trace.recorded = True
        event = self._event(trace)
        try:
            await self.audit.record(event)
        finally:
            limiter = self.limiter
            if limiter is not None and limiter.blocking:
                tokens = trace.usage.total_tokens
                await anyio.to_thread.run_sync(limiter.charge, trace.principal, tokens)
            elif limiter is not None:
                limiter.charge(trace.principal, trace.usage.total_tokens)
            if self.metrics is not None:
                self.metrics.observe(event)

    def _event(self, trace: _Trace) -> AuditEvent:
        """The request's audit event as far as it is known now."""
        verdict = trace.verdict or Verdict(action=Action.ALLOW, grade=Grade.O)
        return AuditEvent(
            request_id=trace.request.request_id,
            time=self._clock(),
            principal=trace.principal,
            model=audited_model(trace.request.model, self._served()),
            backend=trace.backend.name if trace.backend else trace.engine,
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
            passages=trace.request.references,
            **self._text(trace),
        )


@dataclass(frozen=True, slots=True)
class Encoder:
    """A sentence encoder served at ``/v1/embeddings`` under ``model.name``, with the
    guard its texts pass (data detectors: an encoder follows no instructions) and
    the highest grade they may have."""

    model: TextEncoder
    guard: InputGuard
    max_grade: Grade
    max_inputs: int


@dataclass(frozen=True, slots=True)
class Embedded:
    """The vectors for one embeddings request, in input order."""

    request_id: str
    model: str
    vectors: Floats
    usage: Usage
    verdict: Verdict


def _cited(trace: _Trace, meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with each grounded sentence's citation naming the knowledge-base
    passage it falls in (``"passage": n``, the number the model was given), so a
    client can show which passage supports which sentence."""
    grounding = meta.get("grounding")
    sent = trace.sent
    if not trace.request.references or sent is None or not isinstance(grounding, dict):
        return meta
    texts = [sent.messages[i].content for i in trace.request.sources if i < len(sent.messages)]
    sentences = []
    for sentence in grounding.get("sentences", []):
        cite = sentence.get("citation")
        if cite is not None and cite["source"] < len(texts):
            number = passage_at(texts[cite["source"]], cite["start"])
            if number is not None:
                sentence = {**sentence, "citation": {**cite, "passage": number}}
        sentences.append(sentence)
    return {**meta, "grounding": {**grounding, "sentences": sentences}}


def _passages(request: ChatRequest) -> dict[str, Any]:
    """The knowledge-base passages the model was given, for the ``gwanmun`` field."""
    if not request.references:
        return {}
    return {"passages": [r.as_dict() for r in request.references]}


def _encode(encoder: Encoder, texts: Sequence[str]) -> tuple[Floats, int]:
    """The vectors and the token count; a text over the encoder's window is refused
    (cut silently, its vector would stand for part of it)."""
    counts = [encoder.model.tokens(t) for t in texts]
    for i, n in enumerate(counts):
        if n > encoder.model.max_tokens:
            raise InvalidRequest(
                f"input[{i}] is {n} tokens; {encoder.model.name} reads at most "
                f"{encoder.model.max_tokens}. Split the text.",
                param=f"input[{i}]",
            )
    return encoder.model.passages(texts), sum(counts)


def _short(request: ChatRequest) -> bool:
    """Whether everything the input guard scans is short enough to scan inline:
    message texts only (tool definitions and tool-call arguments have any length)."""
    if request.visible_params or any(m.extra for m in request.messages):
        return False
    return sum(len(m.content) for m in request.messages) <= _INLINE_GUARD_CHARS
