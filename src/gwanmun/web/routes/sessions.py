"""Web sign-in: ``/v1/auth/login``, ``logout`` and ``me`` (cookie ``gwanmun_session``).

Login takes only ``application/json`` and refuses a page on another site
(login CSRF: another site signing a browser in as someone else) unless that
site is in ``allowed_origins`` (``origins.py`` decides). Clients that send
no ``Origin`` (scripts, the CLI) are not browsers on another site.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.errors import PermissionDenied, UnsupportedMediaType
from gwanmun.origins import cross_site
from gwanmun.services import Services
from gwanmun.web.auth import SESSION_COOKIE, Authenticator
from gwanmun.web.bodies import read_body


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


def check_login_request(request: Request, allowed_origins: Collection[str]) -> None:
    """JSON only, and from this site, a listed one, or no browser at all."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("Login takes a JSON body: send Content-Type: application/json.")
    if cross_site(request.headers, allowed_origins):
        raise PermissionDenied(
            "Login from another site is refused (its Origin is not this gateway's). Sign in "
            "on the gateway's own page; an administrator lists other origins of the "
            "workspace in allowed_origins."
        )


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()
    accounts = services.keys
    secure = services.settings.accounts.secure_cookies

    @router.post("/v1/auth/login")
    async def login(request: Request) -> Response:
        check_login_request(request, services.settings.allowed_origins)
        body = await read_body(request, LoginBody)
        source = request.client.host if request.client else None
        # Argon2 is slow on purpose: off the event loop.
        token, principal = await anyio.to_thread.run_sync(
            lambda: accounts.login(body.username, body.password, source=source)
        )
        response = JSONResponse(
            {"user": principal.user, "group": principal.group, "role": principal.role.value}
        )
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(accounts.policy.session_s),
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )
        return response

    @router.post("/v1/auth/logout")
    async def logout(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await auth.ask(accounts.logout, token)
        response = JSONResponse({"status": "logged out"})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/v1/auth/me")
    async def me(request: Request) -> dict[str, Any]:
        p = await auth.principal(request)
        return {"user": p.user, "group": p.group, "role": p.role.value}

    return router
