"""The audit log for auditors: ``/v1/audit/records``, ``stats`` and ``verify``."""

from __future__ import annotations

import itertools
from typing import Any

import anyio
from fastapi import APIRouter, Request

from gwanmun.audit.stats import RecordFilter, since_timestamp, summarise, until_timestamp
from gwanmun.audit.store import AuditStore
from gwanmun.errors import BackendUnavailable
from gwanmun.services import Services
from gwanmun.web.auth import AUDITORS, Authenticator


def audit_store(services: Services) -> AuditStore:
    """The store to read records from, or a 503 when this gateway keeps none."""
    if services.audit_store is None:
        raise BackendUnavailable("This gateway keeps no audit store to read from.")
    return services.audit_store


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/audit/records")
    async def audit_records(
        request: Request,
        since: str | None = None,
        until: str | None = None,
        user: str | None = None,
        outcome: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        after_seq: int = 0,
    ) -> dict[str, Any]:
        """Records in order; the page's empty fields (``?user=``) mean no bound."""
        auth.require(request, AUDITORS)
        start = since_timestamp(since or None)
        wanted = RecordFilter(
            until=until_timestamp(until or None), outcome=outcome or None, kind=kind or None
        )
        limit = max(1, min(limit, 1000))

        def read() -> list[dict[str, Any]]:
            store = audit_store(services)
            records = (
                r
                for r in store.records(since=start, user=user or None)
                if r.seq > after_seq and wanted.matches(r.body)
            )
            return [
                {"seq": r.seq, "hash": r.hash, **r.body} for r in itertools.islice(records, limit)
            ]

        return {"object": "list", "data": await anyio.to_thread.run_sync(read)}

    @router.get("/v1/audit/stats")
    async def audit_stats(request: Request, since: str | None = None) -> dict[str, Any]:
        auth.require(request, AUDITORS)
        start = since_timestamp(since)
        return await anyio.to_thread.run_sync(
            lambda: summarise(r.body for r in audit_store(services).records(since=start))
        )

    @router.get("/v1/audit/verify")
    async def audit_verify(request: Request) -> dict[str, Any]:
        auth.require(request, AUDITORS)
        result = await anyio.to_thread.run_sync(lambda: audit_store(services).verify())
        return {
            "ok": result.ok,
            "checked": result.checked,
            "head": None if result.head is None else f"{result.head.seq}:{result.head.hash}",
            "bad_seq": result.bad_seq,
            "message": result.describe(),
        }

    return router
