"""The gateway's guarded answers written as OpenAI JSON: the one encoder.

Every field a client receives is written here from typed values, so the set
of fields is an allow-list: ``id``, ``object``, ``created``, ``model``,
``choices[0]`` (``message``/``delta`` with ``role``, ``content``,
``reasoning_content``, ``refusal``, ``tool_calls``; ``logprobs``;
``finish_reason``), ``usage`` and Gwanmun's own ``gwanmun``. Tool-call ids
are the gateway's own (``call_<request>_<n>``), the same in a stream and in
a follow-up request that answers the call.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from gwanmun.completion import Delta, TokenLogprob, ToolCall
from gwanmun.errors import BackendError, GwanmunError
from gwanmun.gateway import ChatResult, ChatStream
from gwanmun.web.errors import sse_error

log = logging.getLogger("gwanmun.web")


def completion_body(result: ChatResult) -> dict[str, Any]:
    """A ``chat.completion`` body."""
    answer = result.completion
    message: dict[str, Any] = {"role": "assistant", "content": answer.content}
    if answer.reasoning:
        message["reasoning_content"] = answer.reasoning
    message["refusal"] = answer.refusal or None
    if answer.tool_calls:
        message["tool_calls"] = [
            _tool_call(result.request_id, call, first=True) for call in answer.tool_calls
        ]
    return {
        "id": result.request_id,
        "object": "chat.completion",
        "created": result.created,
        "model": result.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": _logprobs(answer.logprobs),
                "finish_reason": answer.finish_reason.value,
            }
        ],
        "usage": answer.usage.as_dict(),
        "gwanmun": result.meta,
    }


async def sse_events(stream: ChatStream) -> AsyncIterator[dict[str, Any]]:
    """``chat.completion.chunk`` bodies for a stream (without ``data: [DONE]``)."""
    encoder = _ChunkEncoder(stream)
    async for piece in stream:
        for chunk in encoder.encode(piece.delta, piece.meta):
            yield chunk


async def sse_body(stream: ChatStream) -> AsyncIterator[bytes]:
    """The stream as server-sent events: chunks, then ``[DONE]`` or an error event
    (which the OpenAI SDK raises)."""
    try:
        async for chunk in sse_events(stream):
            yield sse_line(chunk)
    except GwanmunError as exc:
        yield sse_error(exc)
        return
    except Exception as exc:  # noqa: BLE001 - the client must get an error event, not a hang
        log.error("stream failed", extra={"error": type(exc).__name__})
        yield sse_error(BackendError("The stream failed inside the gateway; it has been logged."))
        return
    yield b"data: [DONE]\n\n"


class ChatStreamResponse(StreamingResponse):
    """Server-sent events for a ``ChatStream`` that is closed however the
    response ends — also when the client left before the first byte, when the
    body iterator never started — so its audit record is always written."""

    def __init__(self, stream: ChatStream) -> None:
        super().__init__(
            sse_body(stream),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-request-id": stream.request_id},
        )
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.stream.aclose()


def sse_line(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


class _ChunkEncoder:
    def __init__(self, stream: ChatStream) -> None:
        self._stream = stream
        self._role_sent = False
        self._announced: set[int] = set()  # tool calls whose id was sent

    def encode(self, delta: Delta, meta: dict[str, Any] | None) -> list[dict[str, Any]]:
        chunks = []
        if meta is not None or not replace(delta, usage=None).empty:
            chunks.append(self._choice_chunk(delta, meta))
        if delta.usage is not None and self._stream.include_usage:
            chunks.append({**self._head(), "choices": [], "usage": delta.usage.as_dict()})
        return chunks

    def _choice_chunk(self, delta: Delta, meta: dict[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not self._role_sent:
            out["role"] = "assistant"
            self._role_sent = True
        if delta.content or not (delta.reasoning or delta.refusal or delta.tool_calls):
            out["content"] = delta.content
        if delta.reasoning:
            out["reasoning_content"] = delta.reasoning
        if delta.refusal:
            out["refusal"] = delta.refusal
        if delta.tool_calls:
            out["tool_calls"] = [self._fragment(call) for call in delta.tool_calls]
        chunk = {
            **self._head(),
            "choices": [
                {
                    "index": 0,
                    "delta": out,
                    "logprobs": _logprobs(delta.logprobs or None),
                    "finish_reason": delta.finish_reason.value if delta.finish_reason else None,
                }
            ],
        }
        if meta is not None:
            chunk["gwanmun"] = meta
        return chunk

    def _fragment(self, call: ToolCall) -> dict[str, Any]:
        first = call.index not in self._announced
        self._announced.add(call.index)
        return _tool_call(self._stream.request_id, call, first=first)

    def _head(self) -> dict[str, Any]:
        return {
            "id": self._stream.request_id,
            "object": "chat.completion.chunk",
            "created": self._stream.created,
            "model": self._stream.model,
        }


def tool_call_id(request_id: str, index: int) -> str:
    return f"call_{request_id.removeprefix('chatcmpl-')}_{index}"


def _tool_call(request_id: str, call: ToolCall, *, first: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"index": call.index}
    if first:
        out["id"] = tool_call_id(request_id, call.index)
        out["type"] = "function"
    out["function"] = {"name": call.name, "arguments": call.arguments}
    return out


def _logprobs(entries: tuple[TokenLogprob, ...] | None) -> dict[str, Any] | None:
    if entries is None:
        return None
    return {
        "content": [
            {
                "token": e.token,
                "logprob": e.logprob,
                "bytes": list(e.token.encode("utf-8")),
                # The chosen token only: alternatives are text no check has read.
                "top_logprobs": [],
            }
            for e in entries
        ],
        "refusal": None,
    }
