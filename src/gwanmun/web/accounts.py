"""Routes for login, own history, administration and audit, each behind its role.

- ``/v1/auth/login|logout|me``: web sessions (cookie ``gwanmun_session``).
- ``/v1/history``: the caller's own audit records (no text is ever stored).
- ``/v1/admin/...``: users, keys, backends, policy (admin).
- ``/v1/audit/...``: records, statistics, chain verification (auditor).
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.accounts import KeyInfo
from gwanmun.audit.stats import summarise
from gwanmun.audit.store import AuditStore
from gwanmun.errors import BackendUnavailable, InvalidRequest
from gwanmun.services import Services
from gwanmun.types import Role
from gwanmun.web.auth import ADMINS, AUDITORS, SESSION_COOKIE, Authenticator, parse, read_json


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewUserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    group: str | None = None
    role: Role = Role.USER
    password: str | None = None


class UserUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str | None = None
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = None
    unlock: bool = False


class NewKeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str
    expires_in_days: float | None = Field(default=None, gt=0)


def _key(info: KeyInfo) -> dict[str, Any]:
    return {
        "key_id": info.key_id,
        "user": info.user,
        "group": info.group,
        "role": info.role.value,
        "created_at": info.created_at,
        "expires_at": info.expires_at,
        "revoked": not info.active,
    }


def _since(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise InvalidRequest(f"since={value!r} is not an ISO date or date-time") from None


def account_routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()
    accounts = services.keys
    secure = services.settings.accounts.secure_cookies

    def store() -> AuditStore:
        if services.audit_store is None:
            raise BackendUnavailable("This gateway keeps no audit store to read from.")
        return services.audit_store

    # --- sessions --------------------------------------------------------

    @router.post("/v1/auth/login")
    async def login(request: Request) -> Response:
        body = parse(LoginBody, await read_json(request))
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

    # --- own history -----------------------------------------------------

    @router.get("/v1/history")
    async def history(request: Request, limit: int = 50) -> dict[str, Any]:
        """The caller's own requests, newest first; any role, only their own."""
        p = auth.principal(request)
        limit = max(1, min(limit, 500))

        def read() -> list[dict[str, Any]]:
            mine = [r.body for r in store().records(user=p.user)]
            return list(reversed(mine))[:limit]

        return {"object": "list", "data": await anyio.to_thread.run_sync(read)}

    # --- administration --------------------------------------------------

    @router.get("/v1/admin/users")
    async def list_users(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        return {"object": "list", "data": [u.as_dict() for u in accounts.list_users()]}

    @router.post("/v1/admin/users", status_code=201)
    async def create_user(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        body = parse(NewUserBody, await read_json(request))
        info = await anyio.to_thread.run_sync(
            lambda: accounts.create_user(
                body.name, group=body.group, role=body.role, password=body.password
            )
        )
        return info.as_dict()

    @router.patch("/v1/admin/users/{name}")
    async def update_user(name: str, request: Request) -> dict[str, Any]:
        admin = auth.require(request, ADMINS)
        body = parse(UserUpdateBody, await read_json(request))
        if name == admin.user and (body.disabled or body.role not in (None, Role.ADMIN)):
            raise InvalidRequest(
                "You cannot disable or demote your own account; another administrator can."
            )

        def apply() -> dict[str, Any]:
            if body.password is not None:
                accounts.set_password(name, body.password)
            if body.unlock:
                accounts.unlock(name)
            info = accounts.update_user(
                name, group=body.group, role=body.role, disabled=body.disabled
            )
            return info.as_dict()

        return await anyio.to_thread.run_sync(apply)

    @router.get("/v1/admin/keys")
    async def list_keys(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        return {"object": "list", "data": [_key(k) for k in accounts.list()]}

    @router.post("/v1/admin/keys", status_code=201)
    async def create_key(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        body = parse(NewKeyBody, await read_json(request))
        key, info = accounts.create(body.user, expires_in_days=body.expires_in_days)
        return {**_key(info), "key": key}

    @router.delete("/v1/admin/keys/{key_id}")
    async def revoke_key(key_id: str, request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        accounts.revoke(key_id)
        return {"key_id": key_id, "revoked": True}

    @router.get("/v1/admin/backends")
    async def backends(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        data = [
            {"name": b.name, "models": list(b.models()), "max_grade": b.max_grade.value}
            for b in services.router.backends
        ]
        return {"object": "list", "data": data}

    @router.get("/v1/admin/policy")
    async def policy(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        current = services.scanner.policy
        return {"source": current.source, "policy": current.data.model_dump(mode="json")}

    # --- audit (auditors) ------------------------------------------------

    @router.get("/v1/audit/records")
    async def audit_records(
        request: Request,
        since: str | None = None,
        user: str | None = None,
        limit: int = 100,
        after_seq: int = 0,
    ) -> dict[str, Any]:
        auth.require(request, AUDITORS)
        start = _since(since)
        limit = max(1, min(limit, 1000))

        def read() -> list[dict[str, Any]]:
            records = (r for r in store().records(since=start, user=user) if r.seq > after_seq)
            return [
                {"seq": r.seq, "hash": r.hash, **r.body} for r in itertools.islice(records, limit)
            ]

        return {"object": "list", "data": await anyio.to_thread.run_sync(read)}

    @router.get("/v1/audit/stats")
    async def audit_stats(request: Request, since: str | None = None) -> dict[str, Any]:
        auth.require(request, AUDITORS)
        start = _since(since)
        return await anyio.to_thread.run_sync(
            lambda: summarise(r.body for r in store().records(since=start))
        )

    @router.get("/v1/audit/verify")
    async def audit_verify(request: Request) -> dict[str, Any]:
        auth.require(request, AUDITORS)
        result = await anyio.to_thread.run_sync(lambda: store().verify())
        return {
            "ok": result.ok,
            "checked": result.checked,
            "head": None if result.head is None else f"{result.head.seq}:{result.head.hash}",
            "bad_seq": result.bad_seq,
            "message": result.describe(),
        }

    return router
