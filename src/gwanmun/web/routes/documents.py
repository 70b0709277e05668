"""``POST /v1/documents/extract``: text out of an uploaded txt, md, pdf, docx, hwpx or hwp
file, to attach to a chat as a source document (``gwanmun.documents`` reads it)."""

from __future__ import annotations

import base64
from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.documents import extract_upload
from gwanmun.errors import InvalidRequest
from gwanmun.services import Services
from gwanmun.web.auth import MODEL_USERS, Authenticator
from gwanmun.web.bodies import read_body


class ExtractBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    data_base64: str


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    @router.post("/v1/documents/extract")
    async def extract(request: Request) -> dict[str, Any]:
        """Text out of a txt, md, pdf, docx, hwpx or hwp file, to attach as a source document."""
        await auth.require(request, MODEL_USERS)
        body = await read_body(request, ExtractBody)
        try:
            data = base64.b64decode(body.data_base64, validate=True)
        except ValueError:
            raise InvalidRequest("data_base64 is not base64", param="data_base64") from None
        text = await anyio.to_thread.run_sync(
            extract_upload, body.name, data, services.settings.documents
        )
        return {"name": body.name, "text": text, "characters": len(text)}

    return router
