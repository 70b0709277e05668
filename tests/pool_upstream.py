"""A stand-in OpenAI-compatible upstream in a process of its own, so a test can
kill it (SIGKILL, mid-answer) and start it again on the same port.

    python -m tests.pool_upstream PORT NAME

It streams ``CHUNKS`` pieces of text ``DELAY_S`` apart, each naming the
upstream (``[NAME 3] ...``), so a client can tell which server answered and
whether an answer was restarted. ``GET /v1/models`` is its health check. It
records nothing: the gateway's audit and /metrics are what the tests read.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import web

MODEL = "pooled"
CHUNKS = 10
DELAY_S = 0.05


def piece(name: str, index: int) -> str:
    return f"[{name} {index}] The quick answer continues here. "


def answer(name: str) -> str:
    return "".join(piece(name, i) for i in range(CHUNKS))


def _event(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body)}\n\n".encode()


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "up",
        "object": "chat.completion.chunk",
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def app(name: str) -> web.Application:
    async def models(request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": "up",
                    "object": "chat.completion",
                    "model": MODEL,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": answer(name)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 3, "completion_tokens": CHUNKS},
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(_event(_chunk({"role": "assistant", "content": ""})))
        for index in range(CHUNKS):
            await response.write(_event(_chunk({"content": piece(name, index)})))
            await asyncio.sleep(DELAY_S)
        await response.write(_event(_chunk({}, "stop")))
        usage = {"prompt_tokens": 3, "completion_tokens": CHUNKS}
        await response.write(_event({"choices": [], "usage": usage}))
        await response.write(b"data: [DONE]\n\n")
        return response

    application = web.Application()
    application.router.add_get("/v1/models", models)
    application.router.add_post("/v1/chat/completions", chat)
    return application


class PoolUpstream:
    """``python -m tests.pool_upstream`` as a child process; ``kill`` and ``start`` again."""

    def __init__(self, port: int, name: str) -> None:
        self.port = port
        self.name = name
        self.proc: subprocess.Popen[str] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        root = str(Path(__file__).parents[1])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.pool_upstream", str(self.port), self.name],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": root, "PYTHONUNBUFFERED": "1"},
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        line = self.proc.stdout.readline()
        if not line.startswith("ready") or time.monotonic() > deadline:
            self.kill()
            raise RuntimeError(f"pool upstream {self.name} did not start: {line!r}")

    def kill(self) -> None:
        """SIGKILL: connections die mid-answer, as when a server crashes."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None


def main() -> None:
    port, name = int(sys.argv[1]), sys.argv[2]

    async def serve() -> None:
        runner = web.AppRunner(app(name), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
        await site.start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
