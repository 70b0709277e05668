"""What the gateway is worth to the institution.

- ``POST /v1/feedback``: "did this save you time?" for one answer.
- ``GET /v1/usage`` and ``/v1/usage.csv``: use per department, blocks by kind, top
  templates, estimated hours saved (admin, auditor; ``gwanmun.usage`` builds it).
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from gwanmun.audit.stats import since_timestamp
from gwanmun.services import Services
from gwanmun.types import Role
from gwanmun.usage import usage_csv, usage_report
from gwanmun.web.auth import MODEL_USERS, Authenticator
from gwanmun.web.bodies import read_body
from gwanmun.web.routes.templates import workspace_store

# Counts, never text: administrators run the service, auditors account for it.
REPORT_READERS = (Role.ADMIN, Role.AUDITOR)


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str
    minutes: int


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    def report(since: str | None) -> dict[str, Any]:
        # An empty ?since= (the page's blank date field) means no bound.
        start = since_timestamp(since or None)
        return usage_report(services.audit_store, workspace_store(services), since=start)

    @router.post("/v1/feedback")
    async def feedback(request: Request) -> dict[str, str]:
        """'Did this save you time? how much?' for one answer (optional, one per answer)."""
        principal = auth.require(request, MODEL_USERS)
        body = await read_body(request, FeedbackBody)
        workspace_store(services).feedback(body.request_id, principal, body.minutes)
        return {"status": "thanks"}

    @router.get("/v1/usage")
    async def usage(request: Request, since: str | None = None) -> dict[str, Any]:
        """Use per department, blocks by kind, top templates, time saved (admin, auditor)."""
        auth.require(request, REPORT_READERS)
        return await anyio.to_thread.run_sync(lambda: report(since))

    @router.get("/v1/usage.csv")
    async def usage_as_csv(request: Request, since: str | None = None) -> Response:
        auth.require(request, REPORT_READERS)
        data = await anyio.to_thread.run_sync(lambda: report(since))
        return Response(
            usage_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="gwanmun-usage.csv"'},
        )

    return router
