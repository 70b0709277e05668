"""What the gateway is worth to the institution.

- ``POST /v1/feedback``: "did this save you time?" for one answer.
- ``GET /v1/usage`` and ``/v1/usage.csv``: use per department, blocks by kind, top
  templates, estimated hours saved (admin, auditor; ``gwanmun.usage`` builds it).
  ``?by=day|week`` groups use over time; ``/v1/usage.csv?by=day`` writes that series
  (one row per period and department) instead of the per-department totals.
"""

from __future__ import annotations

from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from gwanmun.audit.stats import since_timestamp
from gwanmun.services import Services
from gwanmun.types import Role
from gwanmun.usage import usage_csv, usage_report, usage_series_csv
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

    def report(since: str | None, by: Literal["day", "week"] = "day") -> dict[str, Any]:
        # An empty ?since= (the page's blank date field) means no bound.
        start = since_timestamp(since or None)
        return usage_report(services.audit_store, workspace_store(services), since=start, period=by)

    @router.post("/v1/feedback")
    async def feedback(request: Request) -> dict[str, str]:
        """'Did this save you time? how much?' for one answer (optional, one per answer)."""
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, FeedbackBody)
        await auth.ask(workspace_store(services).feedback, body.request_id, principal, body.minutes)
        return {"status": "thanks"}

    @router.get("/v1/usage")
    async def usage(
        request: Request, since: str | None = None, by: Literal["day", "week"] = "day"
    ) -> dict[str, Any]:
        """Use per department and over time, blocks by kind, top templates, time saved
        (admin, auditor)."""
        await auth.require(request, REPORT_READERS)
        return await anyio.to_thread.run_sync(lambda: report(since, by))

    @router.get("/v1/usage.csv")
    async def usage_as_csv(
        request: Request, since: str | None = None, by: Literal["day", "week"] | None = None
    ) -> Response:
        await auth.require(request, REPORT_READERS)
        data = await anyio.to_thread.run_sync(lambda: report(since, by or "day"))
        name = f"gwanmun-usage-by-{by}.csv" if by else "gwanmun-usage.csv"
        return Response(
            usage_series_csv(data) if by else usage_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    return router
