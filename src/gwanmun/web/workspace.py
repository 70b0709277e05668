"""Routes for shared prompt templates: list, use, rate, create, and signed bundles.

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

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.prompts.bundles import export_bundle, import_bundle, trusted_keys
from gwanmun.prompts.store import TemplateIn, TemplateStore
from gwanmun.services import Services
from gwanmun.web.auth import ADMINS, MODEL_USERS, Authenticator, parse, read_json


class UseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, str] = Field(default_factory=dict)


class RateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stars: int = Field(ge=1, le=5)


def workspace_routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    def store() -> TemplateStore:
        assert services.templates is not None
        return services.templates

    @router.get("/v1/templates")
    async def list_templates(request: Request) -> dict[str, Any]:
        principal = auth.require(request, MODEL_USERS)
        return {"object": "list", "data": [t.as_dict() for t in store().visible(principal)]}

    @router.post("/v1/templates", status_code=201)
    async def create_template(request: Request) -> dict[str, Any]:
        principal = auth.require(request, MODEL_USERS)
        data = parse(TemplateIn, await read_json(request))
        return store().create(data, principal).as_dict()

    @router.post("/v1/templates/{template_id}/use")
    async def use_template(template_id: str, request: Request) -> dict[str, Any]:
        principal = auth.require(request, MODEL_USERS)
        body = parse(UseBody, await read_json(request))
        return {"prompt": store().use(template_id, principal, body.values)}

    @router.post("/v1/templates/{template_id}/rate")
    async def rate_template(template_id: str, request: Request) -> dict[str, Any]:
        principal = auth.require(request, MODEL_USERS)
        body = parse(RateBody, await read_json(request))
        return store().rate(template_id, principal, body.stars).as_dict()

    @router.get("/v1/admin/templates/export")
    async def export(request: Request) -> dict[str, Any]:
        auth.require(request, ADMINS)
        assert services.signer is not None
        shared = [t for t in store().top(limit=10_000) if t.data.visibility == "institution"]
        return export_bundle(shared, services.signer.key, services.settings.institution)

    @router.post("/v1/admin/templates/import")
    async def import_(request: Request) -> dict[str, Any]:
        principal = auth.require(request, ADMINS)
        assert services.signer is not None
        trusted = trusted_keys(
            services.signer.key.public_key(), services.settings.data_dir / "trusted_keys"
        )
        bundle = await read_json(request)
        added = import_bundle(store(), bundle, trusted, importer=principal.user)
        offered = len(bundle.get("templates", [])) if isinstance(bundle, dict) else 0
        return {
            "imported": len(added),
            "already_here": offered - len(added),
            "data": [t.as_dict() for t in added],
        }

    return router
