"""``gwanmun serve --workers N``: N gateway processes on one port, sharing what
replicas share (a real PostgreSQL), driven with the openai SDK.

Without ``database_url`` the workers would each count rate limits in their own
memory, and with the embedded model each would load it: both are refused with
a message that says what to set."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openai
import psycopg
import pytest

from devtools.ports import free_port
from tests.servers import GWANMUN, installed_serve, serve_env
from tests.upstream import MODEL, ScriptedUpstream
from tests.upstream import slow_upstream as scripted_slow

LIMIT = 6


def _env(tmp_path: Path, config: dict[str, Any]) -> dict[str, str]:
    return serve_env(config, tmp_path / "gwanmun.yaml", tmp_path / "data")


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"embedded": {"enabled": False}}, "database_url"),
        ({"database_url": "postgresql://gwanmun@127.0.0.1:9/x"}, "embedded.enabled: false"),
    ],
)
def test_workers_that_would_not_share_are_refused(
    tmp_path: Path, config: dict[str, Any], named: str
) -> None:
    result = subprocess.run(
        [GWANMUN, "serve", "--port", str(free_port()), "--workers", "2"],
        env=_env(tmp_path, config),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    said = " ".join(result.stderr.split())  # the console wraps long lines
    assert result.returncode != 0
    assert named in said and "Traceback" not in said


@pytest.fixture
def slow_upstream() -> Iterator[ScriptedUpstream]:
    with scripted_slow(40) as upstream:
        yield upstream


def _audit_bodies(url: str) -> list[dict[str, Any]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT body FROM audit ORDER BY seq").fetchall()
    return [json.loads(body) for (body,) in rows]


def _owners(url: str) -> set[int]:
    with psycopg.connect(url) as conn:
        return {int(o) for (o,) in conn.execute("SELECT owner FROM open_streams").fetchall()}


def test_two_workers_share_the_port_the_chain_and_the_limits(
    tmp_path: Path, postgres_url: str, slow_upstream: ScriptedUpstream
) -> None:
    env = _env(
        tmp_path,
        {
            "embedded": {"enabled": False},
            "database_url": postgres_url,
            "audit_database_url": postgres_url,
            "rate_limits": {"user_requests_per_minute": LIMIT},
            "backends": [
                {
                    "name": "slow",
                    "base_url": slow_upstream.base_url,
                    "models": [MODEL],
                    "max_grade": "S",
                    "timeout_s": 30,
                }
            ],
        },
    )
    key = subprocess.run(
        [GWANMUN, "keys", "create", "--user", "kim.minsu"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    proc, root = installed_serve(env, "--workers", "2")
    held = []
    try:
        # Ready means both workers wrote their start record to the one chain.
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, f"serve --workers 2 exited at start-up:\n{proc.log_tail()}"
            try:
                ready = httpx.get(f"{root}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                ready = False
            starts = [b for b in _audit_bodies(postgres_url) if b.get("action") == "gateway.start"]
            if ready and len(starts) == 2:
                break
            assert time.monotonic() < deadline, f"2 workers not ready ({len(starts)} started)"
            time.sleep(0.3)

        client = openai.OpenAI(base_url=f"{root}/v1", api_key=key, max_retries=0)

        def open_one() -> Any:
            stream = client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "안내문 초안"}], stream=True
            )
            next(iter(stream))
            return stream

        # The whole limit as streams held open on the slow upstream, opened at
        # once: each a new connection, accepted by whichever worker takes it.
        # (One after another, the worker that took the last is idle again first
        # and often takes the next too: one worker got six in a row once in five
        # runs.)
        with ThreadPoolExecutor(LIMIT) as pool:
            held = list(pool.map(lambda _: open_one(), range(LIMIT)))
        assert len(_owners(postgres_url)) == 2, "every stream went to one worker"
        for stream in held:
            for _ in stream:
                pass

        # The rest of the limit, then refusals: one count over both workers.
        statuses = []
        for _ in range(2 * LIMIT):
            reply = httpx.post(
                f"{root}/v1/chat/completions",
                headers={"authorization": f"Bearer {key}"},
                json={"model": MODEL, "messages": [{"role": "user", "content": "짧게"}]},
                timeout=60,
            )
            statuses.append(reply.status_code)
        assert statuses.count(200) == LIMIT - len(held)
        assert set(statuses) <= {200, 429}
    finally:
        for stream in held:
            stream.close()
        proc.terminate()
        proc.wait(timeout=60)

    chats = [b for b in _audit_bodies(postgres_url) if b.get("kind") != "admin"]
    assert len(chats) == 2 * LIMIT + len(held)  # every request, admitted or refused, once
    verify = subprocess.run(
        [GWANMUN, "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
