"""Web sign-in: ``/v1/auth/login``, ``logout`` and ``me`` (cookie ``gwanmun_session``)."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.services import Services
from gwanmun.web.auth import SESSION_COOKIE, Authenticator
from gwanmun.web.bodies import read_body


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()
    accounts = services.keys
    secure = services.settings.accounts.secure_cookies

    @router.post("/v1/auth/login")
    async def login(request: Request) -> Response:
        body = await read_body(request, LoginBody)
        # Argon2 is slow on purpose: off the event loop.
        token, principal = await anyio.to_thread.run_sync(
            accounts.login, body.username, body.password
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
            accounts.logout(token)
        response = JSONResponse({"status": "logged out"})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/v1/auth/me")
    async def me(request: Request) -> dict[str, Any]:
        p = auth.principal(request)
        return {"user": p.user, "group": p.group, "role": p.role.value}

    return router
