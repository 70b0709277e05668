"""``/v1/history``: the caller's own requests and the administrative actions
taken on their account, newest first (no text is ever stored); ``/v1/me/keys``:
the caller's own API keys, with who minted each one for them."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request

from gwanmun.services import Services
from gwanmun.web.auth import Authenticator
from gwanmun.web.routes.audit import audit_store


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/history")
    async def history(request: Request, limit: int = 50) -> dict[str, Any]:
        """The caller's own requests, newest first; any role, only their own."""
        p = await auth.principal(request)
        limit = max(1, min(limit, 500))

        def read() -> list[dict[str, Any]]:
            mine = [r.body for r in audit_store(services).records(user=p.user)]
            return list(reversed(mine))[:limit]

        return {"object": "list", "data": await anyio.to_thread.run_sync(read)}

    @router.get("/v1/me/keys")
    async def my_keys(request: Request) -> dict[str, Any]:
        """The caller's own keys (never the secrets); ``minted_by`` names who made
        a key for them, so nobody holds a key in someone's name unseen."""
        p = await auth.principal(request)
        keys = await auth.ask(lambda: services.keys.list(user=p.user))
        return {"object": "list", "data": [k.as_dict() for k in keys]}

    return router
