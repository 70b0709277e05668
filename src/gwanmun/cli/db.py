"""``gwanmun db``: the PostgreSQL schema (``upgrade``) and moving a SQLite
deployment into PostgreSQL (``move``); the work is in ``gwanmun.dbtools``."""

from __future__ import annotations

from typing import Annotated

import typer

from gwanmun.cli.common import HELP, err, fail, out, settings_or_exit
from gwanmun.errors import GwanmunError

db_app = typer.Typer(
    help="The shared PostgreSQL database (database_url): upgrade its schema, move "
    "a SQLite data directory into it.",
    no_args_is_help=True,
    **HELP,
)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every store's migrations; print each schema's version.

    Every store on database_url (and the audit chain, on audit_database_url
    when that is set). Safe to run again (nothing changes) and beside running
    replicas (each migration is applied once, under a lock).

    Example:

        GWANMUN_DATABASE_URL=postgresql://gwanmun@10.20.0.9:5432/gwanmun \\
          gwanmun db upgrade
    """
    from gwanmun.dbtools import upgrade

    settings = settings_or_exit()
    try:
        versions = upgrade(settings)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    for v in versions:
        change = "" if v.before in (-1, v.version) else f" (was {v.before})"
        out.print(f"{v.name}: schema version {v.version} of {v.latest}{change}", highlight=False)


@db_app.command("move")
def db_move(
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Delete what the target already holds first (never an audit chain).",
            show_default=False,
        ),
    ] = False,
) -> None:
    """Copy this data directory's SQLite state into PostgreSQL.

    Into database_url: accounts,
    keys, sessions, templates, ratings, feedback, uploaded files, knowledge
    bases and the audit chain (hashes intact: `gwanmun audit verify` passes
    after the move with the same audit.key). Stop the gateway first. A target
    that holds data is refused unless --replace; an audit chain that is not
    empty always is.

    Example:

        GWANMUN_DATA_DIR=/var/lib/gwanmun \\
        GWANMUN_DATABASE_URL=postgresql://gwanmun@10.20.0.9:5432/gwanmun \\
          gwanmun db move
    """
    from gwanmun.dbtools import move

    settings = settings_or_exit()

    def progress(line: str) -> None:
        err.print(line, highlight=False, markup=False, soft_wrap=True)

    try:
        moved = move(settings, replace=replace, progress=progress)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    out.print(
        f"Moved {sum(moved.rows.values())} rows from {settings.data_dir} into PostgreSQL:",
        highlight=False,
    )
    for table, count in moved.rows.items():
        out.print(f"  {table}: {count}", highlight=False)
