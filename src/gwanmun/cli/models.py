"""``gwanmun models``: register, list, verify and remove local GGUF models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from gwanmun.audit import AdminAction
from gwanmun.cli.common import HELP, err, fail, out, record_admin, settings_or_exit
from gwanmun.errors import GwanmunError
from gwanmun.modelfiles import DEFAULT_MODEL_NAME, ModelEntry, ModelRegistry, packaged_default_model

models_app = typer.Typer(
    help="Register and inspect local GGUF models (carried in by hand; nothing is downloaded).",
    no_args_is_help=True,
    **HELP,
)


def _registry() -> ModelRegistry:
    return ModelRegistry(settings_or_exit().data_dir)


def _hashing(total: int, label: str) -> Progress:
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    progress.add_task(label, total=total)
    return progress


def _entry_json(entry: ModelEntry) -> dict[str, object]:
    return entry.as_dict()


@models_app.command("add")
def models_add(
    file: Annotated[Path, typer.Argument(help="Path to a .gguf file.")],
    sha256: Annotated[
        str | None,
        typer.Option(
            help="Expected SHA-256 (from the model's source); the file is refused if it differs."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name clients use as `model` (default: file name).")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace a model of the same name.")] = False,
) -> None:
    """Register a local GGUF model after checking its hash and metadata.

    Example:

        gwanmun models add /mnt/usb/EXAONE-3.5-2.4B-Instruct-Q4_K_M.gguf \\
            --name exaone-2.4b --sha256 4b1c…e9

    Then set `embedded.model: exaone-2.4b` in the configuration to serve it.
    """
    settings = settings_or_exit()
    registry = ModelRegistry(settings.data_dir)
    size = file.stat().st_size if file.is_file() else 0
    progress = _hashing(size, "Verifying SHA-256")
    task = progress.task_ids[0]
    try:
        with progress:
            entry = registry.add(
                file,
                name=name,
                sha256=sha256,
                replace=replace,
                progress=lambda n: progress.advance(task, n),
            )
    except GwanmunError as exc:
        raise fail(exc.message) from None
    record_admin(
        settings,
        AdminAction.BACKEND_ADD,
        entry.name,
        details={"sha256": entry.sha256, "replace": replace},
    )
    err.print(
        f"Registered [bold]{entry.name}[/]: {entry.architecture}, "
        f"{entry.parameters / 1e9:.2f}B parameters, context {entry.context_length or '?'}, "
        f"chat template {'present' if entry.chat_template else '[yellow]missing[/]'}",
        highlight=False,
    )
    if not entry.chat_template:
        err.print(
            "[yellow]warning:[/] no chat template in the file; chat requests will use "
            "llama.cpp's fallback format and may answer poorly."
        )
    print(entry.sha256)


@models_app.command("list")
def models_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the packaged default and every registered model.

    Example:

        gwanmun models list --json
    """
    try:
        entries = _registry().list()
    except GwanmunError as exc:
        raise fail(exc.message) from None
    try:
        default_path: str = str(packaged_default_model())
    except GwanmunError as exc:
        default_path = f"(unavailable: {exc.message})"
    if as_json:
        rows = [{"name": DEFAULT_MODEL_NAME, "path": default_path, "packaged": True}]
        rows += [{**_entry_json(e), "packaged": False} for e in entries]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return

    table = Table("name", "architecture", "parameters", "context", "chat template", "path")
    table.add_row(DEFAULT_MODEL_NAME, "llama", "0.13B", "8192", "yes", default_path + " (packaged)")
    for e in entries:
        table.add_row(
            e.name,
            e.architecture,
            f"{e.parameters / 1e9:.2f}B",
            str(e.context_length or "?"),
            "yes" if e.chat_template else "no",
            str(e.path),
        )
    out.print(table)


@models_app.command("verify")
def models_verify(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
) -> None:
    """Re-hash a registered model file and compare it with the recorded SHA-256.

    Example:

        gwanmun models verify exaone-2.4b
    """
    registry = _registry()
    try:
        entry = registry.get(name)
        progress = _hashing(entry.path.stat().st_size if entry.path.is_file() else 0, "Hashing")
        task = progress.task_ids[0]
        with progress:
            registry.verify(name, progress=lambda n: progress.advance(task, n))
    except GwanmunError as exc:
        raise fail(exc.message) from None

    err.print(f"{name}: SHA-256 matches ({entry.sha256}).")


@models_app.command("remove")
def models_remove(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
) -> None:
    """Forget a registered model (the file itself is left where it is).

    Example:

        gwanmun models remove exaone-2.4b
    """
    settings = settings_or_exit()
    try:
        entry = ModelRegistry(settings.data_dir).remove(name)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    record_admin(settings, AdminAction.BACKEND_REMOVE, entry.name)

    err.print(f"Removed {entry.name}; {entry.path} was not deleted.")
