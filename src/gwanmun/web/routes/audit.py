"""The audit log for auditors: ``/v1/audit/records``, ``stats`` and ``verify``;
and auditor accounts, which only auditors manage over the API
(``/v1/audit/auditors``): separation of duties from the administrators."""

from __future__ import annotations

import itertools
from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.audit import AdminAction, admin_event
from gwanmun.audit.stats import RecordFilter, since_timestamp, summarise, until_timestamp
from gwanmun.audit.store import AuditStore
from gwanmun.errors import BackendUnavailable, PermissionDenied
from gwanmun.services import Services
from gwanmun.types import Role
from gwanmun.web.auth import AUDITORS, Authenticator
from gwanmun.web.bodies import read_body


class NewAuditorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    group: str | None = None
    password: str | None = None


class AuditorUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str | None = None
    disabled: bool | None = None
    unlock: bool = False


class AuditorKeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expires_in_days: float | None = Field(default=None, gt=0)


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
        await auth.require(request, AUDITORS)
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
        await auth.require(request, AUDITORS)
        start = since_timestamp(since)
        return await anyio.to_thread.run_sync(
            lambda: summarise(r.body for r in audit_store(services).records(since=start))
        )

    @router.get("/v1/audit/verify")
    async def audit_verify(request: Request) -> dict[str, Any]:
        await auth.require(request, AUDITORS)
        store = audit_store(services)
        result = await anyio.to_thread.run_sync(store.verify)
        streams = await anyio.to_thread.run_sync(store.open_streams)
        return {
            "ok": result.ok,
            "checked": result.checked,
            "head": None if result.head is None else f"{result.head.seq}:{result.head.hash}",
            "bad_seq": result.bad_seq,
            "message": result.describe(),
            # Streams with no closing record: ``live`` ones are being served now;
            # the others were cut by a crash and are closed at the next start.
            "open_streams": [s.as_dict() for s in streams],
        }

    accounts = services.keys

    def auditor(name: str) -> None:
        if accounts.get_user(name).role is not Role.AUDITOR:
            raise PermissionDenied(
                f"{name!r} is not an auditor; administrators manage other accounts."
            )

    @router.post("/v1/audit/auditors", status_code=201)
    async def create_auditor(request: Request) -> dict[str, Any]:
        me = await auth.require(request, AUDITORS)
        body = await read_body(request, NewAuditorBody)
        info = await anyio.to_thread.run_sync(
            lambda: accounts.create_user(
                body.name, group=body.group, role=Role.AUDITOR, password=body.password
            )
        )
        await services.record_admin(
            admin_event(
                me,
                AdminAction.USER_CREATE,
                info.name,
                target_user=info.name,
                details={"role": "auditor", "password": body.password is not None},
            )
        )
        return info.as_dict()

    @router.patch("/v1/audit/auditors/{name}")
    async def update_auditor(name: str, request: Request) -> dict[str, Any]:
        me = await auth.require(request, AUDITORS)
        body = await read_body(request, AuditorUpdateBody)
        await auth.ask(auditor, name)
        if name == me.user and body.disabled:
            raise PermissionDenied("You cannot disable your own account; another auditor can.")

        def apply() -> dict[str, Any]:
            if body.password is not None:
                accounts.set_password(name, body.password)
            if body.unlock:
                accounts.unlock(name)
            return accounts.update_user(name, disabled=body.disabled).as_dict()

        result = await anyio.to_thread.run_sync(apply)
        for done, action in (
            (body.password is not None, AdminAction.USER_PASSWORD),
            (body.unlock, AdminAction.USER_UNLOCK),
        ):
            if done:
                await services.record_admin(admin_event(me, action, name, target_user=name))
        if body.disabled is not None:
            await services.record_admin(
                admin_event(
                    me,
                    AdminAction.USER_UPDATE,
                    name,
                    target_user=name,
                    details={"disabled": body.disabled},
                )
            )
        return result

    @router.post("/v1/audit/auditors/{name}/keys", status_code=201)
    async def create_auditor_key(name: str, request: Request) -> dict[str, Any]:
        me = await auth.require(request, AUDITORS)
        body = await read_body(request, AuditorKeyBody)
        await auth.ask(auditor, name)
        key, info = await auth.ask(
            lambda: accounts.create(name, expires_in_days=body.expires_in_days, minted_by=me.user)
        )
        await services.record_admin(
            admin_event(
                me,
                AdminAction.KEY_CREATE,
                info.key_id,
                target_user=name,
                details={"minted_by": info.minted_by, "expires_at": info.expires_at},
            )
        )
        return {**info.as_dict(), "key": key}

    return router
