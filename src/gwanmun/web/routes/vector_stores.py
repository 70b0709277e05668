"""The OpenAI files and vector-stores endpoints, over Gwanmun's knowledge bases.

A vector store *is* a knowledge base (owned by the caller's department, read
by the groups in ``metadata.readers``, comma-separated), so everything the
knowledge bases do holds here too: grades at ingest, access and grades as
filters inside the query, deletion that leaves nothing to retrieve. Its id
can be given to chat as ``extra_body={"knowledge_bases": [id]}``. What the
official SDK calls works::

    store = client.vector_stores.create(name="민원 규정", metadata={"readers": "기획과"})
    with open("규정.pdf", "rb") as f:
        client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=f)
    client.vector_stores.search(store.id, query="민원 처리 기간")

Differences, on purpose: a file is indexed when it is attached (the status is
``completed`` at once, or the call fails with the reason); its bytes are
dropped then (``kb/files.py``), so a file is attached to one store; a store
never expires; ``chunking_strategy``, ``expires_after``, file ``attributes``
and search ``filters`` are refused rather than ignored; search returns
passages (with page, section and grade as attributes), not whole files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from gwanmun.errors import InvalidRequest, NotFound
from gwanmun.kb.files import FileStore
from gwanmun.kb.service import KnowledgeBases
from gwanmun.kb.store import EVERYONE, Document, KnowledgeBase
from gwanmun.services import Services
from gwanmun.types import Principal
from gwanmun.web.auth import MODEL_USERS, Authenticator
from gwanmun.web.bodies import read_body
from gwanmun.web.routes.kb import knowledge_of

T = TypeVar("T")


class StoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    file_ids: list[str] = Field(default_factory=list, max_length=100)
    metadata: dict[str, str] = Field(default_factory=dict, max_length=16)


class StoreFileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file_id: str = Field(min_length=1, max_length=100)


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str | list[str]
    max_num_results: int = Field(10, ge=1, le=50)
    rewrite_query: bool = False


def _page(items: Sequence[T], ident: Callable[[T], str], request: Request) -> tuple[list[T], bool]:
    """One page of ``items`` (already in ``order``) after/before a cursor id."""
    query = request.query_params
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        raise InvalidRequest("limit must be a whole number from 1 to 100", param="limit") from None
    if not 1 <= limit <= 100:
        raise InvalidRequest("limit must be a whole number from 1 to 100", param="limit")
    ordered = list(items)
    if query.get("order", "desc") == "desc":
        ordered.reverse()
    ids = [ident(i) for i in ordered]
    if "after" in query:
        start = ids.index(query["after"]) + 1 if query["after"] in ids else len(ids)
        ordered = ordered[start:]
    if "before" in query:
        ids = [ident(i) for i in ordered]
        end = ids.index(query["before"]) if query["before"] in ids else 0
        ordered = ordered[:end]
    return ordered[:limit], len(ordered) > limit


def _listing(items: list[dict[str, Any]], more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": more,
    }


def _store(kb: KnowledgeBase, docs: Sequence[Document]) -> dict[str, Any]:
    readers = ",".join(r for r in kb.readers if r != EVERYONE)
    return {
        "id": kb.id,
        "object": "vector_store",
        "created_at": int(kb.created),
        "name": kb.name,
        "usage_bytes": 0,
        "file_counts": {
            "in_progress": 0,
            "completed": len(docs),
            "failed": 0,
            "cancelled": 0,
            "total": len(docs),
        },
        "status": "completed",
        "expires_after": None,
        "expires_at": None,
        "last_active_at": None,
        "metadata": {
            "owner": kb.owner or "",
            "readers": "*" if EVERYONE in kb.readers else readers,
        },
    }


def _store_file(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "object": "vector_store.file",
        "created_at": int(doc.added),
        "vector_store_id": doc.kb_id,
        "status": "completed",
        "usage_bytes": 0,
        "last_error": None,
        "attributes": {"filename": doc.name, "grade": doc.grade.value, "passages": doc.passages},
    }


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    def knowledge() -> KnowledgeBases:
        return knowledge_of(services)

    def files() -> FileStore:
        if services.files is None:
            raise InvalidRequest("File uploads are not set up here.")
        return services.files

    def owned_file(principal: Principal, file_id: str) -> Any:
        found = files().get(principal.user, file_id)
        if found is None:
            raise NotFound(f"No file {file_id!r} of yours.", param="file_id")
        return found

    # --- files -----------------------------------------------------------------

    @router.post("/v1/files")
    async def upload(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise InvalidRequest("Send the file as multipart/form-data (fields: file, purpose).")
        try:
            form = await request.form(max_files=1, max_fields=4)
        except (MultiPartException, HTTPException) as exc:
            detail = getattr(exc, "message", None) or getattr(exc, "detail", "")
            raise InvalidRequest(f"The form could not be read: {detail}") from None
        try:
            file = form.get("file")
            purpose = form.get("purpose") or "assistants"
            if not isinstance(file, UploadFile) or not file.filename:
                raise InvalidRequest("A file field named 'file' is required.", param="file")
            if not isinstance(purpose, str) or purpose not in ("assistants", "user_data"):
                raise InvalidRequest(
                    "purpose: 'assistants' or 'user_data' (files are for vector stores here).",
                    param="purpose",
                )
            data = await file.read()
            name = file.filename
        finally:
            await form.close()
        stored = await auth.ask(files().put, principal.user, name[-200:], purpose, data)
        return stored.as_dict()

    @router.get("/v1/files")
    async def file_list(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        mine = await auth.ask(files().listing, principal.user)
        page, more = _page(list(reversed(mine)), lambda f: f.id, request)
        return _listing([f.as_dict() for f in page], more)

    @router.get("/v1/files/{file_id}")
    async def file_get(file_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        result: dict[str, Any] = (await auth.ask(owned_file, principal, file_id)).as_dict()
        return result

    @router.delete("/v1/files/{file_id}")
    async def file_delete(file_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)

        def delete_file() -> None:
            owned_file(principal, file_id)
            files().delete(principal.user, file_id)

        await auth.ask(delete_file)
        return {"id": file_id, "object": "file", "deleted": True}

    # --- vector stores -------------------------------------------------------------

    def attach(kb_id: str, file_id: str, principal: Principal) -> Document:
        found = owned_file(principal, file_id)
        data = files().data(principal.user, file_id)
        if data is None:
            raise InvalidRequest(
                f"File {file_id!r} was already indexed (or kept too long), so its bytes are "
                "gone; upload it again to add it to another store.",
                param="file_id",
            )
        added = knowledge().add(kb_id, found.filename, data, principal, document_id=file_id)
        files().drop_data(principal.user, file_id)
        return added.document

    @router.post("/v1/vector_stores")
    async def create(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, StoreBody)
        unknown = sorted(set(body.metadata) - {"readers"})
        if unknown:
            raise InvalidRequest(
                f"metadata: only 'readers' (comma-separated groups) is understood, not {unknown}",
                param="metadata",
            )
        readers = [r.strip() for r in body.metadata.get("readers", "").split(",") if r.strip()]
        kb_id = f"vs_{time.time_ns():x}"
        kb = await auth.ask(
            lambda: knowledge().create(kb_id, principal, name=body.name, readers=readers)
        )
        docs = []
        for file_id in body.file_ids:
            docs.append(await anyio.to_thread.run_sync(partial(attach, kb.id, file_id, principal)))
        return _store(kb, docs)

    @router.get("/v1/vector_stores")
    async def listing(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        service = knowledge()
        readable = await auth.ask(service.readable, principal)
        bases = sorted(readable, key=lambda kb: (kb.created, kb.id))
        page, more = _page(bases, lambda kb: kb.id, request)

        def described() -> list[dict[str, Any]]:
            return [_store(kb, service.store.documents(kb.id)) for kb in page]

        return _listing(await auth.ask(described), more)

    @router.get("/v1/vector_stores/{kb_id}")
    async def retrieve(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)

        def described() -> dict[str, Any]:
            kb = knowledge().get(kb_id, principal)
            return _store(kb, knowledge().store.documents(kb.id))

        return await auth.ask(described)

    @router.delete("/v1/vector_stores/{kb_id}")
    async def delete(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        await auth.ask(knowledge().drop, kb_id, principal)
        return {"id": kb_id, "object": "vector_store.deleted", "deleted": True}

    @router.post("/v1/vector_stores/{kb_id}/files")
    async def add_file(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, StoreFileBody)
        doc = await anyio.to_thread.run_sync(lambda: attach(kb_id, body.file_id, principal))
        return _store_file(doc)

    @router.get("/v1/vector_stores/{kb_id}/files")
    async def files_list(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        docs = sorted(
            await auth.ask(knowledge().documents, kb_id, principal), key=lambda d: (d.added, d.id)
        )
        page, more = _page(docs, lambda d: d.id, request)
        return _listing([_store_file(d) for d in page], more)

    @router.get("/v1/vector_stores/{kb_id}/files/{file_id}")
    async def file_of(kb_id: str, file_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        for doc in await auth.ask(knowledge().documents, kb_id, principal):
            if doc.id == file_id:
                return _store_file(doc)
        raise NotFound(f"No file {file_id!r} in {kb_id!r}.", param="file_id")

    @router.delete("/v1/vector_stores/{kb_id}/files/{file_id}")
    async def file_remove(kb_id: str, file_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)

        def remove() -> None:
            ids = {d.id for d in knowledge().documents(kb_id, principal)}
            if file_id not in ids:
                raise NotFound(f"No file {file_id!r} in {kb_id!r}.", param="file_id")
            knowledge().remove(kb_id, file_id, principal)

        await auth.ask(remove)
        return {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}

    @router.post("/v1/vector_stores/{kb_id}/search")
    async def search(kb_id: str, request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, SearchBody)
        query = body.query if isinstance(body.query, str) else " ".join(body.query)
        if not query.strip() or len(query) > 4000:
            raise InvalidRequest("query: 1 to 4,000 characters.", param="query")
        hits = await anyio.to_thread.run_sync(
            lambda: knowledge().search([kb_id], query, principal, k=body.max_num_results)
        )
        data = []
        for hit in hits:
            p = hit.passage
            attributes: dict[str, str | float | bool] = {"grade": p.grade.value, "passage_id": p.id}
            if p.section:
                attributes["section"] = p.section
            if p.page is not None:
                attributes["page"] = p.page
                attributes["page_end"] = p.page_end or p.page
            data.append(
                {
                    "file_id": p.document_id,
                    "filename": p.document,
                    "score": round(hit.score, 5),
                    "attributes": attributes,
                    "content": [{"type": "text", "text": p.text}],
                }
            )
        return {
            "object": "vector_store.search_results.page",
            "search_query": body.query if isinstance(body.query, list) else [body.query],
            "data": data,
            "has_more": False,
            "next_page": None,
        }

    return router
