"""A scripted OpenAI-compatible upstream on 127.0.0.1 (a stand-in, named so) that
records every body it receives, and the settings of a gateway in front of it:
for tests whose point is what the gateway forwards or lets through."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from devtools.ports import free_port
from gwanmun.settings import BackendConfig, Settings
from gwanmun.types import Grade

MODEL = "scripted"


@dataclass
class Script:
    """What the upstream answers next: one message, sent in events of ``chunk``
    characters per text field (0: the whole field in one event), ``delay``
    seconds apart (a slow model)."""

    message: dict[str, Any]
    chunk: int = 0
    delay: float = 0.0
    logprobs: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # top-level and choice fields


class ScriptedUpstream:
    """An OpenAI-compatible server on 127.0.0.1 that answers from a ``Script`` and
    records every body it receives."""

    def __init__(self) -> None:
        self.script = Script(message={"role": "assistant", "content": "ok"})
        self.received: list[dict[str, Any]] = []
        self.port = free_port()
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the scripted upstream did not start")
            time.sleep(0.02)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(body)
        script = self.script
        if not body.get("stream"):
            choice = {
                "index": 0,
                "message": script.message,
                "finish_reason": "stop",
                **({"logprobs": {"content": script.logprobs}} if script.logprobs else {}),
                **script.extra.get("choice", {}),
            }
            return JSONResponse(
                {
                    "id": "up-1",
                    "object": "chat.completion",
                    "model": MODEL,
                    "choices": [choice],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 7},
                    **script.extra.get("top", {}),
                }
            )
        return StreamingResponse(self._events(script), media_type="text/event-stream")

    async def _events(self, script: Script) -> Any:
        def event(delta: dict[str, Any], **choice: Any) -> bytes:
            body = {
                "id": "up-1",
                "object": "chat.completion.chunk",
                "model": MODEL,
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": None, **choice}
                    | script.extra.get("choice", {})
                ],
                **script.extra.get("top", {}),
            }
            return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()

        yield event({"role": "assistant", "content": ""})
        for key in ("reasoning_content", "refusal", "content"):
            text = script.message.get(key)
            if isinstance(text, str):
                for piece in _pieces(text, script.chunk):
                    if script.delay:
                        await asyncio.sleep(script.delay)
                    yield event({key: piece})
        for index, call in enumerate(script.message.get("tool_calls") or []):
            function = call["function"]
            yield event(
                {
                    "tool_calls": [
                        {"index": index, "id": call.get("id", "up"), "type": "function"}
                        | {"function": {"name": function["name"], "arguments": ""}}
                    ]
                }
            )
            for piece in _pieces(function["arguments"], script.chunk):
                yield event({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        for entry in script.logprobs or []:
            # Log-probabilities ahead of the content they describe: the order that
            # delivered digits before the guard released the content.
            yield event({}, logprobs={"content": [entry]})
        yield event({}, finish_reason="stop")
        usage = {"prompt_tokens": 5, "completion_tokens": 7}
        yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode()
        yield b"data: [DONE]\n\n"


def _pieces(text: str, size: int) -> list[str]:
    if size <= 0 or not text:
        return [text]
    return [text[i : i + size] for i in range(0, len(text), size)]


def scripted_settings(upstream: ScriptedUpstream, data_dir: Path, **overrides: Any) -> Settings:
    """A gateway with the embedded model off and ``upstream`` as its one backend
    (grade S), plus ``overrides``."""
    return Settings(
        data_dir=data_dir,
        embedded={"enabled": False},
        backends=[
            BackendConfig(
                name="scripted",
                base_url=upstream.base_url,
                models=[MODEL],
                max_grade=Grade.S,
                timeout_s=10,
            )
        ],
        **overrides,
    )


@contextmanager
def slow_upstream(repeats: int) -> Iterator[ScriptedUpstream]:
    """A scripted upstream answering like a slow model: "천천히 답합니다. " ``repeats``
    times, four characters an event, 50 ms apart; stopped afterwards."""
    upstream = ScriptedUpstream()
    upstream.script = Script(
        message={"role": "assistant", "content": "천천히 답합니다. " * repeats}, chunk=4, delay=0.05
    )
    try:
        yield upstream
    finally:
        upstream.stop()
