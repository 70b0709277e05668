"""``/v1/history``: the caller's own requests, newest first (no text is ever stored)."""

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
        p = auth.principal(request)
        limit = max(1, min(limit, 500))

        def read() -> list[dict[str, Any]]:
            mine = [r.body for r in audit_store(services).records(user=p.user)]
            return list(reversed(mine))[:limit]

        return {"object": "list", "data": await anyio.to_thread.run_sync(read)}

    return router
