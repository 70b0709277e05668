"""``gwanmun bundle``: build an offline install bundle, and verify one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gwanmun.cli.common import HELP, err, fail, out, settings_or_exit
from gwanmun.errors import GwanmunError

bundle_app = typer.Typer(
    help="Offline install bundles: every wheel, signed, with an installer (docs/deployment.md).",
    no_args_is_help=True,
    **HELP,
)


@bundle_app.command()
def build(
    output: Annotated[Path, typer.Argument(help="A new directory to write the bundle to.")],
    source: Annotated[Path, typer.Option(help="The Gwanmun checkout to build from.")] = Path("."),
    python: Annotated[
        str | None,
        typer.Option(help="Target CPython version, e.g. 3.11 (default: this interpreter's)."),
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            help="Target pip platform tag, repeatable, e.g. manylinux_2_28_x86_64 "
            "(default: this machine's)."
        ),
    ] = None,
) -> None:
    """Build an offline bundle on a connected machine: wheels of Gwanmun and every
    dependency (pinned by constraints.txt), the packaged model, an installer, and
    SHA256SUMS signed with this gateway's signing key (`gwanmun signing-key`).

    Example:

        gwanmun bundle build /media/usb/bundle --source ~/gwanmun
    """
    from gwanmun.bundle import Target, build_bundle
    from gwanmun.cli.provenance import _own_key

    settings = settings_or_exit()
    key = _own_key(settings)
    target = (
        Target(python=python, platforms=tuple(platform or ()))
        if python
        else Target(platforms=tuple(platform or ()))
    )
    try:
        root = build_bundle(output, source.resolve(), key, target)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    out.print(f"bundle written: {root} ({size / 1e6:.0f} MB)", highlight=False)
    err.print("carry the public key separately: gwanmun signing-key > institution.pem")


@bundle_app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="The bundle directory.")],
    public_key: Annotated[
        Path,
        typer.Option(help="The institution's public key (PEM, from `gwanmun signing-key`)."),
    ],
) -> None:
    """Check a bundle: its signature, every file's SHA-256, and no file added.

    Example:

        gwanmun bundle verify /media/usb/bundle --public-key institution.pem
    """
    from gwanmun.bundle import verify_bundle
    from gwanmun.provenance import load_public_key

    try:
        key = load_public_key(public_key.read_bytes())
    except OSError as exc:
        raise fail(f"cannot read the public key: {exc.strerror}") from None
    except GwanmunError as exc:
        raise fail(exc.message) from None
    problems = verify_bundle(bundle, key)
    if problems:
        for problem in problems:
            err.print(f"REFUSED: {problem}", highlight=False)
        raise typer.Exit(1)
    out.print(f"bundle verified: {bundle}", highlight=False)
