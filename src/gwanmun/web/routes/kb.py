"""``/v1/knowledge_bases``: create, list and delete knowledge bases, add, list and
remove their documents, search them and open one passage (a citation)
(``gwanmun.kb`` does the work).

Everyone who may use models may call these; what they may read or change is
decided by ``KnowledgeBases`` (owner group, readers, administrators). A base
the caller may not read answers 404, like one that does not exist.
"""

from __future__ import annotations

import base64
from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.errors import InvalidRequest
from gwanmun.kb.service import Hit, KnowledgeBases
from gwanmun.services import Services
from gwanmun.types import Grade
from gwanmun.web.auth import MODEL_USERS, Authenticator
from gwanmun.web.bodies import read_body


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    readers: list[str] = Field(default_factory=list, max_length=256)
    institution: bool = Field(False, description="Owned by the institution (administrators).")


class DocumentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    data_base64: str


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=4000)
    k: int = Field(5, ge=1, le=50)
    max_grade: Grade = Field(Grade.C, description="Return passages up to this grade.")


def knowledge_of(services: Services) -> KnowledgeBases:
    """The knowledge-base service, or a 400 where none is set up."""
    if services.knowledge is None:
        raise InvalidRequest("Knowledge bases are not set up here.")
    return services.knowledge


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    def knowledge() -> KnowledgeBases:
        return knowledge_of(services)

    @router.post("/v1/knowledge_bases")
    async def create(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, CreateBody)
        kb = await auth.ask(
            lambda: knowledge().create(
                body.id,
                principal,
                name=body.name,
                readers=body.readers,
                institution=body.institution,
            )
        )
        return kb.as_dict()

    @router.get("/v1/knowledge_bases")
    async def listing(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        readable = await auth.ask(knowledge().readable, principal)
        return {"object": "list", "data": [kb.as_dict() for kb in readable]}

    @router.delete("/v1/knowledge_bases/{kb_id}")
    async def drop(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        await auth.ask(knowledge().drop, kb_id, principal)
        return {"id": kb_id, "deleted": True}

    @router.post("/v1/knowledge_bases/{kb_id}/documents")
    async def add(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, DocumentBody)
        try:
            data = base64.b64decode(body.data_base64, validate=True)
        except ValueError:
            raise InvalidRequest("data_base64 is not base64", param="data_base64") from None
        added = await anyio.to_thread.run_sync(
            lambda: knowledge().add(kb_id, body.name, data, principal)
        )
        return {**added.document.as_dict(), "changed": added.changed}

    @router.get("/v1/knowledge_bases/{kb_id}/documents")
    async def documents(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        docs = await auth.ask(knowledge().documents, kb_id, principal)
        return {"object": "list", "data": [d.as_dict() for d in docs]}

    @router.delete("/v1/knowledge_bases/{kb_id}/documents/{document}")
    async def remove(kb_id: str, document: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        removed = await auth.ask(knowledge().remove, kb_id, document, principal)
        return {"id": document, "deleted": removed}

    @router.get("/v1/knowledge_bases/{kb_id}/passages/{passage_id}")
    async def passage(kb_id: str, passage_id: str, request: Request) -> dict[str, Any]:
        """One passage with its text: what a citation in an answer points to."""
        principal = await auth.require(request, MODEL_USERS)
        found = await auth.ask(knowledge().passage, kb_id, passage_id, principal)
        shown = Hit(found, 0.0).as_dict()
        del shown["score"]  # not a search result
        return shown

    @router.post("/v1/knowledge_bases/{kb_id}/search")
    async def search(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, SearchBody)
        hits = await anyio.to_thread.run_sync(
            lambda: knowledge().search(
                [kb_id], body.query, principal, max_grade=body.max_grade, k=body.k
            )
        )
        return {"object": "list", "data": [h.as_dict() for h in hits]}

    return router
