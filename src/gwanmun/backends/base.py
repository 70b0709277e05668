"""The backend seam: anything that answers chat completions, as typed values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from gwanmun.completion import Completion, Delta
from gwanmun.types import ChatRequest, Grade


class DeltaStream(Protocol):
    """A streamed answer. ``aclose`` frees the upstream connection, also when the
    stream was never read (an async generator's ``finally`` would not run then)."""

    def __aiter__(self) -> AsyncIterator[Delta]: ...

    async def aclose(self) -> None: ...


class Backend(Protocol):
    """A model server the gateway may route to.

    ``complete`` returns the whole answer. ``open_stream`` does everything that
    can fail before the first token (connect, status) and only then returns the
    stream of deltas, so errors before the stream starts keep their HTTP status.
    An adapter parses its wire format into ``gwanmun.completion`` values and
    keeps nothing else: what it does not carry cannot reach a client unguarded.
    """

    name: str
    max_grade: Grade

    def models(self) -> list[str]: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def complete(self, request: ChatRequest) -> Completion: ...

    async def open_stream(self, request: ChatRequest) -> DeltaStream: ...
