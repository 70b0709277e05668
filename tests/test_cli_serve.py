"""The installed ``gwanmun`` command as a user runs it: serve, keys, chat."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.ports import free_port
from tests.servers import GWANMUN, installed_serve, wait_ready


def run(args: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GWANMUN, *args], env=env, capture_output=True, text=True, timeout=120, check=False, **kw
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    env = {
        **os.environ,
        "GWANMUN_DATA_DIR": str(tmp_path_factory.mktemp("cli")),
        "GWANMUN_EMBEDDED__N_THREADS": "1",
        "GWANMUN_EMBEDDED__N_CTX": "2048",
    }
    proc, root = installed_serve(env)
    try:
        wait_ready(proc, root, time.monotonic() + 120)
        yield f"{root}/v1", env
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_keys_and_chat_stream_through_the_cli(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    created = run(["keys", "create", "--user", "kim.minsu", "--group", "민원과"], env)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("gwk_")
    assert key not in created.stderr

    listed = run(["keys", "list", "--json"], env)
    assert '"user": "kim.minsu"' in listed.stdout
    assert key not in listed.stdout  # only ids and owners, never the key

    chat = run(
        ["chat", "Say hello.", "--url", url, "--max-tokens", "12"], {**env, "GWANMUN_API_KEY": key}
    )
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.strip()
    # The AI label on the terminal (stderr), so stdout stays the answer alone.
    assert "AI-generated" in chat.stderr and "AI-generated" not in chat.stdout

    masked = run(
        ["chat", "Greet the caller at 010-2222-3333 in one line.", "--url", url,
         "--max-tokens", "8"],
        {**env, "GWANMUN_API_KEY": key},
    )  # fmt: skip
    assert masked.returncode == 0, masked.stderr
    assert "Masked before the model saw it: phone number [PHONE]" in masked.stderr

    piped = run(
        ["chat", "-", "--url", url, "--max-tokens", "8"],
        {**env, "GWANMUN_API_KEY": key},
        input="Name a colour.",
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.strip()


def test_chat_without_key_says_how_to_fix(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    env = {k: v for k, v in env.items() if k != "GWANMUN_API_KEY"}
    chat = run(["chat", "hi", "--url", url], env)
    assert chat.returncode == 1
    assert "Missing API key" in chat.stderr
    assert "gwanmun keys create" in chat.stderr
    assert "GWANMUN_API_KEY" in chat.stderr and "--api-key" in chat.stderr


def test_chat_to_a_stopped_gateway_is_a_clear_error(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path)}
    chat = run(["chat", "hi", "--url", f"http://127.0.0.1:{free_port()}/v1"], env)
    assert chat.returncode == 1
    assert "gwanmun serve" in chat.stderr
    assert "Traceback" not in chat.stderr


def test_revoked_key_stops_working(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    key = run(["keys", "create", "--user", "temp"], env).stdout.strip()
    key_id = key.split("_")[1]
    assert run(["keys", "revoke", key_id], env).returncode == 0
    chat = run(["chat", "hi", "--url", url], {**env, "GWANMUN_API_KEY": key})
    assert chat.returncode == 1
    assert "revoked" in chat.stderr
    again = run(["keys", "revoke", key_id], env)
    assert again.returncode == 1 and "no active key" in again.stderr


def test_a_busy_port_fails_at_once_and_says_how_to_choose_another(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path)}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = run(["serve", "--port", str(port)], env)
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert "--port" in result.stderr and "GWANMUN_PORT" in result.stderr
    assert "loading the model" not in result.stderr  # failed before, not ~25 s later
    assert elapsed < 15, elapsed


def test_the_listener_sends_answers_without_waiting_for_an_ack() -> None:
    """Every connection accepted on ``serve``'s socket has TCP_NODELAY, as asyncio
    gives a socket it binds itself: without it each non-streamed answer (headers,
    then the body in a second write) waited ~40 ms for the client's delayed ACK."""
    from gwanmun.cli.main import listen

    async def accepted_nodelay() -> int:
        listener = listen("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accept, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            nodelay = await asyncio.wait_for(seen, 10)
            writer.close()
        return nodelay

    assert asyncio.run(accepted_nodelay()) != 0


def test_anonymous_mode_refused_off_loopback(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path)}
    result = run(["serve", "--host", "0.0.0.0", "--allow-anonymous"], env)
    assert result.returncode == 1
    assert "loopback" in result.stderr


def _commands() -> list[list[str]]:
    """Every leaf command of the CLI, found from the app itself (none can be forgotten)."""
    import typer.main

    from gwanmun.cli.main import app

    def walk(group: object, prefix: list[str]) -> list[list[str]]:
        found: list[list[str]] = []
        for name, command in getattr(group, "commands", {}).items():
            if getattr(command, "commands", None):
                found += walk(command, [*prefix, name])
            else:
                found.append([*prefix, name])
        return found

    return walk(typer.main.get_command(app), [])


def test_every_command_help_has_an_example(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path)}
    commands = _commands()
    assert ["users", "create"] in commands and ["audit", "verify"] in commands
    for command in commands:
        result = run([*command, "--help"], env)
        assert result.returncode == 0, (command, result.stderr)
        assert "Example" in result.stdout, command
        assert "gwanmun " + command[0] in result.stdout, command


def test_users_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    made = run(
        ["users", "create", "lee.auditor", "--role", "auditor", "--group", "감사관실",
         "--password-stdin"],
        env,
        input="a long enough password\n",
    )  # fmt: skip
    assert made.returncode == 0 and "Created auditor lee.auditor in 감사관실" in made.stderr
    short = run(["users", "create", "x", "--password-stdin"], env, input="short\n")
    assert short.returncode == 1 and "too short" in short.stderr
    no_tty = run(["users", "passwd", "lee.auditor"], env, input="")
    assert no_tty.returncode == 1 and "--password-stdin" in no_tty.stderr
    assert run(["users", "update", "lee.auditor", "--disable"], env).returncode == 0
    listed = json.loads(run(["users", "list", "--json"], env).stdout)
    assert listed[0]["name"] == "lee.auditor" and listed[0]["disabled"] is True
    assert "password_hash" not in listed[0]
    key = run(["keys", "create", "--user", "new.user", "--group", "민원과"], env)
    assert key.returncode == 0 and key.stdout.startswith("gwk_")
    clash = run(["keys", "create", "--user", "new.user", "--role", "admin"], env)
    assert clash.returncode == 1 and "users update" in clash.stderr
    missing = run(["users", "update", "nobody", "--unlock"], env)
    assert missing.returncode == 1 and "no user 'nobody'" in missing.stderr
    # Each local action is one record in the audit chain, actor local:<OS user>, no secret.
    from gwanmun.audit.chain import verify
    from gwanmun.audit.store import SQLiteAuditStore, load_or_create_key

    store = SQLiteAuditStore(tmp_path / "audit.db", load_or_create_key(tmp_path / "audit.key"))
    records = [r.body for r in store.records()]
    assert verify(store.records(), store._key).ok
    store.close()
    assert [
        (r["action"], r["target"] if r["action"] != "key.create" else r["user"]) for r in records
    ] == [
        ("user.create", "lee.auditor"),
        ("user.update", "lee.auditor"),
        ("key.create", "new.user"),
    ]
    assert all(r["via"] == "cli" and r["actor"].startswith("local:") for r in records)
    assert "a long enough password" not in json.dumps(
        records
    ) and key.stdout.strip() not in json.dumps(records)
    keys = json.loads(run(["keys", "list", "--json"], env).stdout)
    assert keys[0]["minted_by"].startswith("local:")
    verified = run(["audit", "verify"], env)
    assert verified.returncode == 0, verified.stderr


def test_a_short_password_is_refused_before_it_is_asked_again(tmp_path: Path) -> None:
    """At a terminal: a password under the minimum length is refused at once, not
    after typing it twice."""
    import fcntl
    import pty
    import select
    import termios

    env = {**os.environ, "GWANMUN_DATA_DIR": str(tmp_path), "TERM": "dumb"}
    leader, follower = pty.openpty()

    def own_terminal() -> None:  # the pty as the child's terminal, as in a shell
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [GWANMUN, "users", "create", "park.jiho", "--password"],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
        preexec_fn=own_terminal,
    )  # fmt: skip
    os.close(follower)
    seen = b""

    def answer(prompt: bytes, line: bytes | None) -> None:
        """Wait for ``prompt`` (click writes its trailing space once echo is off and
        pending input flushed), then type ``line``."""
        nonlocal seen
        deadline = time.monotonic() + 60
        while prompt not in seen:
            ready, _, _ = select.select([leader], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, seen
            seen += os.read(leader, 1024)
        seen = seen[seen.index(prompt) + len(prompt) :]
        if line is not None:
            os.write(leader, line + b"\n")

    try:
        answer(b"Password: ", b"short")
        answer(b"Too short: at least 12 characters", None)
        answer(b"Password: ", b"correct horse battery")
        assert b"Repeat" not in seen
        answer(b"Repeat for confirmation: ", b"correct horse battery")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
