"""``gwanmun --help`` as a user reads it: piped (no terminal) at 80 columns, every
command and group, nothing cut off and no value placeholder on a flag."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import typer

from gwanmun.cli.main import app

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path (typer builds on its own copy of click: no isinstance)."""
    found = [path]
    if hasattr(group, "commands"):
        for name, command in group.commands.items():
            found += _commands(command, (*path, name))
    return found


def test_help_is_readable_piped_at_80_columns() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "TERMINAL_WIDTH")}
    problems: list[str] = []
    every = _commands(typer.main.get_command(app))
    assert len(every) > 20
    for path in every:
        shown = subprocess.run(
            [GWANMUN, *path, "--help"], env=env, capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 0, (path, shown.stderr)
        where = " ".join(("gwanmun", *path))
        for line in shown.stdout.splitlines():
            if _columns(line) > 80:
                problems.append(f"{where}: {_columns(line)} columns: {line!r}")
            cut = line.rstrip().endswith(("...", "…")) and not line.startswith("Usage:")
            if cut and "gwk_" not in line:
                problems.append(f"{where}: cut off: {line!r}")
        if "<bool>" in shown.stdout:
            problems.append(f"{where}: a flag shows <bool>")
    assert not problems, "\n".join(problems)


def test_flags_take_no_placeholder_and_choices_are_whole() -> None:
    shown = subprocess.run(
        [GWANMUN, "users", "create", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "--password / --no-password" in shown
    assert "--password-stdin / --no-password-stdin" in shown
    assert "<user|admin|auditor>" in shown
    listed = subprocess.run([GWANMUN, "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "model and backends." in listed  # a command's summary whole, not "…"
