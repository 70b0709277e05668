"""``HotRoute``: chat completions served below FastAPI's stack, with the same body
limit and error shapes; every other request goes to the FastAPI app."""

from __future__ import annotations

import asyncio

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from gwanmun.errors import InvalidRequest
from gwanmun.web.app import HotRoute

CHAT = "/v1/chat/completions"


def _serve(behaviour: str) -> tuple[HotRoute, list[str], list[str]]:
    to_app: list[str] = []
    to_handler: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        to_app.append(f"{scope['method']} {scope['path']}")
        await JSONResponse({"from": "app"})(scope, receive, send)

    async def handler(request: Request) -> Response:
        body = await request.body()
        to_handler.append(body.decode())
        if behaviour == "invalid":
            raise InvalidRequest("max_tokens must be positive", param="max_tokens")
        if behaviour == "crash":
            raise RuntimeError("secret 900101-1234567 in the message")
        return JSONResponse({"from": "handler", "echo": body.decode()})

    return HotRoute(app, handler, max_bytes=64), to_app, to_handler


def _request(hot: HotRoute, method: str, path: str, body: bytes = b"{}") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=hot)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, path, content=body)

    return asyncio.run(go())


def test_chat_posts_go_to_the_handler_and_nothing_else_does() -> None:
    hot, to_app, to_handler = _serve("ok")
    response = _request(hot, "POST", CHAT, b'{"x": 1}')
    assert response.json() == {"from": "handler", "echo": '{"x": 1}'}
    assert to_handler == ['{"x": 1}'] and to_app == []

    assert _request(hot, "GET", CHAT).json() == {"from": "app"}
    assert _request(hot, "POST", "/v1/guard/scan").json() == {"from": "app"}
    assert _request(hot, "POST", CHAT + "/").json() == {"from": "app"}
    assert to_app == [f"GET {CHAT}", "POST /v1/guard/scan", f"POST {CHAT}/"]
    assert len(to_handler) == 1


def test_the_body_limit_holds_on_the_hot_route() -> None:
    hot, _, to_handler = _serve("ok")
    response = _request(hot, "POST", CHAT, b"{" + b" " * 100 + b"}")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert to_handler == []


def test_errors_keep_openai_shape_and_never_echo_the_exception() -> None:
    hot, _, _ = _serve("invalid")
    response = _request(hot, "POST", CHAT)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("invalid_request", "max_tokens")

    hot, _, _ = _serve("crash")
    response = _request(hot, "POST", CHAT)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "900101" not in response.text
