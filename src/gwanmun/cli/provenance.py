"""``gwanmun export``, ``gwanmun verify`` and ``gwanmun signing-key``: AI marks and provenance."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gwanmun.cli.common import err, fail, out, require_state, settings_or_exit
from gwanmun.errors import GwanmunError
from gwanmun.settings import Settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _read(source: str) -> str:
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {source}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(f"{source} is not UTF-8 text") from None


def export(
    response: Annotated[
        str, typer.Argument(help="A chat completion JSON as the API returned it, or - for stdin.")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write an answer with a visible AI-generated mark and its signed provenance record.

    Example:

        curl -s http://127.0.0.1:8080/v1/chat/completions \\
          -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \\
          -d @request.json > reply.json
        gwanmun export reply.json -o 회신초안.md
    """
    from gwanmun.provenance import export_text

    try:
        body: Any = json.loads(_read(response))
        text = body["choices"][0]["message"]["content"]
        record = body["gwanmun"]["provenance"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise fail(
            f"{response} is not a chat completion from Gwanmun with a provenance record "
            "(choices[0].message.content and gwanmun.provenance)"
        ) from None
    document = export_text(str(text), record)
    if output is None:
        sys.stdout.write(document)
        return
    output.write_text(document, encoding="utf-8")
    err.print(f"Wrote {output} (AI-generated mark and signed provenance record).")


def verify(
    file: Annotated[str, typer.Argument(help="A file written by `gwanmun export`, or -.")],
    public_key: Annotated[
        Path | None,
        typer.Option(
            help="The signing institution's public key (PEM, from `gwanmun signing-key`); "
            "default: this gateway's own key."
        ),
    ] = None,
) -> None:
    """Say whether a text came from the gateway unchanged, and what changed if not:
    its sentences, its signed record and its visible AI-generated mark.

    Exit status: 0 verified and unchanged, 1 changed or not verified.

    Example:

        gwanmun verify 회신초안.md --public-key seoul-gwanmun.pem
    """
    from gwanmun.provenance import load_public_key, verify_export

    try:
        document = _read(file)
        if public_key is not None:
            key = load_public_key(public_key.read_bytes())
        else:
            key = _own_key(settings_or_exit()).public_key()
    except OSError as exc:
        raise fail(f"cannot read the public key: {exc.strerror}") from None
    except GwanmunError as exc:
        raise fail(exc.message) from None
    try:
        verdict = verify_export(document, key)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    if verdict.ok:
        out.print(verdict.describe(), highlight=False)
        return
    err.print(verdict.describe(), highlight=False)
    raise typer.Exit(1)


def signing_key() -> None:
    """Print this gateway's public signing key (PEM) and its key id, for verifiers.

    Example:

        gwanmun signing-key > seoul-gwanmun.pem
    """
    from gwanmun.provenance import key_id, public_pem

    try:
        key = _own_key(settings_or_exit())
    except GwanmunError as exc:
        raise fail(exc.message) from None
    err.print(f"key id {key_id(key.public_key())}")
    sys.stdout.write(public_pem(key))


def _own_key(settings: Settings) -> Ed25519PrivateKey:
    """This gateway's signing key; never made here (a new key would sign nothing
    the gateway ever signed, and call every good export altered)."""
    from gwanmun.provenance import load_or_create_signing_key

    if settings.provenance_key_file is not None:
        path = settings.provenance_key_file
        if not path.exists():
            raise fail(f"no signing key at {path} (provenance_key_file).")
    else:
        path = require_state(
            settings,
            "provenance.key",
            what="signing key",
            first="the gateway creates it on its first start (`gwanmun serve`).",
        )
    return load_or_create_signing_key(path)
