"""Shared prompt templates: list, create, use, rate; signed bundles in and out.

- ``GET /v1/templates``: what the caller may see (institution-wide and their group's).
- ``POST /v1/templates``: share a template (institution-wide: admins only).
- ``POST /v1/templates/{id}/use``: fill the variables; returns the prompt, counts a use.
- ``POST /v1/templates/{id}/rate``: 1-5 stars, one rating per user.
- ``GET /v1/admin/templates/export``: a bundle of the institution-wide templates,
  signed with the institution's key (admin).
- ``POST /v1/admin/templates/import``: verify and import a bundle (admin).
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.at_rest import check_stored_text, template_fields
from gwanmun.audit import AdminAction, admin_event
from gwanmun.prompts.bundles import export_bundle, import_bundle, trusted_keys
from gwanmun.prompts.store import TemplateIn, WorkspaceStore
from gwanmun.services import Services
from gwanmun.web.auth import ADMINS, MODEL_USERS, Authenticator
from gwanmun.web.bodies import json_body, read_body


class UseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, str] = Field(default_factory=dict)


class RateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stars: int = Field(ge=1, le=5)


def workspace_store(services: Services) -> WorkspaceStore:
    # build_services always opens one; only hand-assembled Services lack it.
    assert services.templates is not None
    return services.templates


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    def store() -> WorkspaceStore:
        return workspace_store(services)

    def check_template(data: TemplateIn, what: str = "The template") -> None:
        fields = template_fields(
            data.title, data.category, data.body, (v.label for v in data.variables)
        )
        check_stored_text(services.scanner, fields, what=what)

    @router.get("/v1/templates")
    async def list_templates(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        visible = await auth.ask(store().visible, principal)
        return {"object": "list", "data": [t.as_dict() for t in visible]}

    @router.post("/v1/templates", status_code=201)
    async def create_template(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        data = await read_body(request, TemplateIn)
        await anyio.to_thread.run_sync(lambda: check_template(data))
        return (await auth.ask(store().create, data, principal)).as_dict()

    @router.post("/v1/templates/{template_id}/use")
    async def use_template(template_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, UseBody)
        return {"prompt": await auth.ask(store().use, template_id, principal, body.values)}

    @router.post("/v1/templates/{template_id}/rate")
    async def rate_template(template_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, RateBody)
        return (await auth.ask(store().rate, template_id, principal, body.stars)).as_dict()

    @router.get("/v1/admin/templates/export")
    async def export(request: Request) -> dict[str, Any]:
        await auth.require(request, ADMINS)
        assert services.signer is not None
        top = await auth.ask(lambda: store().top(limit=10_000))
        shared = [t for t in top if t.data.visibility == "institution"]
        return export_bundle(shared, services.signer.key, services.settings.institution)

    @router.post("/v1/admin/templates/import")
    async def import_(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, ADMINS)
        assert services.signer is not None
        trusted = trusted_keys(
            services.signer.key.public_key(), services.settings.data_dir / "trusted_keys"
        )
        bundle = await json_body(request, allow_empty=True)
        added = await anyio.to_thread.run_sync(
            lambda: import_bundle(
                store(), bundle, trusted, importer=principal.user, check=check_template
            )
        )
        offered = len(bundle.get("templates", [])) if isinstance(bundle, dict) else 0
        await services.record_admin(
            admin_event(
                principal,
                AdminAction.TEMPLATES_IMPORT,
                "templates",
                details={"imported": len(added), "offered": offered},
            )
        )
        return {
            "imported": len(added),
            "already_here": offered - len(added),
            "data": [t.as_dict() for t in added],
        }

    return router
