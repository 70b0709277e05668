"""The workspace store: prompt templates — categories, variables, visibility,
uses and ratings — and the staff's time-saved feedback, in SQLite
(``data_dir/workspace.db``) or, with ``database_url``, PostgreSQL (``gwanmun.db``).

A template's ``body`` names its variables as ``{{name}}``; ``render`` fills
them with plain text replacement (no template language, so a value can never
run as code). Visibility is ``institution`` (everyone) or ``group`` (the
author's group only); making a template institution-wide is an admin's call.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gwanmun.db import Database, Schema, open_database
from gwanmun.errors import InvalidRequest, NotFound, PermissionDenied
from gwanmun.types import Principal, Role

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,40})\s*\}\}")

MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE templates (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        category TEXT NOT NULL,
        language TEXT NOT NULL,
        body TEXT NOT NULL,
        variables TEXT NOT NULL,
        visibility TEXT NOT NULL,
        owner_group TEXT,
        author TEXT NOT NULL,
        origin TEXT NOT NULL,
        created_at REAL NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE ratings (
        template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        user TEXT NOT NULL,
        stars INTEGER NOT NULL,
        PRIMARY KEY (template_id, user)
    )""",
    # One answer to "did this save you time? how much?" per request.
    """CREATE TABLE feedback (
        request_id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        grp TEXT,
        minutes INTEGER NOT NULL,
        at REAL NOT NULL
    )""",
)

# The same tables on PostgreSQL ("user" is a reserved word there, so quoted).
PG_MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE templates (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        category TEXT NOT NULL,
        language TEXT NOT NULL,
        body TEXT NOT NULL,
        variables TEXT NOT NULL,
        visibility TEXT NOT NULL,
        owner_group TEXT,
        author TEXT NOT NULL,
        origin TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        uses INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE ratings (
        template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        "user" TEXT NOT NULL,
        stars INTEGER NOT NULL,
        PRIMARY KEY (template_id, "user")
    )""",
    """CREATE TABLE feedback (
        request_id TEXT PRIMARY KEY,
        "user" TEXT NOT NULL,
        grp TEXT,
        minutes INTEGER NOT NULL,
        at DOUBLE PRECISION NOT NULL
    )""",
)

# "gwanwksp": the workspace's migration lock on PostgreSQL.
SCHEMA = Schema(
    name="workspace",
    sqlite=MIGRATIONS,
    postgres=PG_MIGRATIONS,
    table="gwanmun_workspace_schema",
    lock=0x6777616E776B7370,
)

FEEDBACK_MINUTES = (0, 10, 30, 60)


class Variable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
    label: str = Field(min_length=1, max_length=200)
    multiline: bool = False


class TemplateIn(BaseModel):
    """A template as written by a person or carried in a bundle."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=100)
    language: Literal["ko", "ja", "en"] = "ko"
    body: str = Field(min_length=1, max_length=20_000)
    variables: list[Variable] = Field(default_factory=list)
    visibility: Literal["institution", "group"] = "group"

    @field_validator("variables")
    @classmethod
    def _unique(cls, value: list[Variable]) -> list[Variable]:
        names = [v.name for v in value]
        if len(names) != len(set(names)):
            raise ValueError("variable names must be unique")
        return value

    def check_variables(self) -> None:
        used = set(_VARIABLE.findall(self.body))
        declared = {v.name for v in self.variables}
        if used - declared:
            raise InvalidRequest(
                f"template {self.title!r} uses undeclared variables: {sorted(used - declared)}"
            )


# The origin of the shipped templates; pages show it in their own language.
STARTER_ORIGIN = "Gwanmun starter set"


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    data: TemplateIn
    owner_group: str | None
    author: str
    origin: str
    created_at: float
    uses: int
    rating: float | None
    ratings: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.data.model_dump(mode="json"),
            "owner_group": self.owner_group,
            "author": self.author,
            "origin": self.origin,
            "starter": self.origin == STARTER_ORIGIN,
            "uses": self.uses,
            "rating": None if self.rating is None else round(self.rating, 2),
            "ratings": self.ratings,
        }


def render(template: TemplateIn, values: dict[str, str]) -> str:
    missing = [v.label for v in template.variables if not values.get(v.name, "").strip()]
    if missing:
        raise InvalidRequest(f"fill in: {', '.join(missing)}")
    return _VARIABLE.sub(lambda m: values.get(m.group(1), ""), template.body)


class WorkspaceStore:
    """Templates, ratings and feedback in ``where``: a SQLite path, a checked
    PostgreSQL connection string, or an open ``Database`` the caller closes."""

    def __init__(
        self, where: Path | str | Database, *, institution: str, starters: bool = True
    ) -> None:
        self.institution = institution
        self._owns = not hasattr(where, "transaction")
        self.db = open_database(where, foreign_keys=True)
        version = self.db.migrate(SCHEMA)
        if starters and version == 0:
            self._load_starters()

    def _load_starters(self) -> None:
        """The starter set, once: replicas migrating together load it once (the
        first to see no templates, under a lock on PostgreSQL)."""
        with self.db.transaction() as tx:
            if self.db.kind == "postgres":
                tx.one("SELECT pg_advisory_xact_lock(?)", (SCHEMA.lock,))
            count = tx.one("SELECT COUNT(*) FROM templates")
            if count is not None and int(count[0]):
                return
            for item in starter_templates():
                self._insert(tx, item, author="gwanmun", group=None, origin=STARTER_ORIGIN)

    def close(self) -> None:
        if self._owns:
            self.db.close()

    def add(
        self, data: TemplateIn, *, author: str, group: str | None, origin: str | None = None
    ) -> Template:
        data.check_variables()
        with self.db.transaction() as tx:
            template_id = self._insert(tx, data, author=author, group=group, origin=origin)
        return self.get(template_id)

    def _insert(
        self, tx: Any, data: TemplateIn, *, author: str, group: str | None, origin: str | None
    ) -> str:
        template_id = uuid.uuid4().hex[:12]
        tx.run(
            "INSERT INTO templates (id, title, category, language, body, variables, "
            "visibility, owner_group, author, origin, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                template_id,
                data.title,
                data.category,
                data.language,
                data.body,
                json.dumps([v.model_dump() for v in data.variables], ensure_ascii=False),
                data.visibility,
                group,
                author,
                origin or self.institution,
                time.time(),
            ),
        )
        return template_id

    def create(self, data: TemplateIn, principal: Principal) -> Template:
        """A template written by ``principal``: institution-wide only for admins."""
        if data.visibility == "institution" and principal.role is not Role.ADMIN:
            raise PermissionDenied(
                "Only an administrator can share a template with the whole institution; "
                "share it with your group instead."
            )
        return self.add(data, author=principal.user, group=principal.group)

    def get(self, template_id: str) -> Template:
        found = self.db.one(_SELECT + " WHERE t.id = ? GROUP BY t.id", (template_id,))
        if found is None:
            raise NotFound(f"no template {template_id!r}")
        return _template(found)

    def visible(self, principal: Principal) -> list[Template]:
        rows = self.db.all(
            _SELECT + " WHERE t.visibility = 'institution' OR t.owner_group IS NOT DISTINCT FROM ? "
            "GROUP BY t.id ORDER BY t.category, t.uses DESC, t.title, t.id",
            (principal.group,),
        )
        return [_template(r) for r in rows]

    def use(self, template_id: str, principal: Principal, values: dict[str, str]) -> str:
        template = self._visible_one(template_id, principal)
        text = render(template.data, values)
        self.db.run("UPDATE templates SET uses = uses + 1 WHERE id = ?", (template_id,))
        return text

    def rate(self, template_id: str, principal: Principal, stars: int) -> Template:
        if not 1 <= stars <= 5:
            raise InvalidRequest("stars must be 1 to 5")
        self._visible_one(template_id, principal)
        self.db.run(
            'INSERT INTO ratings VALUES (?, ?, ?) ON CONFLICT (template_id, "user") '
            "DO UPDATE SET stars = excluded.stars",
            (template_id, principal.user, stars),
        )
        return self.get(template_id)

    def top(self, limit: int = 10) -> list[Template]:
        rows = self.db.all(_SELECT + " GROUP BY t.id ORDER BY t.uses DESC, t.id LIMIT ?", (limit,))
        return [_template(r) for r in rows]

    def feedback(self, request_id: str, principal: Principal, minutes: int) -> None:
        if minutes not in FEEDBACK_MINUTES:
            raise InvalidRequest(f"minutes must be one of {FEEDBACK_MINUTES}")
        if not re.fullmatch(r"chatcmpl-[A-Za-z0-9]{1,64}", request_id):
            raise InvalidRequest("request_id is the id of an answer (chatcmpl-…)")
        self.db.run(
            "INSERT INTO feedback VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id) "
            'DO UPDATE SET minutes = excluded.minutes WHERE feedback."user" = excluded."user"',
            (request_id, principal.user, principal.group, minutes, time.time()),
        )

    def time_saved(self, *, since: float | None = None) -> dict[str, dict[str, float]]:
        """Per group: answers rated, and hours saved as the staff estimated them."""
        rows = self.db.all(
            "SELECT COALESCE(grp, '-'), COUNT(*), SUM(minutes) FROM feedback "
            "WHERE at >= ? GROUP BY grp ORDER BY SUM(minutes) DESC, COALESCE(grp, '-')",
            (since or 0.0,),
        )
        return {g: {"answers": int(n), "hours_saved": round(float(m) / 60, 2)} for g, n, m in rows}

    def _visible_one(self, template_id: str, principal: Principal) -> Template:
        template = self.get(template_id)
        if template.data.visibility == "group" and template.owner_group != principal.group:
            raise NotFound(f"no template {template_id!r}")
        return template


_SELECT = (
    "SELECT t.id, t.title, t.category, t.language, t.body, t.variables, t.visibility, "
    "t.owner_group, t.author, t.origin, t.created_at, t.uses, AVG(r.stars), COUNT(r.stars) "
    "FROM templates t LEFT JOIN ratings r ON r.template_id = t.id"
)


def _template(row: tuple[Any, ...]) -> Template:
    data = TemplateIn(
        title=row[1],
        category=row[2],
        language=row[3],
        body=row[4],
        variables=[Variable(**v) for v in json.loads(row[5])],
        visibility=row[6],
    )
    return Template(
        id=row[0],
        data=data,
        owner_group=row[7],
        author=row[8],
        origin=row[9],
        created_at=float(row[10]),
        uses=int(row[11]),
        rating=None if row[12] is None else float(row[12]),
        ratings=int(row[13]),
    )


def starter_templates() -> list[TemplateIn]:
    """The shipped starter set (data/starter_templates.yaml)."""
    text = resources.files("gwanmun").joinpath("data/starter_templates.yaml").read_text("utf-8")
    return [TemplateIn.model_validate(item) for item in yaml.safe_load(text)["templates"]]
