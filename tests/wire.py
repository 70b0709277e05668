"""The gateway's answers as a client reads them: through the web layer's encoder."""

from __future__ import annotations

from typing import Any

from gwanmun.gateway import ChatResult, ChatStream
from gwanmun.web.encode import completion_body, sse_events


def encoded_body(result: ChatResult | ChatStream) -> dict[str, Any]:
    assert isinstance(result, ChatResult)
    return completion_body(result)


async def encoded_chunks(result: ChatResult | ChatStream) -> list[dict[str, Any]]:
    assert isinstance(result, ChatStream)
    return [chunk async for chunk in sse_events(result)]
