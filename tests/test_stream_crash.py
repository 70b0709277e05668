"""Streams cut by a crash leave a trace: the installed ``gwanmun serve`` streams
slow answers from a scripted upstream on loopback to the openai SDK, is killed
with SIGKILL mid-stream, ``gwanmun audit verify`` names every interrupted
stream, and the next start appends an ``interrupted`` record for each to the
chain, which still verifies (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.servers import GWANMUN, installed_serve, serve_env, wait_ready
from tests.upstream import MODEL, ScriptedUpstream
from tests.upstream import slow_upstream as scripted_slow

PHONE = "010-2345-6789"
STREAMS = 2
USER = "kim.minsu"


@pytest.fixture
def slow_upstream() -> Iterator[ScriptedUpstream]:
    # ~20 s of answer: far longer than the test reads before the kill.
    with scripted_slow(100) as upstream:
        yield upstream


def _env(tmp_path: Path, upstream: ScriptedUpstream, pg_url: str | None) -> dict[str, str]:
    config = {
        "embedded": {"enabled": False},
        "rate_limits": {"user_requests_per_minute": 0},
        "backends": [
            {
                "name": "slow",
                "base_url": upstream.base_url,
                "models": [MODEL],
                "max_grade": "S",
                "timeout_s": 30,
            }
        ],
        **({"audit_database_url": pg_url} if pg_url else {}),
    }
    return serve_env(config, tmp_path / "gwanmun.yaml", tmp_path / "data")


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    proc, root = installed_serve(env)
    wait_ready(proc, root, time.monotonic() + 120)
    return proc, root


def _gwanmun(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GWANMUN, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _crash_mid_stream(env: dict[str, str]) -> list[str]:
    """Start the gateway, read a few chunks of STREAMS streams, SIGKILL it; the
    ids of the streams that had delivered text."""
    created = _gwanmun(["keys", "create", "--user", USER], env)
    auditor = _gwanmun(["keys", "create", "--user", "lee.auditor", "--role", "auditor"], env)
    assert created.returncode == 0 and auditor.returncode == 0, created.stderr + auditor.stderr
    proc, root = _serve(env)
    client = openai.OpenAI(base_url=f"{root}/v1", api_key=created.stdout.strip(), max_retries=0)
    ids: list[str] = []
    held = []
    try:
        for n in range(STREAMS):
            stream = client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": f"{n}번째 질문, 전화 {PHONE}"}],
                stream=True,
            )
            held.append(stream)
            text = ""
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    text += chunk.choices[0].delta.content
                if len(text) >= 12:
                    break
            assert text, "the stream delivered no text"
            ids.append(chunk.id)
        # Auditors see the streams in flight, held by a live gateway.
        verified = httpx.get(
            f"{root}/v1/audit/verify",
            headers={"authorization": f"Bearer {auditor.stdout.strip()}"},
            timeout=30,
        ).json()
        in_flight = {s["request_id"]: s for s in verified["open_streams"]}
        assert sorted(in_flight) == sorted(ids) and verified["ok"] is True
        assert all(s["live"] and s["user"] == USER for s in in_flight.values())
        proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: mid-stream
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for stream in held:
            stream.close()
    return ids


def _records(env: dict[str, str]) -> list[dict[str, object]]:
    export = _gwanmun(["audit", "export"], env)
    assert export.returncode == 0, export.stderr
    return [json.loads(line) for line in export.stdout.splitlines()]


def _check(env: dict[str, str]) -> None:
    ids = _crash_mid_stream(env)
    assert len(set(ids)) == STREAMS
    assert not any(r.get("request_id") in ids for r in _records(env)), "recorded before the kill"

    verify = _gwanmun(["audit", "verify"], env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    listing = verify.stdout
    assert f"{STREAMS} stream(s) without a closing record, {STREAMS} interrupted" in listing
    for request_id in ids:
        line = next(x for x in listing.splitlines() if request_id in x)
        assert f"user={USER}" in line and f"model={MODEL}" in line and "interrupted" in line
    assert PHONE not in listing and PHONE.replace("-", "") not in listing

    # The next start closes them in the chain; the chain still verifies.
    proc, _ = _serve(env)
    proc.terminate()
    proc.wait(timeout=30)
    records = _records(env)
    closed = [r for r in records if r.get("outcome") == "interrupted"]
    assert sorted(str(r["request_id"]) for r in closed) == sorted(ids)
    for record in closed:
        assert record["stream"] is True and record["error_code"] == "interrupted"
        assert record["user"] == USER and record["backend"] == "slow"
        assert [f["kind"] for f in record["findings"]] == ["PHONE"]  # type: ignore[attr-defined]
    dumped = json.dumps(records, ensure_ascii=False)
    assert PHONE not in dumped and PHONE.replace("-", "") not in dumped
    # Closed before the start was recorded: nothing of this process is counted as cut.
    starts = [i for i, r in enumerate(records) if r.get("action") == "gateway.start"]
    assert max(records.index(r) for r in closed) < starts[-1]

    verify = _gwanmun(["audit", "verify"], env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "without a closing record" not in verify.stdout
    assert "chain intact" in verify.stderr


def test_streams_cut_by_sigkill_are_listed_then_closed_sqlite(
    tmp_path: Path, slow_upstream: ScriptedUpstream
) -> None:
    _check(_env(tmp_path, slow_upstream, None))


def test_streams_cut_by_sigkill_are_listed_then_closed_postgres(
    tmp_path: Path, slow_upstream: ScriptedUpstream, postgres_url: str
) -> None:
    _check(_env(tmp_path, slow_upstream, postgres_url))
