"""``POST /v1/embeddings``: OpenAI-compatible sentence vectors for internal tools.

The encoder is the one the knowledge bases use (multilingual-e5-small, in this
process), so a tool that embeds text needs no second server and its vectors
match the knowledge bases'. ``Gateway.embed`` does the work: the texts pass the
input guard's data detectors first (a value the policy blocks is refused with
the same 400 as in chat; a masked one is embedded as its placeholder), and the
call is audited like a chat request. The official SDK works unchanged::

    client.embeddings.create(model="multilingual-e5-small", input=["민원 처리 기한"])

It asks for ``encoding_format: "base64"`` by default (little-endian float32),
which is served as asked. Token arrays are refused: there is no way to check
them for personal data without the encoder's vocabulary, and no tool needs them.
"""

from __future__ import annotations

import base64
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from gwanmun.errors import InvalidRequest
from gwanmun.services import Services
from gwanmun.web.auth import MODEL_USERS, Authenticator
from gwanmun.web.bodies import read_body


class EmbeddingsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(min_length=1, max_length=200)
    input: str | list[str] | list[int] | list[list[int]]
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1)
    user: str | None = Field(default=None, max_length=256)


def texts(body: EmbeddingsBody, max_chars: int) -> list[str]:
    """The texts to embed, or a 400 for token arrays, empty or oversized texts."""
    items = [body.input] if isinstance(body.input, str) else body.input
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidRequest(
                "input: token arrays are not accepted here; send the text itself.",
                param="input",
            )
        if not item.strip():
            raise InvalidRequest(f"input[{i}] is empty.", param=f"input[{i}]")
        if len(item) > max_chars:
            raise InvalidRequest(
                f"input[{i}] is {len(item)} characters; the limit is {max_chars} "
                "(limits.max_message_chars).",
                param=f"input[{i}]",
            )
        out.append(item)
    return out


def encoded(vector: np.ndarray, encoding: str) -> list[float] | str:
    if encoding == "base64":
        return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")
    return [float(x) for x in vector]


def routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()

    @router.post("/v1/embeddings")
    async def embeddings(request: Request) -> dict[str, Any]:
        principal = await auth.require(request, MODEL_USERS)
        body = await read_body(request, EmbeddingsBody)
        items = texts(body, services.settings.limits.max_message_chars)
        encoder = services.gateway.encoder
        wanted = body.dimensions
        if wanted is not None and encoder is not None and wanted != encoder.model.dim:
            raise InvalidRequest(
                f"dimensions: {encoder.model.name} gives {encoder.model.dim}; "
                "it cannot be shortened.",
                param="dimensions",
            )
        result = await services.gateway.embed(items, body.model, principal)
        verdict = result.verdict
        return {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": encoded(v, body.encoding_format)}
                for i, v in enumerate(result.vectors)
            ],
            "model": result.model,
            "usage": {
                "prompt_tokens": result.usage.prompt_tokens,
                "total_tokens": result.usage.total_tokens,
            },
            "gwanmun": {
                "request_id": result.request_id,
                "grade": verdict.grade.value,
                "action": verdict.action.value,
                "masked_kinds": sorted(set(verdict.masked_kinds)),
            },
        }

    return router
