"""What every ``gwanmun`` sub-command shares: the two consoles, how a command
fails, and settings loaded with a readable error. Imported by the sub-command
modules; it imports none of them (the CLI's import graph is a tree rooted in
``cli/main.py``)."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console

from gwanmun.settings import Settings, load_settings

# Messages go to stderr so stdout carries only what a command outputs (keys, JSON, CSV).
err = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error; ``raise fail(...)`` ends the command with ``code``."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise fail(f"invalid configuration at {where}: {first.get('msg')}") from None
