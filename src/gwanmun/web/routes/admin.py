"""Administration (admins only): ``/v1/admin/users``, ``keys``, ``backends``,
``policy`` and ``policy/dry-run``.

Every change is one ``AdminEvent`` in the audit chain. Auditor credentials are
out of an administrator's reach (``check_credential_change``): an attempt is a
403 and is itself recorded (``denied``).
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.accounts import check_credential_change
from gwanmun.at_rest import check_stored_text
from gwanmun.audit import AdminAction, admin_event
from gwanmun.backends.pool import BackendPool
from gwanmun.errors import InvalidRequest, NotFound, PermissionDenied
from gwanmun.services import Services
from gwanmun.types import Grade, Principal, Role
from gwanmun.web.auth import ADMINS, Authenticator
from gwanmun.web.bodies import read_body


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


class DryRunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=100_000)
    backend_grade: Grade = Grade.C


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()
    accounts = services.keys

    @router.get("/v1/admin/users")
    async def list_users(request: Request) -> dict[str, Any]:
        await auth.require(request, ADMINS)
        users = await auth.ask(accounts.list_users)
        return {"object": "list", "data": [u.as_dict() for u in users]}

    async def guarded(admin: Principal, target: str, target_role: Role, what: str) -> None:
        """403 (recorded) when ``what`` would touch an auditor's credentials."""
        try:
            check_credential_change(admin.role, target_role, what)
        except PermissionDenied:
            await services.record_admin(
                admin_event(
                    admin, AdminAction.DENIED, target, target_user=target, details={"what": what}
                )
            )
            raise

    async def stored_names(**fields: str) -> None:
        # User and group names are stored and shown in lists and audit records.
        await anyio.to_thread.run_sync(
            lambda: check_stored_text(services.scanner, fields, what="The account")
        )

    @router.post("/v1/admin/users", status_code=201)
    async def create_user(request: Request) -> dict[str, Any]:
        admin = await auth.require(request, ADMINS)
        body = await read_body(request, NewUserBody)
        await guarded(admin, body.name, body.role, "create the account")
        await stored_names(name=body.name, group=body.group or "")
        info = await anyio.to_thread.run_sync(
            lambda: accounts.create_user(
                body.name, group=body.group, role=body.role, password=body.password
            )
        )
        await services.record_admin(
            admin_event(
                admin,
                AdminAction.USER_CREATE,
                info.name,
                target_user=info.name,
                details={
                    "role": info.role.value,
                    "group": info.group,
                    "password": body.password is not None,
                },
            )
        )
        return info.as_dict()

    @router.patch("/v1/admin/users/{name}")
    async def update_user(name: str, request: Request) -> dict[str, Any]:
        admin = await auth.require(request, ADMINS)
        body = await read_body(request, UserUpdateBody)
        # Someone must always be left able to administer.
        if name == admin.user and (body.disabled or body.role not in (None, Role.ADMIN)):
            raise InvalidRequest(
                "You cannot disable or demote your own account; another administrator can."
            )
        current = await auth.ask(accounts.get_user, name)
        await stored_names(group=body.group or "")
        if body.password is not None:
            await guarded(admin, name, current.role, "set the password")
        if body.role is not None and Role.AUDITOR in (body.role, current.role):
            # Making someone an auditor hands over whatever credentials they hold;
            # un-making one would let an admin reset them and make them auditor again.
            await guarded(admin, name, Role.AUDITOR, "change the role")
        if body.disabled is not None or body.group is not None:
            await guarded(admin, name, current.role, "change the account")

        def apply() -> dict[str, Any]:
            if body.password is not None:
                accounts.set_password(name, body.password)
            if body.unlock:
                accounts.unlock(name)
            info = accounts.update_user(
                name, group=body.group, role=body.role, disabled=body.disabled
            )
            return info.as_dict()

        result = await anyio.to_thread.run_sync(apply)
        if body.password is not None:
            await services.record_admin(
                admin_event(admin, AdminAction.USER_PASSWORD, name, target_user=name)
            )
        if body.unlock:
            await services.record_admin(
                admin_event(admin, AdminAction.USER_UNLOCK, name, target_user=name)
            )
        changes = {
            k: v.value if isinstance(v, Role) else v
            for k, v in (("group", body.group), ("role", body.role), ("disabled", body.disabled))
            if v is not None
        }
        if changes:
            await services.record_admin(
                admin_event(admin, AdminAction.USER_UPDATE, name, target_user=name, details=changes)
            )
        return result

    @router.get("/v1/admin/keys")
    async def list_keys(request: Request) -> dict[str, Any]:
        await auth.require(request, ADMINS)
        return {"object": "list", "data": [k.as_dict() for k in await auth.ask(accounts.list)]}

    @router.post("/v1/admin/keys", status_code=201)
    async def create_key(request: Request) -> dict[str, Any]:
        admin = await auth.require(request, ADMINS)
        body = await read_body(request, NewKeyBody)
        try:
            target_role = (await auth.ask(accounts.get_user, body.user)).role
        except NotFound:
            target_role = Role.USER  # created as a user with the key
        await guarded(admin, body.user, target_role, "mint a key")
        key, info = await auth.ask(
            lambda: accounts.create(
                body.user, expires_in_days=body.expires_in_days, minted_by=admin.user
            )
        )
        await services.record_admin(
            admin_event(
                admin,
                AdminAction.KEY_CREATE,
                info.key_id,
                target_user=info.user,
                details={"minted_by": info.minted_by, "expires_at": info.expires_at},
            )
        )
        return {**info.as_dict(), "key": key}

    @router.delete("/v1/admin/keys/{key_id}")
    async def revoke_key(key_id: str, request: Request) -> dict[str, Any]:
        admin = await auth.require(request, ADMINS)
        owner = await auth.ask(accounts.key_owner, key_id)
        await auth.ask(accounts.revoke, key_id)
        await services.record_admin(
            admin_event(admin, AdminAction.KEY_REVOKE, key_id, target_user=owner)
        )
        return {"key_id": key_id, "revoked": True}

    @router.get("/v1/admin/backends")
    async def backends(request: Request) -> dict[str, Any]:
        await auth.require(request, ADMINS)
        data = [
            {
                "name": b.name,
                "models": list(b.models()),
                "max_grade": b.max_grade.value,
                **({"upstreams": _upstreams(b)} if isinstance(b, BackendPool) else {}),
            }
            for b in services.router.backends
        ]
        return {"object": "list", "data": data}

    @router.get("/v1/admin/policy")
    async def policy(request: Request) -> dict[str, Any]:
        await auth.require(request, ADMINS)
        current = services.scanner.policy
        return {"source": current.source, "policy": current.data.model_dump(mode="json")}

    @router.post("/v1/admin/policy/dry-run")
    async def dry_run(request: Request) -> dict[str, Any]:
        """Paste a text: the findings, each kind's rule, and the decision (admin)."""
        await auth.require(request, ADMINS)
        body = await read_body(request, DryRunBody)
        scanner = services.scanner
        result = await anyio.to_thread.run_sync(
            lambda: scanner.scan(body.text, backend_grade=body.backend_grade)
        )
        rules = {
            f.kind: scanner.policy.rule(f.kind).model_dump(mode="json") for f in result.findings
        }
        return {**result.as_dict(), "policy": scanner.policy.name, "rules": rules}

    return router


def _upstreams(pool: BackendPool) -> list[dict[str, Any]]:
    """A pool's upstreams as the circuit and counters see them (state: closed = in,
    open = out, half_open = being probed)."""
    return [
        {
            "url": u.url,
            "state": u.state.value,
            "in_flight": u.in_flight,
            "requests": u.requests,
            "failures": u.failures,
            "failovers": u.failovers,
        }
        for u in pool.status()
    ]
