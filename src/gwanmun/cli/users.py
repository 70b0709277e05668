"""``gwanmun users``: accounts for people (web login) and their roles."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from gwanmun.accounts import AccountStore
from gwanmun.audit import AdminAction
from gwanmun.cli.common import (
    HELP,
    KEY_STORE,
    err,
    fail,
    note_new,
    open_accounts_or_exit,
    out,
    record_admin,
    require_state,
    settings_or_exit,
)
from gwanmun.errors import GwanmunError
from gwanmun.settings import Settings
from gwanmun.types import Role

users_app = typer.Typer(
    help="Create and manage users, their group (department) and role.", no_args_is_help=True, **HELP
)


def _open(*, create: bool = False) -> tuple[Settings, AccountStore]:
    settings = settings_or_exit()
    name, what, first = KEY_STORE
    if create:
        note_new(settings, name, what)
    else:
        require_state(settings, name, what=what, first=first)
    return settings, open_accounts_or_exit(settings)


def _store() -> AccountStore:
    return _open()[1]


def _password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise fail("--password-stdin: standard input had no password line")
        return text
    if not sys.stdin.isatty():
        raise fail("no terminal to ask for a password; pipe one with --password-stdin")
    # The length is checked before the confirmation, not after typing it twice.
    shortest = settings_or_exit().accounts.min_password_length
    while True:
        entered: str = typer.prompt(prompt, hide_input=True)
        if len(entered) < shortest:
            err.print(f"Too short: at least {shortest} characters. Try again.")
            continue
        if typer.prompt("Repeat for confirmation", hide_input=True) == entered:
            return entered
        err.print("The two entries do not match. Try again.")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="Login name, e.g. kim.minsu.")],
    group: Annotated[str | None, typer.Option(help="Group (department).")] = None,
    role: Annotated[Role, typer.Option(help="user, admin or auditor.")] = Role.USER,
    password: Annotated[
        bool,
        typer.Option(
            "--password/--no-password", help="Ask for a web-login password.", show_default=False
        ),
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option(
            help="Read the password from the first line of standard input.", show_default=False
        ),
    ] = False,
) -> None:
    """Create a user. Without a password the user can still be given API keys.

    Examples:

        gwanmun users create kim.minsu --group 민원과 --password
        printf '%s\\n' "$PW" |
          gwanmun users create audit.lee --role auditor --password-stdin
    """
    secret = _password(password_stdin, "Password") if (password or password_stdin) else None
    settings, store = _open(create=True)
    try:
        info = store.create_user(name, group=group, role=role, password=secret)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        store.close()
    record_admin(
        settings,
        AdminAction.USER_CREATE,
        info.name,
        target_user=info.name,
        details={"role": info.role.value, "group": info.group, "password": secret is not None},
    )
    err.print(
        f"Created {info.role.value} {info.name}" + (f" in {info.group}" if info.group else "")
    )


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users with their group, role and state (never password hashes).

    Example:

        gwanmun users list --json
    """
    store = _store()
    try:
        users = store.list_users()
    finally:
        store.close()
    if as_json:
        print(json.dumps([u.as_dict() for u in users], ensure_ascii=False, indent=2))
        return
    table = Table("user", "group", "role", "password", "state")
    for u in users:
        row = u.as_dict()
        state = "disabled" if u.disabled else "locked" if row["locked"] else "active"
        table.add_row(u.name, u.group or "", u.role.value, "set" if u.has_password else "-", state)
    out.print(table)


@users_app.command("update")
def users_update(
    name: Annotated[str, typer.Argument(help="Login name.")],
    group: Annotated[str | None, typer.Option(help="New group ('' clears it).")] = None,
    role: Annotated[Role | None, typer.Option(help="New role.")] = None,
    disable: Annotated[
        bool | None,
        typer.Option("--disable/--enable", help="Disable (keys and sessions stop) or enable."),
    ] = None,
    unlock: Annotated[bool, typer.Option(help="Clear a lock after failed logins.")] = False,
) -> None:
    """Change a user's group, role or state; takes effect on their next request.

    Examples:

        gwanmun users update kim.minsu --group 정보화담당관
        gwanmun users update kim.minsu --unlock
        gwanmun users update park.jiho --disable
    """
    settings, store = _open()
    try:
        if unlock:
            store.unlock(name)
        info = store.update_user(name, group=group, role=role, disabled=disable)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        store.close()
    if unlock:
        record_admin(settings, AdminAction.USER_UNLOCK, name, target_user=name)
    changes = {
        k: v.value if isinstance(v, Role) else v
        for k, v in (("group", group), ("role", role), ("disabled", disable))
        if v is not None
    }
    if changes:
        record_admin(settings, AdminAction.USER_UPDATE, name, target_user=name, details=changes)
    state = "disabled" if info.disabled else "active"
    err.print(f"{info.name}: {info.role.value}, group {info.group or '-'}, {state}")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from the first line of standard input.")
    ] = False,
) -> None:
    """Set a user's web-login password; ends their open sessions and clears a lock.

    Example:

        gwanmun users passwd kim.minsu
    """
    secret = _password(password_stdin, f"New password for {name}")
    settings, store = _open()
    try:
        store.set_password(name, secret)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        store.close()
    record_admin(settings, AdminAction.USER_PASSWORD, name, target_user=name)
    err.print(f"Password set for {name}.")
