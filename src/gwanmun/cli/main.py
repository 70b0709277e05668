"""The ``gwanmun`` command: a thin shell over the library and the HTTP API.

This module only assembles the command: ``serve`` and ``chat`` live here, every
other group in its own module. Shared helpers are in ``cli/common.py``; nothing
imports this module (tests/test_layout.py holds that), so there is no cycle.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from typing import Annotated, Any

import typer

from gwanmun.cli.audit import audit_app
from gwanmun.cli.bundle import bundle_app
from gwanmun.cli.common import HELP, answer_notes, err, fail, keep_examples, out, settings_or_exit
from gwanmun.cli.corpus import corpus_app
from gwanmun.cli.db import db_app
from gwanmun.cli.egress import egress_rules
from gwanmun.cli.guard import policy_app, scan
from gwanmun.cli.kb import kb_app
from gwanmun.cli.keys import keys_app
from gwanmun.cli.models import models_app
from gwanmun.cli.provenance import export, signing_key, verify
from gwanmun.cli.users import users_app
from gwanmun.errors import AuthenticationError, GwanmunError

app = typer.Typer(
    name="gwanmun",
    help="Gwanmun (관문): a guarded, audited, air-gapped gateway to local language models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    **HELP,
)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8080, or GWANMUN_PORT).")] = None,
    allow_anonymous: Annotated[
        bool, typer.Option("--allow-anonymous", help="Dev mode: no API key needed (loopback only).")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Gateway processes on the one port (default 1, or GWANMUN_WORKERS); above 1 "
            "needs database_url and the embedded model off.",
        ),
    ] = None,
) -> None:
    """Run the gateway: OpenAI-compatible API in front of the embedded model and backends.

    Example:

        gwanmun serve --port 8080

        GWANMUN_CONFIG=/etc/gwanmun/gwanmun.yaml gwanmun serve --host 10.0.0.4

        gwanmun serve --workers 4      # with database_url set: docs/deployment.md
    """
    import uvicorn

    from gwanmun.web.app import UVICORN_OPTIONS, create_app
    from gwanmun.web.workers import check_workers, serve_workers

    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if allow_anonymous:
        overrides["allow_anonymous"] = True
    if workers is not None:
        overrides["workers"] = workers
    settings = settings_or_exit(**overrides)
    try:
        check_workers(settings)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    from gwanmun.logs import configure_logging

    configure_logging(settings)
    # The port is taken before anything slow (guards, model load: ~25 s), so a busy
    # one fails at once; uvicorn would bind only after the lifespan started.
    try:
        listener = listen(settings.host, settings.port)
    except OSError as exc:
        raise fail(
            f"cannot listen on {settings.host}:{settings.port} ({exc.strerror}). Choose another "
            "port with --port N or GWANMUN_PORT=N (or another address with --host / GWANMUN_HOST)."
        ) from None
    if settings.workers > 1:
        # Each worker reads its settings again: what the options changed goes by
        # the environment, which the spawned workers inherit.
        for name, value in overrides.items():
            os.environ[f"GWANMUN_{name.upper()}"] = str(value).lower()
        err.print(
            f"Gwanmun on http://{settings.host}:{settings.port}/v1 "
            f"({settings.workers} workers starting…)"
        )
        if not serve_workers(settings, listener, UVICORN_OPTIONS):
            raise typer.Exit(3)
        return
    try:
        application = create_app(settings)
    except GwanmunError as exc:
        listener.close()
        raise fail(exc.message) from None
    err.print(f"Gwanmun on http://{settings.host}:{settings.port}/v1 (loading the model…)")
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            log_config=None,  # our handler (gwanmun.logs), JSON by default
            **UVICORN_OPTIONS,
        )
    )
    # uvicorn re-raises Ctrl-C after its graceful shutdown; uvicorn.run swallows it too.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listener])
    if not server.started:  # the start-up failed and was logged; as uvicorn.run exits
        raise typer.Exit(3)


def listen(host: str, port: int) -> socket.socket:
    """The gateway's listening TCP socket, bound and listening (``OSError`` if not).

    Its ``proto`` is ``IPPROTO_TCP``, not the 0 ``socket.create_server`` leaves:
    asyncio sets ``TCP_NODELAY`` only on connections accepted from a socket whose
    ``proto`` says TCP. Without it, a response whose body follows its headers in a
    second write waited for the client's delayed ACK, about 40 ms a request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    bound = socket.create_server((host, port), family=family, backlog=2048)
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())


@app.command()
def chat(
    prompt: Annotated[str, typer.Argument(help="The message to send; '-' reads standard input.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model name (see `gwanmun models list`).")
    ] = "smollm2-135m-instruct",
    url: Annotated[
        str, typer.Option(envvar="GWANMUN_URL", help="Gateway base URL.")
    ] = "http://127.0.0.1:8080/v1",
    api_key: Annotated[
        str | None, typer.Option(envvar="GWANMUN_API_KEY", help="API key (gwk_…).")
    ] = None,
    system: Annotated[str | None, typer.Option(help="Optional system message.")] = None,
    max_tokens: Annotated[int, typer.Option(help="Most tokens to generate.")] = 256,
) -> None:
    """Send one message to a running gateway and stream the answer to the terminal.

    Example:

        export GWANMUN_API_KEY=gwk_…

        gwanmun chat "Summarise the meeting notes below in three bullet points: …"

        echo "Translate to Korean: good morning" | gwanmun chat -
    """
    from gwanmun.cli.client import stream_chat

    text = sys.stdin.read() if prompt == "-" else prompt
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": text})
    meta: dict[str, Any] = {}
    try:
        for piece in stream_chat(
            url, api_key, model=model, messages=messages, max_tokens=max_tokens, meta=meta
        ):
            out.print(piece, end="", highlight=False, markup=False, soft_wrap=True)
    except AuthenticationError as exc:
        out.print()
        hint = "" if api_key else f" {_KEY_HINT}"
        raise fail(exc.message + hint) from None
    except GwanmunError as exc:
        out.print()
        raise fail(exc.message) from None
    out.print()
    # On stderr, so standard output stays the answer alone (for pipes and files).
    for line in answer_notes(meta):
        err.print(line, highlight=False, markup=False)


_KEY_HINT = (
    "Give a key with GWANMUN_API_KEY=gwk_… in the environment or --api-key gwk_… "
    "(an administrator creates one with `gwanmun keys create --user NAME`)."
)


# Registered after serve and chat, in the order --help has always listed them.
app.add_typer(models_app, name="models")
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(corpus_app, name="corpus")
app.add_typer(kb_app, name="kb")
app.add_typer(bundle_app, name="bundle")
app.add_typer(db_app, name="db")
app.command()(scan)
app.command()(export)
app.command()(verify)
app.command("signing-key")(signing_key)
app.command("egress-rules")(egress_rules)
keep_examples(app)


if __name__ == "__main__":
    app()
