"""``gwanmun keys``: API keys, printed once and stored only as hashes."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from gwanmun.audit import AdminAction, local_actor
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
from gwanmun.types import Role

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True, **HELP)


@keys_app.command("create")
def keys_create(
    user: Annotated[str, typer.Option(help="User the key belongs to.")],
    group: Annotated[str | None, typer.Option(help="Group (department).")] = None,
    role: Annotated[
        Role | None,
        typer.Option(help="Role for a new user: user (default), admin or auditor."),
    ] = None,
    expires_days: Annotated[
        float | None, typer.Option(help="Days until the key expires (default: never).")
    ] = None,
) -> None:
    """Create an API key. The key is printed once; only its hash is stored.

    A user that does not exist yet is created with --group and --role; for an
    existing user the key takes the user's group and role.

    Example:

        gwanmun keys create --user kim.minsu --group 민원과 --expires-days 90
    """
    settings = settings_or_exit()
    note_new(settings, KEY_STORE[0], KEY_STORE[1])
    store = open_accounts_or_exit(settings)
    try:
        key, info = store.create(
            user, group=group, role=role, expires_in_days=expires_days, minted_by=local_actor()
        )
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        store.close()
    record_admin(
        settings,
        AdminAction.KEY_CREATE,
        info.key_id,
        target_user=info.user,
        details={"minted_by": info.minted_by, "expires_at": info.expires_at},
    )
    err.print(f"Created key {info.key_id} for {info.user}. Store it now; it is not shown again:")
    print(key)


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List API keys (ids, owners, state; never the keys themselves).

    Example:

        gwanmun keys list --json
    """
    settings = settings_or_exit()
    require_state(settings, KEY_STORE[0], what=KEY_STORE[1], first=KEY_STORE[2])
    store = open_accounts_or_exit(settings)
    try:
        keys = store.list()
    finally:
        store.close()
    if as_json:
        print(json.dumps([k.as_dict() for k in keys], ensure_ascii=False, indent=2))
        return
    table = Table("key id", "user", "group", "role", "state")
    for k in keys:
        table.add_row(
            k.key_id, k.user, k.group or "", k.role.value, "active" if k.active else "revoked"
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id from `gwanmun keys list`.")],
) -> None:
    """Revoke an API key at once.

    Example:

        gwanmun keys revoke 3f9c2a71b0d4
    """
    settings = settings_or_exit()
    require_state(settings, KEY_STORE[0], what=KEY_STORE[1], first=KEY_STORE[2])
    store = open_accounts_or_exit(settings)
    try:
        owner = store.key_owner(key_id)
        store.revoke(key_id)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        store.close()
    record_admin(settings, AdminAction.KEY_REVOKE, key_id, target_user=owner)
    err.print(f"Revoked key {key_id}.")
