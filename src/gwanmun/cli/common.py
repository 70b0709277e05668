"""What every ``gwanmun`` sub-command shares: the two consoles, how a command
fails, and settings loaded with a readable error. Imported by the sub-command
modules; it imports none of them (the CLI's import graph is a tree rooted in
``cli/main.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from gwanmun.errors import GwanmunError
from gwanmun.settings import Settings, data_dir_origin, load_settings

if TYPE_CHECKING:
    from gwanmun.audit import AdminAction

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
    err.print(
        f"[dim]data directory: {settings.data_dir} ({data_dir_origin(settings)})[/]",
        highlight=False,
    )
    return settings


def require_state(settings: Settings, name: str, *, what: str, first: str) -> Path:
    """``data_dir/name``, or a clear refusal when it is missing — a reading
    command never creates state (a new key store or signing key) silently."""
    path = settings.data_dir / name
    if not path.exists():
        raise fail(
            f"no {what} in {settings.data_dir} ({data_dir_origin(settings)}): {name} is "
            "missing. If the gateway keeps its state elsewhere, point GWANMUN_DATA_DIR at "
            f"that directory; {first}"
        )
    return path


def note_new(settings: Settings, name: str, what: str) -> None:
    """Say so when a command is about to create ``data_dir/name``."""
    path = settings.data_dir / name
    if not path.exists():
        err.print(f"Creating a new {what} at {path}.", highlight=False)


KEY_STORE = ("keys.db", "key store", "create the first user with `gwanmun users create`.")


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
    if not settings.audit_database_url:
        note_new(settings, "audit.db", "audit chain")
    try:
        store = open_audit_store(settings)
    except GwanmunError as exc:
        raise fail(f"done, but not recorded in the audit chain: {exc.message}") from None
    try:
        store.append(event.as_dict())
    finally:
        store.close()
