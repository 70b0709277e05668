"""The backend seam: anything that answers OpenAI-shaped chat completions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from gwanmun.types import ChatRequest, Grade


class Backend(Protocol):
    """A model server the gateway may route to.

    ``complete`` returns an OpenAI ``chat.completion`` body. ``open_stream``
    does everything that can fail before the first token (connect, status) and
    only then returns the iterator of ``chat.completion.chunk`` bodies, so
    errors before the stream starts keep their HTTP status.
    """

    name: str
    max_grade: Grade

    def models(self) -> list[str]: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def complete(self, request: ChatRequest) -> dict[str, Any]: ...

    async def open_stream(self, request: ChatRequest) -> AsyncIterator[dict[str, Any]]: ...
