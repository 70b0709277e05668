"""The pipeline seam, in-process: route → input guard → backend → output guard
→ audit. The backend here is a fake (named so) because the point is the order
of the steps and what each receives; the real model is exercised in
test_api.py."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.backends import Router
from gwanmun.errors import BackendError, GuardBlocked, GuardFailure, ModelNotFound
from gwanmun.gateway import ChatResult, ChatStream, Gateway
from gwanmun.guard.base import InputResult
from gwanmun.guard.output import RestoringOutputGuard
from gwanmun.types import (
    Action,
    ChatMessage,
    ChatRequest,
    Finding,
    Grade,
    Outcome,
    Principal,
    Verdict,
)
from gwanmun.web.encode import sse_events
from tests.wire import encoded_body, encoded_chunks

USER = Principal(user="kim", group="civil")


class SecretWordRestorer:
    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, text: str) -> str:
        # Holds back a possible split placeholder, like the real restorer.
        self.buffer += text
        if "[" in self.buffer and "]" not in self.buffer[self.buffer.rindex("[") :]:
            head, _, tail = self.buffer.rpartition("[")
            self.buffer = "[" + tail
            return head.replace("[WORD_1]", "periwinkle")
        out, self.buffer = self.buffer.replace("[WORD_1]", "periwinkle"), ""
        return out

    def flush(self) -> str:
        out, self.buffer = self.buffer, ""
        return out

    def fork(self) -> SecretWordRestorer:
        return SecretWordRestorer()


class FakeInputGuard:
    """Masks the word 'periwinkle', blocks the word 'forbidden', crashes on 'boom'."""

    def inspect(self, request: ChatRequest, *, backend_grade: Grade) -> InputResult:
        text = request.messages[-1].content
        if "boom" in text:
            raise RuntimeError("detector exploded")
        if "forbidden" in text:
            finding = Finding(
                "SECRET", text.index("forbidden"), text.index("forbidden") + 9, 1.0, "fake"
            )
            return InputResult(
                Verdict(Action.BLOCK, Grade.C, (finding,), ("SECRET is blocked",)), request
            )
        if "periwinkle" in text:
            start = text.index("periwinkle")
            finding = Finding("WORD", start, start + 10, 0.9, "fake")
            masked = request.with_messages(
                (ChatMessage("user", text.replace("periwinkle", "[WORD_1]")),)
            )
            return InputResult(
                Verdict(Action.MASK, Grade.S, (finding,), masked_kinds=("WORD",)),
                masked,
                SecretWordRestorer(),
            )
        return InputResult(Verdict.allow(), request)


def make(backend: FakeBackend | None = None) -> tuple[Gateway, FakeBackend, MemoryAuditSink]:
    backend = backend or FakeBackend()
    audit = MemoryAuditSink()
    gateway = Gateway(
        router=Router([backend]),
        input_guard=FakeInputGuard(),
        output_guard=RestoringOutputGuard(),
        audit=audit,
    )
    return gateway, backend, audit


def req(text: str, *, stream: bool = False, model: str = "fake-model") -> ChatRequest:
    return ChatRequest(
        model=model, messages=(ChatMessage("user", text),), max_tokens=16, stream=stream
    )


async def collect(result: ChatResult | ChatStream) -> tuple[str, list[dict[str, Any]]]:
    assert isinstance(result, ChatStream)
    chunks = await encoded_chunks(result)
    text = "".join(
        c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices")
    )
    return text, chunks


async def test_allowed_request_passes_through_and_is_audited() -> None:
    gateway, _, audit = make()
    result = await gateway.handle(req("hello there"), USER)
    assert isinstance(result, ChatResult)
    assert encoded_body(result)["choices"][0]["message"]["content"] == "hello there"
    assert encoded_body(result)["model"] == "fake-model"
    assert "timings" not in encoded_body(result)
    assert encoded_body(result)["gwanmun"]["ai_generated"] is True
    assert [e.outcome for e in audit.events] == [Outcome.ALLOWED]
    assert audit.events[0].usage.total_tokens == 8
    assert audit.events[0].principal == USER


@pytest.mark.parametrize("stream", [False, True])
async def test_masked_value_never_reaches_backend_and_is_restored(stream: bool) -> None:
    gateway, backend, audit = make()
    result = await gateway.handle(req("say periwinkle twice", stream=stream), USER)
    if stream:
        text, chunks = await collect(result)
        final = [c for c in chunks if c["choices"][0].get("finish_reason")]
        assert final[0]["gwanmun"]["masked_kinds"] == ["WORD"]
    else:
        assert isinstance(result, ChatResult)
        text = encoded_body(result)["choices"][0]["message"]["content"]
    assert backend.seen[0].messages[-1].content == "say [WORD_1] twice"
    assert text == "say periwinkle twice"
    assert [e.outcome for e in audit.events] == [Outcome.MASKED]
    assert audit.events[0].findings[0].kind == "WORD"


@pytest.mark.parametrize("stream", [False, True])
async def test_blocked_request_never_reaches_backend(stream: bool) -> None:
    gateway, backend, audit = make()
    with pytest.raises(GuardBlocked) as info:
        await gateway.handle(req("this is forbidden text", stream=stream), USER)
    assert backend.seen == []
    assert "forbidden" not in info.value.message
    assert info.value.details["kinds"] == ["SECRET"]
    assert [e.outcome for e in audit.events] == [Outcome.BLOCKED]


async def test_crashing_guard_fails_closed_and_is_audited() -> None:
    gateway, backend, audit = make()
    with pytest.raises(GuardFailure):
        await gateway.handle(req("boom"), USER)
    assert backend.seen == []
    event = audit.events[0]
    assert event.outcome is Outcome.BLOCKED
    assert event.reasons == ("input guard failed: RuntimeError",)
    assert event.error_code == "guard_failure"


async def test_unknown_model_is_audited_as_failed() -> None:
    gateway, _, audit = make()
    with pytest.raises(ModelNotFound) as info:
        await gateway.handle(req("hi", model="nope"), USER)
    assert "fake-model" in info.value.message
    assert audit.events[0].outcome is Outcome.FAILED
    assert audit.events[0].error_code == "model_not_found"


async def test_stream_failure_is_raised_and_audited() -> None:
    gateway, _, audit = make(FakeBackend(fail_after=2))
    result = await gateway.handle(req("a long enough text", stream=True), USER)
    assert isinstance(result, ChatStream)
    got: list[dict[str, Any]] = []
    with pytest.raises(BackendError):
        async for chunk in sse_events(result):
            got.append(chunk)
    assert len(got) == 2
    assert audit.events[0].outcome is Outcome.FAILED
    assert audit.events[0].error_code == "backend_error"


async def test_stream_usage_only_when_asked() -> None:
    gateway, _, audit = make()
    _, chunks = await collect(await gateway.handle(req("hi", stream=True), USER))
    assert all("usage" not in c for c in chunks)
    asked = ChatRequest(
        model="fake-model",
        messages=(ChatMessage("user", "hi"),),
        max_tokens=4,
        stream=True,
        include_usage=True,
    )
    _, chunks = await collect(await gateway.handle(asked, USER))
    assert chunks[-1]["usage"]["completion_tokens"] == 5
    assert audit.events[-1].usage.completion_tokens == 5


async def test_a_stream_closed_unread_leaves_one_record() -> None:
    """A caller that opens a stream and closes it without reading (a client that
    hung up before the first byte) still leaves exactly one audit record."""
    gateway, _, audit = make()
    stream = await gateway.handle(req("hello there", stream=True), USER)
    assert isinstance(stream, ChatStream)
    await stream.aclose()
    await stream.aclose()  # closing twice records once
    assert [(e.outcome, e.error_code) for e in audit.events] == [
        (Outcome.FAILED, "stream_not_read")
    ]


async def test_a_stream_closed_midway_leaves_one_record() -> None:
    gateway, _, audit = make()
    async with await gateway.handle(req("a longer answer to read", stream=True), USER) as stream:
        assert isinstance(stream, ChatStream)
        async for _ in stream:
            break
    assert [(e.outcome, e.error_code) for e in audit.events] == [(Outcome.FAILED, "stream_aborted")]


async def test_an_unknown_model_name_is_not_stored_raw() -> None:
    gateway, _, audit = make()
    with pytest.raises(ModelNotFound):
        await gateway.handle(req("hi", model="kim 900101-1234567"), USER)
    assert audit.events[0].model == "(unknown model)"
    assert "900101" not in repr(audit.events[0].as_dict())
    await gateway.handle(req("hi"), USER)
    assert audit.events[1].model == "fake-model"
