"""Crash safety: the gateway is killed with SIGKILL again and again under
concurrent load; afterwards every acknowledged request has its audit record
and the chain verifies (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from devtools.ports import free_port
from gwanmun.audit.store import AuditStore
from gwanmun.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KILLS = 5
CLIENTS = 4


def _start(data_dir: Path, port: int, pg_url: str | None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "tests.crash_gateway", str(data_dir), str(port)]
    proc = subprocess.Popen(
        [*args, *([pg_url] if pg_url else [])],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "the gateway exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the gateway did not become ready"
        time.sleep(0.1)


def _load(port: int, stop: threading.Event, acknowledged: list[str], n: int) -> None:
    """Send requests until stopped; keep the id of each one answered in full."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/v1", timeout=10) as client:
        i = 0
        while not stop.is_set():
            i += 1
            body = {
                "model": "fake-model",
                "messages": [{"role": "user", "content": f"client {n} message {i} 010-1234-5678"}],
            }
            try:
                reply = client.post("/chat/completions", json=body)
            except httpx.HTTPError:
                continue  # killed mid-request: not acknowledged
            if reply.status_code == 200:
                acknowledged.append(reply.json()["id"])


def _crash_loop(data_dir: Path, pg_url: str | None) -> list[str]:
    acknowledged: list[str] = []
    for _ in range(KILLS):
        port = free_port()
        proc = _start(data_dir, port, pg_url)
        stop = threading.Event()
        threads = [
            threading.Thread(target=_load, args=(port, stop, acknowledged, n))
            for n in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: mid-request
        proc.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    return acknowledged


def _check(store: AuditStore, acknowledged: list[str]) -> None:
    try:
        ids = [r.body["request_id"] for r in store.records()]
        result = store.verify()
    finally:
        store.close()
    assert result.ok, result.describe()
    assert len(acknowledged) > KILLS * 10, "the load did not get going"
    missing = set(acknowledged) - set(ids)
    assert not missing, f"{len(missing)} acknowledged requests have no audit record"
    assert len(ids) == len(set(ids))


def test_sigkill_under_load_sqlite(tmp_path: Path) -> None:
    from gwanmun.services import open_audit_store

    acknowledged = _crash_loop(tmp_path, None)
    _check(open_audit_store(Settings(data_dir=tmp_path)), acknowledged)


def test_sigkill_under_load_postgres(tmp_path: Path, postgres_url: str) -> None:
    from gwanmun.services import open_audit_store

    acknowledged = _crash_loop(tmp_path, postgres_url)
    _check(
        open_audit_store(Settings(data_dir=tmp_path, audit_database_url=postgres_url)),
        acknowledged,
    )


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
