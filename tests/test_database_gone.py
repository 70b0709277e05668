"""The shared database lost under a running gateway: every request that needs
it is refused with 503 ``database_unavailable`` (fail closed, no host named),
never a 500 — whichever store finds out first (the rate count, the audit
append), over HTTP without a key (anonymous: the account lookup, which
refuses the same way, is not in the way)."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg
import pytest

from devtools.postgres import PostgresServer
from tests.servers import running_gateway
from tests.upstream import MODEL, ScriptedUpstream, scripted_settings


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_database_gone_mid_run_is_a_503_not_a_500(
    postgres: PostgresServer, scripted_upstream: ScriptedUpstream, tmp_path: Path, stream: bool
) -> None:
    name = f"t_gone_{'stream' if stream else 'json'}"
    url = postgres.create_database(name)
    settings = scripted_settings(
        scripted_upstream,
        tmp_path / "data",
        database_url=url,
        allow_anonymous=True,  # no account lookup: the rate count and audit find out
        rate_limits={"user_requests_per_minute": 100},
    )
    body = {"model": MODEL, "messages": [{"role": "user", "content": "안녕하세요"}]}
    with running_gateway(settings) as base:
        first = httpx.post(f"{base}/chat/completions", json=body, timeout=30)
        assert first.status_code == 200, first.text
        with psycopg.connect(postgres.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        reply = httpx.post(f"{base}/chat/completions", json={**body, "stream": stream}, timeout=30)
        assert reply.status_code == 503, reply.text
        assert reply.json()["error"]["code"] == "database_unavailable"
        assert "127.0.0.1" not in reply.text
