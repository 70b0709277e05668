"""Routes for shared prompt templates: list, use, rate, create, and signed bundles.

- ``GET /v1/templates``: what the caller may see (institution-wide and their group's).
- ``POST /v1/templates``: share a template (institution-wide: admins only).
- ``POST /v1/templates/{id}/use``: fill the variables; returns the prompt, counts a use.
- ``POST /v1/templates/{id}/rate``: 1-5 stars, one rating per user.
- ``GET /v1/admin/templates/export``: a bundle of the institution-wide templates,
  signed with the institution's key (admin).
- ``POST /v1/admin/templates/import``: verify and import a bundle (admin).
- ``POST /v1/feedback``: "did this save you time?" for one answer.
- ``POST /v1/admin/policy/dry-run``: paste a text, see the findings and decision (admin).
- ``GET /v1/usage`` and ``/v1/usage.csv``: use per department, blocks by kind, top
  templates, estimated hours saved (admin, auditor).
"""

from __future__ import annotations

import base64
import csv
import io
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.documents import SUPPORTED, extract_text
from gwanmun.errors import InvalidRequest
from gwanmun.prompts.bundles import export_bundle, import_bundle, trusted_keys
from gwanmun.prompts.store import TemplateIn, WorkspaceStore
from gwanmun.services import Services
from gwanmun.types import Grade, Role
from gwanmun.web.auth import ADMINS, MODEL_USERS, Authenticator, parse, read_json


class UseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, str] = Field(default_factory=dict)


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str
    minutes: int


class DryRunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=100_000)
    backend_grade: Grade = Grade.C


class ExtractBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    data_base64: str


class RateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stars: int = Field(ge=1, le=5)


def workspace_routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    def store() -> WorkspaceStore:
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

    @router.post("/v1/documents/extract")
    async def extract(request: Request) -> dict[str, Any]:
        """Text out of a txt, md, pdf, docx or hwpx file, to attach as a source document."""
        auth.require(request, MODEL_USERS)
        body = parse(ExtractBody, await read_json(request))
        try:
            data = base64.b64decode(body.data_base64, validate=True)
        except ValueError:
            raise InvalidRequest("data_base64 is not base64", param="data_base64") from None
        suffix = Path(body.name).suffix.lower()
        if suffix not in SUPPORTED:
            raise InvalidRequest(
                f"{body.name}: unsupported file type (supported: {', '.join(SUPPORTED)})"
            )

        def read() -> str:
            with tempfile.TemporaryDirectory(prefix="gwanmun-doc-") as tmp:
                path = Path(tmp) / f"document{suffix}"
                path.write_bytes(data)
                try:
                    return extract_text(path)
                except InvalidRequest as exc:  # name the upload, not the temporary file
                    raise InvalidRequest(exc.message.replace(str(path), body.name)) from None

        text = await anyio.to_thread.run_sync(read)
        return {"name": body.name, "text": text, "characters": len(text)}

    @router.post("/v1/feedback")
    async def feedback(request: Request) -> dict[str, str]:
        """'Did this save you time? how much?' for one answer (optional, one per answer)."""
        principal = auth.require(request, MODEL_USERS)
        body = parse(FeedbackBody, await read_json(request))
        store().feedback(body.request_id, principal, body.minutes)
        return {"status": "thanks"}

    @router.post("/v1/admin/policy/dry-run")
    async def dry_run(request: Request) -> dict[str, Any]:
        """Paste a text: the findings, each kind's rule, and the decision (admin)."""
        auth.require(request, ADMINS)
        body = parse(DryRunBody, await read_json(request))
        scanner = services.scanner
        result = await anyio.to_thread.run_sync(
            lambda: scanner.scan(body.text, backend_grade=body.backend_grade)
        )
        rules = {
            f.kind: scanner.policy.rule(f.kind).model_dump(mode="json") for f in result.findings
        }
        return {**result.as_dict(), "policy": scanner.policy.name, "rules": rules}

    @router.get("/v1/usage")
    async def usage(request: Request, since: str | None = None) -> dict[str, Any]:
        """Use per department, blocks by kind, top templates, time saved (admin, auditor)."""
        auth.require(request, (Role.ADMIN, Role.AUDITOR))
        return await anyio.to_thread.run_sync(lambda: _usage(services, since))

    @router.get("/v1/usage.csv")
    async def usage_csv(request: Request, since: str | None = None) -> Response:
        auth.require(request, (Role.ADMIN, Role.AUDITOR))
        data = await anyio.to_thread.run_sync(lambda: _usage(services, since))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["group", "requests", "blocked", "tokens", "answers_rated", "hours_saved"])
        for group, row in data["groups"].items():
            writer.writerow([group, row["requests"], row["blocked"], row["tokens"],
                             row["answers_rated"], row["hours_saved"]])  # fmt: skip
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="gwanmun-usage.csv"'},
        )

    return router


def _usage(services: Services, since: str | None) -> dict[str, Any]:
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since).timestamp()
        except ValueError:
            raise InvalidRequest(f"since={since!r} is not an ISO date") from None
    groups: dict[str, dict[str, Any]] = {}
    blocks: Counter[str] = Counter()

    def row_of(group: str) -> dict[str, Any]:
        empty = {"requests": 0, "blocked": 0, "tokens": 0, "answers_rated": 0, "hours_saved": 0.0}
        return groups.setdefault(group, empty)

    if services.audit_store is not None:
        for record in services.audit_store.records(since=start):
            body = record.body
            row = row_of(str(body.get("group") or "-"))
            row["requests"] += 1
            row["tokens"] += int((body.get("usage") or {}).get("total_tokens") or 0)
            if body.get("outcome") == "blocked":
                row["blocked"] += 1
                for kind in {f.get("kind") for f in body.get("findings", [])}:
                    blocks[str(kind)] += 1
    assert services.templates is not None
    for group, saved in services.templates.time_saved(since=start).items():
        row = groups.setdefault(
            group,
            {"requests": 0, "blocked": 0, "tokens": 0, "answers_rated": 0, "hours_saved": 0.0},
        )
        row["answers_rated"] = int(saved["answers"])
        row["hours_saved"] = saved["hours_saved"]
    return {
        "groups": groups,
        "blocks_by_kind": dict(blocks.most_common()),
        "top_templates": [
            {"title": t.data.title, "uses": t.uses, "rating": t.rating}
            for t in services.templates.top(10)
            if t.uses
        ],
        "hours_saved": round(sum(g["hours_saved"] for g in groups.values()), 2),
    }
