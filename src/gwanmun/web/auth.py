"""Who is calling, and may they do this? Bearer API keys and web-login sessions.

Roles keep duties apart (docs/accounts.md):

- ``user``: models, the guard scan, their own history;
- ``admin``: as a user, plus users, keys, backends and the policy;
- ``auditor``: audit records and statistics only, never models or settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from fastapi import Request

from gwanmun.accounts import AccountStore
from gwanmun.errors import AuthenticationError, PermissionDenied
from gwanmun.origins import cross_site
from gwanmun.settings import Settings
from gwanmun.types import Principal, Role

SESSION_COOKIE = "gwanmun_session"
ANONYMOUS = Principal(user="anonymous", role=Role.USER)

MODEL_USERS = (Role.USER, Role.ADMIN)
ADMINS = (Role.ADMIN,)
AUDITORS = (Role.AUDITOR,)

T = TypeVar("T")

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_WHAT = {
    MODEL_USERS: "use models (auditors read the audit log but do not use models: "
    "separation of duties)",
    ADMINS: "manage users, keys, backends and the policy (administrators only)",
    AUDITORS: "read audit records (auditors only: administrators manage the system but do "
    "not read its audit log)",
}


class Authenticator:
    """Every request's key or session lookup. On SQLite it runs on the event loop
    (a local read of tens of microseconds, cheaper than a hop to a worker
    thread); on PostgreSQL it is a network round trip and runs in a worker
    thread, so a slow or stalled database holds only the requests that wait
    for it, never the loop every other request (health checks, streams in
    progress) is served on."""

    def __init__(self, settings: Settings, accounts: AccountStore) -> None:
        self.settings = settings
        self.accounts = accounts
        self._remote = accounts.db.kind != "sqlite"

    async def ask(self, call: Callable[..., T], *args: object) -> T:
        """``call(*args)``, a call into the stores ``database_url`` holds
        (accounts, workspace, files, knowledge bases): off the event loop when
        they are on the network, so a slow database holds only this request."""
        if self._remote:
            return await anyio.to_thread.run_sync(call, *args)
        return call(*args)

    async def principal(self, request: Request) -> Principal:
        principal = await self.ask(self._principal, request)
        client = request.client.host if request.client else None
        return dataclasses.replace(principal, client=client)

    def _principal(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthenticationError("The Authorization header must be 'Bearer <key>'.")
            return self.accounts.authenticate(token.strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            principal = self.accounts.session(cookie)
            # A session cookie rides along on any request the browser makes; a
            # state-changing one must also be JSON, which no cross-site form can send.
            # So must its Origin be this gateway's or a listed one (origins.py).
            content_type = request.headers.get("content-type", "")
            if request.method in _UNSAFE and not content_type.startswith("application/json"):
                raise PermissionDenied("Requests with a session must send application/json.")
            if request.method in _UNSAFE and cross_site(
                request.headers, self.settings.allowed_origins
            ):
                raise PermissionDenied(
                    "A request with a session from another site is refused (its Origin is "
                    "not this gateway's); an administrator lists other origins of the "
                    "workspace in allowed_origins."
                )
            return principal
        if self.settings.allow_anonymous:
            return ANONYMOUS
        raise AuthenticationError(
            "Missing API key. Send 'Authorization: Bearer <key>'; an administrator "
            "creates keys with `gwanmun keys create --user NAME`."
        )

    async def require(self, request: Request, roles: tuple[Role, ...]) -> Principal:
        principal = await self.principal(request)
        if principal.role not in roles:
            raise PermissionDenied(
                f"Your role ({principal.role.value}) may not {_WHAT.get(roles, 'do this')}."
            )
        return principal
