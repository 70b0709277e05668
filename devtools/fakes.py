"""In-process stand-ins for a model backend (named so): for tests and benchmarks
where the point is the gateway's own steps, not the model."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from gwanmun.backends.openai_wire import ChunkReader, parse_completion
from gwanmun.completion import Completion, Delta
from gwanmun.errors import BackendError
from gwanmun.types import ChatRequest, Grade


class FakeBackend:
    """Answers with ``answer``, or echoes the last message; streams ``chunk`` characters
    at a time and can break the stream after ``fail_after`` chunks, or streams
    ``events`` exactly (a backend's quirks)."""

    max_grade = Grade.S

    def __init__(
        self,
        *,
        name: str = "fake",
        model: str = "fake-model",
        answer: str | None = None,
        chunk: int = 3,
        fail_after: int | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.answer = answer
        self.chunk = chunk
        self.fail_after = fail_after
        self.events = events  # streamed as they are, instead of ``answer``
        self.seen: list[ChatRequest] = []

    def models(self) -> list[str]:
        return [self.model]

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    def _text(self, request: ChatRequest) -> str:
        return request.messages[-1].content if self.answer is None else self.answer

    async def complete(self, request: ChatRequest) -> Completion:
        self.seen.append(request)
        return parse_completion(self.body(request), backend=self.name)

    def body(self, request: ChatRequest) -> dict[str, Any]:
        """The answer as an upstream writes it (read by the real adapter's parser)."""
        return {
            "id": "x",
            "object": "chat.completion",
            "model": "internal-name",
            "timings": {"secret": 1},
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self._text(request)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
        }

    async def open_stream(self, request: ChatRequest) -> AsyncGenerator[Delta, None]:
        self.seen.append(request)
        return self._deltas(self._text(request))

    async def _deltas(self, text: str) -> AsyncGenerator[Delta, None]:
        reader = ChunkReader()
        async for event in self._chunks(text):
            yield reader.read(event)
        rest = reader.rest()
        if not rest.empty:
            yield rest

    async def _chunks(self, text: str) -> AsyncIterator[dict[str, Any]]:
        if self.events is not None:
            for event in self.events:
                yield event
            return
        pieces = [text[i : i + self.chunk] for i in range(0, len(text), self.chunk)]
        for n, piece in enumerate(pieces):
            if self.fail_after is not None and n == self.fail_after:
                raise BackendError(f"backend {self.name!r} broke the stream (ReadError)")
            yield {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
        yield {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        yield {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 5}}
