"""What every ``gwanmun`` sub-command shares: the two consoles, how a command
fails, and settings loaded with a readable error. Imported by the sub-command
modules; it imports none of them (the CLI's import graph is a tree rooted in
``cli/main.py``)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from gwanmun.errors import ConfigError, GwanmunError
from gwanmun.settings import Settings, data_dir_origin, load_settings

if TYPE_CHECKING:
    from gwanmun.accounts import AccountStore
    from gwanmun.audit import AdminAction

# Help as click writes it, not rich's panels: it wraps to the terminal (80 columns
# when piped, or $COLUMNS), never cuts a word off with "…", and shows no "<bool>"
# placeholder on flags that take no value. Every Typer in the CLI uses these.
HELP: dict[str, Any] = {
    "rich_markup_mode": None,
    "context_settings": {"max_content_width": 100, "help_option_names": ["-h", "--help"]},
}


def keep_examples(app: typer.Typer) -> None:
    """Mark every indented block of a command's help (its examples) with click's
    ``\\b``, so the help prints each example on its own line instead of joining
    them into one wrapped paragraph, and list each command with its whole first
    paragraph. Docstrings stay plain; this runs once, where the command is
    assembled (``cli/main.py``)."""
    for command in app.registered_commands:
        doc = command.help or inspect.getdoc(command.callback)
        if doc:
            # The whole first paragraph in the list of commands (click cuts it with "...").
            command.short_help = command.short_help or " ".join(doc.split("\n\n")[0].split())
            command.help = "\n\n".join(
                "\b\n" + block if block.startswith(" ") else block for block in doc.split("\n\n")
            )
    for group in app.registered_groups:
        if group.typer_instance is not None:
            group.short_help = group.short_help or group.typer_instance.info.help
            keep_examples(group.typer_instance)


# Messages go to stderr so stdout carries only what a command outputs (keys, JSON, CSV).
err = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error; ``raise fail(...)`` ends the command with ``code``."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def settings_or_exit(**overrides: Any) -> Settings:
    """The settings, after saying on stderr which data directory this command uses."""
    try:
        settings = load_settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise fail(f"invalid configuration at {where}: {first.get('msg')}") from None
    except ConfigError as exc:
        raise fail(str(exc)) from None
    err.print(
        f"[dim]data directory: {settings.data_dir} ({data_dir_origin(settings)})[/]",
        highlight=False,
    )
    return settings


# The SQLite files that live in PostgreSQL instead when database_url is set
# (the audit chain too unless audit_database_url puts it elsewhere).
SHARED_STATE = ("keys.db", "workspace.db", "files.db", "knowledge.db", "audit.db")


def in_database(settings: Settings, name: str) -> bool:
    """Whether ``data_dir/name`` is kept in PostgreSQL by these settings."""
    if name == "audit.db" and settings.audit_database_url:
        return True
    return bool(settings.database_url) and name in SHARED_STATE


def require_state(settings: Settings, name: str, *, what: str, first: str) -> Path:
    """``data_dir/name``, or a clear refusal when it is missing — a reading
    command never creates state (a new key store or signing key) silently.
    State kept in PostgreSQL (``in_database``) is not looked for here."""
    path = settings.data_dir / name
    if not path.exists() and not in_database(settings, name):
        raise fail(
            f"no {what} in {settings.data_dir} ({data_dir_origin(settings)}): {name} is "
            "missing. If the gateway keeps its state elsewhere, point GWANMUN_DATA_DIR at "
            f"that directory; {first}"
        )
    return path


def note_new(settings: Settings, name: str, what: str) -> None:
    """Say so when a command is about to create ``data_dir/name``."""
    path = settings.data_dir / name
    if not path.exists() and not in_database(settings, name):
        err.print(f"Creating a new {what} at {path}.", highlight=False)


KEY_STORE = ("keys.db", "key store", "create the first user with `gwanmun users create`.")


def open_accounts_or_exit(settings: Settings) -> AccountStore:
    """The account store (``keys.db``, or PostgreSQL with ``database_url``); a
    database that cannot be reached is a clear message, not a traceback."""
    from gwanmun.accounts import open_accounts

    try:
        return open_accounts(settings)
    except GwanmunError as exc:
        raise fail(exc.message) from None


def record_admin(
    settings: Settings,
    action: AdminAction,
    target: str,
    *,
    target_user: str | None = None,
    details: Mapping[str, str | int | float | bool | None] | None = None,
) -> None:
    """Append a local administrative action (actor ``local:<OS user>``) to the
    audit chain the server writes, and log it. No secret goes in."""
    from gwanmun.audit import admin_event
    from gwanmun.services import log_admin, open_audit_store

    event = admin_event(None, action, target, target_user=target_user, details=details)
    log_admin(event)
    note_new(settings, "audit.db", "audit chain")
    try:
        store = open_audit_store(settings)
    except GwanmunError as exc:
        raise fail(f"done, but not recorded in the audit chain: {exc.message}") from None
    try:
        store.append(event.as_dict())
    finally:
        store.close()


def answer_notes(meta: dict[str, Any]) -> list[str]:
    """What the terminal says after an answer: the AI label (the gateway's notice),
    which kinds were masked before the model saw the message, and what the output
    checks marked. Kinds by name (``web.i18n``'s English column), codes in brackets."""
    from gwanmun.web.i18n import KIND_NAMES

    def named(kinds: list[str]) -> str:
        return ", ".join(f"{KIND_NAMES[k][2]} [{k}]" if k in KIND_NAMES else k for k in kinds)

    if not meta:
        return []
    lines = [
        f"— {meta.get('notice') or 'AI-generated. Verify facts before use.'}"
        + (f" (model {meta['model']})" if meta.get("model") else "")
    ]
    if meta.get("masked_kinds"):
        lines.append(f"— Masked before the model saw it: {named(meta['masked_kinds'])}")
    marked = sorted({f["kind"] for f in meta.get("output_findings", [])})
    if marked:
        lines.append(f"— Marked by the output checks: {named(marked)}")
    return lines
