"""The one place that renders errors for HTTP: OpenAI's JSON shape, right status."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gwanmun.db import DatabaseUnavailable
from gwanmun.errors import GwanmunError, RateLimited

log = logging.getLogger("gwanmun.web")


def error_response(exc: GwanmunError) -> JSONResponse:
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(exc.to_openai(), status_code=exc.status, headers=headers)


def openai_error(status: int, message: str, type_: str, code: str) -> JSONResponse:
    body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def gwanmun_error_response(exc: GwanmunError) -> JSONResponse:
    if exc.status >= 500:
        log.warning("request failed", extra={"code": exc.code, "status": exc.status})
    return error_response(exc)


def unexpected_error_response(exc: Exception) -> JSONResponse:
    if _database_gone(exc):
        # A connection to the shared database lost mid-request (the audit
        # append, the rate count): refused as the account lookup refuses it.
        log.warning("shared database unavailable", extra={"error": type(exc).__name__})
        return error_response(
            DatabaseUnavailable("The shared database cannot be reached; try again shortly.")
        )
    # The type only: an exception's text may echo request content.
    log.error("unhandled error", extra={"error": type(exc).__name__})
    return openai_error(
        500, "Internal error in the gateway; it has been logged.", "server_error", "internal_error"
    )


def sse_error(exc: GwanmunError) -> bytes:
    """An error event for a stream that already started (the OpenAI SDK raises on it)."""
    return f"data: {json.dumps(exc.to_openai(), ensure_ascii=False)}\n\n".encode()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GwanmunError)
    async def _gwanmun(request: Request, exc: GwanmunError) -> JSONResponse:
        return gwanmun_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        param = ".".join(str(p) for p in first.get("loc", ()))
        return openai_error(
            400,
            f"Invalid value for '{param}': {first.get('msg')}",
            "invalid_request_error",
            "invalid_request",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"Unknown path {request.url.path}. The API lives under /v1."
            return openai_error(404, message, "invalid_request_error", "not_found")
        if exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
            return openai_error(405, message, "invalid_request_error", "method_not_allowed")
        return openai_error(exc.status_code, str(exc.detail), "invalid_request_error", "http_error")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_error_response(exc)


def _database_gone(exc: Exception) -> bool:
    """A PostgreSQL connection failure (psycopg's OperationalError: the server
    gone, the connection cut) or no free connection in time."""
    import psycopg
    from psycopg_pool import PoolTimeout

    return isinstance(exc, psycopg.OperationalError | PoolTimeout)
