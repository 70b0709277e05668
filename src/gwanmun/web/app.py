"""The HTTP surface: ``create_app(settings)`` → an ASGI app.

Routes only parse, call the ``Gateway`` and format; every error goes through
``web/errors.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from gwanmun.errors import GwanmunError, InvalidRequest, NotFound
from gwanmun.gateway import ChatResult
from gwanmun.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from gwanmun.services import Services, build_services
from gwanmun.settings import Settings
from gwanmun.types import Principal
from gwanmun.web.auth import MODEL_USERS, Authenticator
from gwanmun.web.bodies import json_body, parse_json
from gwanmun.web.encode import ChatStreamResponse, completion_body
from gwanmun.web.errors import (
    gwanmun_error_response,
    install_error_handlers,
    unexpected_error_response,
)
from gwanmun.web.jsonvalues import SURROGATE_ESCAPE
from gwanmun.web.limits import BodyLimitMiddleware, BodyTooLarge
from gwanmun.web.routes import api_routes
from gwanmun.web.schemas import ChatCompletionBody, ScanBody, validation_message
from gwanmun.web.ui import static_files, ui_routes

log = logging.getLogger("gwanmun.web")

# How every Gwanmun app is served (CLI and tests alike).
UVICORN_OPTIONS: dict[str, Any] = {
    # Access lines would only repeat what the audit event records.
    "access_log": False,
    # The stdlib event loop, never uvloop: uvloop connects sockets inside
    # libuv, where the egress guard's audit hook cannot see them.
    "loop": "asyncio",
    # httptools parses requests in C (measured in docs/benchmarks.md).
    "http": "httptools",
}


def create_app(settings: Settings, *, services: Services | None = None) -> HotRoute:
    """Build the app. ``services`` may be injected (tests); otherwise built from settings."""
    owned = services is None
    state = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.start()
        try:
            yield
        finally:
            if owned:
                await state.close()

    app = FastAPI(
        title="Gwanmun",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads scripts from a CDN: never on an air-gapped network
        redoc_url=None,
    )
    app.state.services = state
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.limits.max_body_bytes)
    install_error_handlers(app)

    auth = Authenticator(settings, state.keys)

    async def model_user(request: Request) -> Principal:
        return await auth.require(request, MODEL_USERS)

    async def chat_completions(request: Request) -> Response:
        principal = await model_user(request)
        raw = await request.body()
        try:
            # Straight from bytes: no intermediate dict of the whole request.
            parsed = ChatCompletionBody.model_validate_json(raw)
            if SURROGATE_ESCAPE.search(raw):
                # pydantic's parser lets some lone surrogates through; the JSON-body
                # helper finds them, in any field, and says where.
                parse_json(raw)
        except ValidationError as exc:
            if not any(e["type"] == "json_invalid" for e in exc.errors()):
                message, param = validation_message(exc)
                raise InvalidRequest(message, param=param) from None
            # What pydantic's parser refuses (bad JSON, lone surrogates) gets the
            # messages every other route gives.
            try:
                parsed = ChatCompletionBody.model_validate(parse_json(raw))
            except ValidationError as exc:
                message, param = validation_message(exc)
                raise InvalidRequest(message, param=param) from None
        chat = parsed.to_request(settings.limits)
        if parsed.knowledge_bases:
            # Retrieval is IO and CPU: done here, before the gateway, in a worker thread.
            knowledge = state.knowledge
            if knowledge is None:
                raise InvalidRequest("No knowledge bases here.", param="knowledge_bases")
            backend = state.router.resolve(chat.model)
            chat = await anyio.to_thread.run_sync(
                lambda: knowledge.for_chat(
                    chat, parsed.knowledge_bases or [], principal, backend.max_grade
                )
            )
        result = await state.gateway.handle(chat, principal)
        if isinstance(result, ChatResult):
            return JSONResponse(
                completion_body(result), headers={"x-request-id": result.request_id}
            )
        return ChatStreamResponse(result)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = {b.name: await b.ready() for b in state.router.backends}
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "backends": checks},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics")
    async def metrics() -> Response:
        if state.metrics is None:
            raise NotFound("Metrics are switched off (metrics_enabled: false).")
        return Response(state.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        await model_user(request)
        created = int(state.started_at or time.time())
        return {
            "object": "list",
            "data": [
                {
                    "id": model,
                    "object": "model",
                    "created": created,
                    "owned_by": backend.name,
                    "gwanmun": {"max_grade": backend.max_grade.value},
                }
                for model, backend in state.router.models()
            ]
            + [
                {
                    "id": encoder.model.name,
                    "object": "model",
                    "created": created,
                    "owned_by": "gwanmun",
                    "gwanmun": {"max_grade": encoder.max_grade.value, "kind": "embedding"},
                }
                for encoder in [state.gateway.encoder]
                if encoder is not None
            ],
        }

    @app.post("/v1/guard/scan")
    async def guard_scan(request: Request) -> dict[str, Any]:
        """Scan a text as the input guard would: grade, action, findings (never values)."""
        await model_user(request)
        body = await json_body(request)
        try:
            parsed = ScanBody.model_validate(body)
        except ValidationError as exc:
            message, param = validation_message(exc)
            raise InvalidRequest(message, param=param) from None
        if len(parsed.text) > settings.limits.max_message_chars:
            raise InvalidRequest(
                f"text is {len(parsed.text)} characters; the limit is "
                f"{settings.limits.max_message_chars} (limits.max_message_chars)",
                param="text",
            )
        result = await anyio.to_thread.run_sync(
            lambda: state.scanner.scan(parsed.text, backend_grade=parsed.backend_grade)
        )
        return result.as_dict()

    # Registered last: routes are matched in order, and chat is the hot path.
    app.include_router(api_routes(state, auth))
    app.include_router(ui_routes(state, auth))
    app.mount("/static", static_files(), name="static")
    # The hot path is served below FastAPI's stack; listed so 405s and docs agree.
    app.add_api_route("/v1/chat/completions", chat_completions, methods=["POST"])
    return HotRoute(app, chat_completions, max_bytes=settings.limits.max_body_bytes)


class HotRoute:
    """Serves ``POST /v1/chat/completions`` without FastAPI's middleware and
    dependency layers (about ten ASGI hops per request), everything else through
    ``app``. Same handler, same body limit, same error shapes."""

    def __init__(
        self,
        app: ASGIApp,
        handler: Callable[[Request], Awaitable[Response]],
        *,
        max_bytes: int,
    ) -> None:
        self.app = app
        self._handler = handler
        self._limited = BodyLimitMiddleware(self._serve, max_bytes=max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == "/v1/chat/completions"
        ):
            await self._limited(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._handler(request)
        except GwanmunError as exc:
            response = gwanmun_error_response(exc)
        except BodyTooLarge:
            raise
        except Exception as exc:  # noqa: BLE001 - the same 500 as every other route
            response = unexpected_error_response(exc)
        await response(scope, receive, send)
