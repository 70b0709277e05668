"""The web workspace: server-rendered pages (Jinja2) with a little vanilla JS.

Every asset is served from the package (``web/static``): no CDN, nothing
fetched at run time. Pages use the same session as the API
(``/v1/auth/login``); the scripts call the API with it.

- ``/login``: sign in.
- ``/notice``: the pre-use notice, shown until the user acknowledges it.
- ``/chat``: guarded chat with a live preview of what will be masked or blocked.
- ``/templates``, ``/history``: shared prompt templates, one's own requests.
- ``/knowledge``: knowledge bases: documents with grades, uploads, search; the
  chat page chooses bases and opens the passages an answer cites.
- ``/admin``, ``/usage``, ``/audit``: by role (separation of duties); ``/usage``
  draws its charts here as SVG (no script), with the same numbers as tables.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from gwanmun.audit.stats import Period
from gwanmun.errors import AuthenticationError
from gwanmun.services import Services
from gwanmun.types import Outcome, Principal, Role
from gwanmun.usage import usage_report
from gwanmun.web.auth import MODEL_USERS, SESSION_COOKIE, Authenticator
from gwanmun.web.dashboard import dashboard
from gwanmun.web.i18n import LANGUAGES, NAMES, pick_language, words
from gwanmun.web.routes.templates import workspace_store

_env = Environment(
    loader=PackageLoader("gwanmun.web", "templates"),
    autoescape=select_autoescape(["html"]),
)
# Filter choices come from the enums, so a new outcome shows without a template edit.
_env.globals["outcomes"] = tuple(o.value for o in Outcome)

# Pages may run only our own scripts and talk only to this server.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def static_files() -> StaticFiles:
    directory = resources.files("gwanmun.web").joinpath("static")
    return StaticFiles(directory=str(directory))


def ui_routes(services: Services, auth: Authenticator) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    accounts = services.keys

    def render(request: Request, name: str, user: Principal | None, **extra: Any) -> Response:
        lang = _language(request)
        t = words(lang)
        html = _env.get_template(name).render(
            lang=lang, t=t, languages=NAMES, user=user, words_json=_words_json(t), **extra
        )
        response = HTMLResponse(html)
        response.headers["content-security-policy"] = _CSP
        response.headers["x-content-type-options"] = "nosniff"
        response.headers["referrer-policy"] = "no-referrer"
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="strict")
        return response

    async def signed_in(request: Request) -> Principal | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            return await auth.ask(accounts.session, token)
        except AuthenticationError:
            return None

    @router.get("/")
    async def home(request: Request) -> Response:
        return RedirectResponse("/chat" if await signed_in(request) else "/login", status_code=303)

    @router.get("/favicon.ico")
    async def favicon() -> Response:
        """Browsers ask for it on every site; the same gate as ``static/favicon.svg``."""
        icon = resources.files("gwanmun.web").joinpath("static").joinpath("favicon.ico")
        return Response(
            icon.read_bytes(),
            media_type="image/x-icon",
            headers={"cache-control": "public, max-age=86400"},
        )

    @router.get("/login")
    async def login(request: Request) -> Response:
        return render(request, "login.html", None)

    @router.get("/notice")
    async def notice(request: Request) -> Response:
        user = await signed_in(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        return render(request, "notice.html", user)

    @router.post("/v1/auth/notice")
    async def acknowledge(request: Request) -> dict[str, str]:
        user = await auth.principal(request)
        await auth.ask(accounts.acknowledge_notice, user.user)
        return {"status": "acknowledged"}

    async def gate(request: Request, roles: tuple[Role, ...]) -> Principal | Response:
        """The signed-in user if their role may see the page; else where to go instead."""
        user = await signed_in(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        if not await auth.ask(accounts.notice_acknowledged, user.user):
            return RedirectResponse("/notice", status_code=303)
        if user.role not in roles:
            # Auditors do not use models (separation of duties); others see why not.
            key = "auditor_no_models" if user.role is Role.AUDITOR else "not_your_role"
            return render(request, "message.html", user, message=words(_language(request))[key])
        return user

    @router.get("/chat")
    async def chat(request: Request) -> Response:
        user = await gate(request, MODEL_USERS)
        if isinstance(user, Response):
            return user
        models = [model for model, _ in services.router.models()]
        return render(request, "chat.html", user, models=models)

    @router.get("/admin")
    async def admin(request: Request) -> Response:
        user = await gate(request, (Role.ADMIN,))
        if isinstance(user, Response):
            return user
        backends = [
            {"name": b.name, "models": b.models(), "max_grade": b.max_grade.value}
            for b in services.router.backends
        ]
        return render(
            request, "admin.html", user, backends=backends,
            policy_name=services.scanner.policy.name,
        )  # fmt: skip

    @router.get("/usage")
    async def usage(request: Request, by: str = "day") -> Response:
        """The usage dashboard: charts drawn here (SVG), the same numbers as tables."""
        user = await gate(request, (Role.ADMIN, Role.AUDITOR))
        if isinstance(user, Response):
            return user
        period: Period = "week" if by == "week" else "day"
        report = await anyio.to_thread.run_sync(
            lambda: usage_report(services.audit_store, workspace_store(services), period=period)
        )
        return render(request, "usage.html", user, d=dashboard(report, words(_language(request))))

    def plain_page(
        roles: tuple[Role, ...], template: str
    ) -> Callable[[Request], Awaitable[Response]]:
        async def page(request: Request) -> Response:
            user = await gate(request, roles)
            if isinstance(user, Response):
                return user
            return render(request, template, user)

        return page

    # Pages that need only the signed-in user; their scripts fetch the rest.
    for path, roles, template in (
        ("/audit", (Role.AUDITOR,), "audit.html"),
        ("/history", MODEL_USERS, "history.html"),
        ("/templates", MODEL_USERS, "templates.html"),
        ("/knowledge", MODEL_USERS, "knowledge.html"),
    ):
        router.add_api_route(path, plain_page(roles, template), methods=["GET"])

    return router


def _language(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang") or request.cookies.get("lang"),
        request.headers.get("accept-language"),
    )


def _words_json(t: dict[str, str]) -> str:
    """The page's words for its scripts (every page: errors are shown in its
    language), safe inside a <script> element."""
    return json.dumps(t, ensure_ascii=False).replace("</", "<\\/")
