"""The floor for any Python gateway: a bare ASGI proxy on Gwanmun's own HTTP stack.

uvicorn (httptools, the asyncio loop, no access log), one pooled aiohttp session
to the upstream, the request body passed through untouched and the answer
streamed back as it arrives: no parsing, no checks, no audit. Run by
``bench/speed/gateway_overhead.py`` beside the gateway, so the gateway's added latency
splits into what the extra HTTP hop costs on this host and what Gwanmun's own
work costs.

    python bench/speed/bare_proxy.py http://127.0.0.1:8081/v1 8090
"""

from __future__ import annotations

import sys
from typing import Any

import aiohttp
import uvicorn

from gwanmun.web.app import UVICORN_OPTIONS

UPSTREAM = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else ""
SESSION: dict[str, aiohttp.ClientSession] = {}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Idle connections close after 1 s: requests in the measured phase
                # come every few ms, and afterwards an idle keep-alive connection
                # would hold one of llama.cpp's HTTP threads away from the others.
                connector = aiohttp.TCPConnector(keepalive_timeout=1.0)
                SESSION["s"] = aiohttp.ClientSession(trust_env=False, connector=connector)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await SESSION["s"].close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"].removeprefix("/v1")
    async with SESSION["s"].request(
        scope["method"],
        UPSTREAM + path,
        data=body or None,
        # The caller's key, as any pass-through proxy would (llama.cpp wants one).
        headers={"content-type": "application/json"}
        | {k.decode(): v.decode() for k, v in scope["headers"] if k == b"authorization"},
    ) as response:
        content_type = response.headers.get("content-type", "application/json")
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(b"content-type", content_type.encode())],
            }
        )
        async for chunk in response.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: bare_proxy.py UPSTREAM_BASE_URL PORT")
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[2]),
        log_level="warning",
        **UVICORN_OPTIONS,
    )
