"""The JSON API beside chat, one module per concern; each exports ``routes(services,
auth) -> APIRouter``. Routes parse, check the caller's role, call the package
and format; the work itself lives one floor down (accounts, audit, prompts,
documents, usage). Chat and the guard scan are in ``web/app.py``, pages in
``web/ui.py``.

- ``sessions``: ``/v1/auth/login|logout|me`` (web sign-in).
- ``history``: ``/v1/history``, the caller's own records.
- ``admin``: ``/v1/admin/users|keys|backends|policy`` and the policy dry-run.
- ``audit``: ``/v1/audit/records|stats|verify`` (auditors).
- ``templates``: shared prompt templates and signed bundles.
- ``documents``: text out of an uploaded source document.
- ``kb``: ``/v1/knowledge_bases``: bases, their documents, search.
- ``vector_stores``: ``/v1/files`` and ``/v1/vector_stores`` (OpenAI's, over ``kb``).
- ``embeddings``: ``/v1/embeddings`` (OpenAI-compatible, through the data guard).
- ``usage``: ``/v1/feedback`` and the usage report (``/v1/usage``, ``.csv``).
"""

from __future__ import annotations

from fastapi import APIRouter

from gwanmun.services import Services
from gwanmun.web.auth import Authenticator
from gwanmun.web.routes import (
    admin,
    audit,
    documents,
    embeddings,
    history,
    kb,
    sessions,
    templates,
    usage,
    vector_stores,
)


def api_routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter()
    concerns = (
        sessions, history, admin, audit, templates, documents, kb, vector_stores, embeddings,
        usage,
    )  # fmt: skip
    for concern in concerns:
        router.include_router(concern.routes(services, auth))
    return router
