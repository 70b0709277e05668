"""Three replicas on one real PostgreSQL: three installed ``gwanmun serve``
processes, each with its own data directory and loopback port, share
``database_url``. Driven over HTTP with the official openai client (and plain
HTTP for the workspace's session cookie):

- a user disabled or a key revoked on replica 1 is refused by replicas 2 and
  3 within a second;
- a session made by a login on replica 1 works on 2 and 3; logout on 2 ends
  it everywhere;
- a rate of N per minute admits exactly N in all, wherever requests land;
- after concurrent load on all three, ``gwanmun audit verify`` passes on the
  one chain, and every answered request has its record in it.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest

from gwanmun.audit.store import load_or_create_key
from tests.servers import GWANMUN, installed_serve, serve_env, wait_ready
from tests.upstream import MODEL, ScriptedUpstream

PER_MINUTE = 5
PASSWORD = "correct horse battery staple"
ASK = [{"role": "user", "content": "민원 답변 초안을 부탁합니다."}]


@dataclass
class Replica:
    proc: subprocess.Popen[bytes]
    root: str
    env: dict[str, str]

    def client(self, key: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.root}/v1", api_key=key, max_retries=0)


def _env(tmp_path: Path, n: int, upstream: ScriptedUpstream, db_url: str) -> dict[str, str]:
    config = {
        "embedded": {"enabled": False},
        "database_url": db_url,
        # One HMAC key for the one chain: every replica must sign with it.
        "audit_key_file": str(tmp_path / "audit.key"),
        "rate_limits": {"user_requests_per_minute": PER_MINUTE},
        "backends": [
            {
                "name": "scripted",
                "base_url": upstream.base_url,
                "models": [MODEL],
                "max_grade": "S",
                "timeout_s": 30,
            }
        ],
    }
    return serve_env(config, tmp_path / f"gwanmun{n}.yaml", tmp_path / f"replica{n}")


def _gwanmun(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [GWANMUN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def replicas(tmp_path: Path, postgres_url: str) -> Iterator[list[Replica]]:
    upstream = ScriptedUpstream()
    load_or_create_key(tmp_path / "audit.key")
    started: list[Replica] = []
    with ExitStack() as stack:
        stack.callback(upstream.stop)
        for n in range(3):
            env = _env(tmp_path, n, upstream, postgres_url)
            proc, root = installed_serve(env)
            stack.callback(_stop, proc)
            started.append(Replica(proc, root, env))
        deadline = time.monotonic() + 240
        for replica in started:  # started together, so their start-ups overlap
            wait_ready(replica.proc, replica.root, deadline)
        yield started


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def _refused_within(check: Replica, key: str, seconds: float) -> float:
    """How long after now ``check`` first refuses ``key`` (401), at most ``seconds``."""
    start = time.monotonic()
    with check.client(key) as client:
        while True:
            try:
                client.models.list()
            except openai.AuthenticationError:
                return time.monotonic() - start
            elapsed = time.monotonic() - start
            assert elapsed < seconds, f"{check.root} still accepts the key after {elapsed:.2f} s"
            time.sleep(0.02)


def test_three_replicas_share_accounts_sessions_limits_and_one_chain(
    replicas: list[Replica],
) -> None:
    one, two, three = replicas
    env = one.env  # the CLI on the shared database: any replica's settings do
    admin_key = _gwanmun(["keys", "create", "--user", "adm", "--role", "admin"], env).strip()
    auditor_key = _gwanmun(["keys", "create", "--user", "aud", "--role", "auditor"], env).strip()
    admin = httpx.Client(
        base_url=one.root, headers={"authorization": f"Bearer {admin_key}"}, timeout=30
    )

    # A key minted through replica 1 works on every replica; revoked on 1, it
    # is refused by 2 and 3 within a second.
    minted = admin.post("/v1/admin/keys", json={"user": "kim"})
    assert minted.status_code == 201, minted.text
    kim_key = minted.json()["key"]
    for replica in replicas:
        with replica.client(kim_key) as client:
            assert MODEL in [m.id for m in client.models.list()]
    assert admin.delete(f"/v1/admin/keys/{minted.json()['key_id']}").status_code == 200
    for replica in (two, three):
        assert _refused_within(replica, kim_key, 1.0) < 1.0

    # A user disabled on replica 1: every key of theirs refused by 2 and 3.
    lee_key = admin.post("/v1/admin/keys", json={"user": "lee"}).json()["key"]
    with three.client(lee_key) as client:
        client.models.list()
    assert admin.patch("/v1/admin/users/lee", json={"disabled": True}).status_code == 200
    for replica in (two, three):
        assert _refused_within(replica, lee_key, 1.0) < 1.0
        with replica.client(lee_key) as client, pytest.raises(openai.AuthenticationError) as no:
            client.models.list()
        assert "disabled" in str(no.value)

    # A session from a login on replica 1 works on 2 and 3; logout on 2 ends it on all.
    _gwanmun(["users", "create", "park", "--group", "민원과", "--password-stdin"], env, PASSWORD)
    login = httpx.post(
        f"{one.root}/v1/auth/login", json={"username": "park", "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 200, login.text
    cookie = {"gwanmun_session": login.cookies["gwanmun_session"]}
    for replica in replicas:
        me = httpx.get(f"{replica.root}/v1/auth/me", cookies=cookie, timeout=30)
        assert me.status_code == 200 and me.json()["user"] == "park"
    out = httpx.post(f"{two.root}/v1/auth/logout", cookies=cookie, timeout=30)
    assert out.status_code == 200
    for replica in replicas:
        assert (
            httpx.get(f"{replica.root}/v1/auth/me", cookies=cookie, timeout=30).status_code == 401
        )

    # A file uploaded through replica 1 is there on replica 2; a template made
    # through 2 is listed by 3.
    jung_key = admin.post("/v1/admin/keys", json={"user": "jung"}).json()["key"]
    with one.client(jung_key) as first, two.client(jung_key) as second:
        uploaded = first.files.create(
            file=("지침.txt", "민원 처리 지침".encode()), purpose="assistants"
        )
        assert second.files.retrieve(uploaded.id).filename == "지침.txt"
    made = httpx.post(
        f"{two.root}/v1/templates",
        headers={"authorization": f"Bearer {jung_key}"},
        json={"title": "회신 서식", "category": "민원 답변", "body": "회신합니다."},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    listed = httpx.get(
        f"{three.root}/v1/templates", headers={"authorization": f"Bearer {jung_key}"}, timeout=30
    )
    assert made.json()["id"] in [t["id"] for t in listed.json()["data"]]

    # Login lockout is one count over the replicas: wrong passwords spread over
    # them lock the account (from that address) on all of them.
    for n in range(6):
        wrong = httpx.post(
            f"{replicas[n % 3].root}/v1/auth/login",
            json={"username": "park", "password": f"wrong password {n}"},
            timeout=30,
        )
        assert wrong.status_code == 401
    for replica in replicas:
        right = httpx.post(
            f"{replica.root}/v1/auth/login",
            json={"username": "park", "password": PASSWORD},
            timeout=30,
        )
        assert right.status_code == 401  # locked everywhere, with the one answer

    # PER_MINUTE for a user is PER_MINUTE in all, wherever the requests land.
    rate_key = _gwanmun(["keys", "create", "--user", "choi"], env).strip()
    answered = refused = 0
    began = time.monotonic()
    for i in range(3 * PER_MINUTE):
        with replicas[i % 3].client(rate_key) as client:
            try:
                client.chat.completions.create(model=MODEL, messages=ASK)
                answered += 1
            except openai.RateLimitError:
                refused += 1
    # The bucket refills one request per 60/PER_MINUTE s: on a machine slow
    # enough to take that long, what refilled meanwhile may be admitted too.
    refilled = int((time.monotonic() - began) * PER_MINUTE / 60)
    assert PER_MINUTE <= answered <= PER_MINUTE + refilled
    assert answered + refused == 3 * PER_MINUTE

    # Concurrent load on all three, then one chain that verifies with every
    # answered request in it.
    users = [f"load{n}" for n in range(6)]
    keys = {u: _gwanmun(["keys", "create", "--user", u], env).strip() for u in users}

    def ask(job: tuple[int, str]) -> str:
        n, user = job
        with replicas[n % 3].client(keys[user]) as client:
            return client.chat.completions.create(model=MODEL, messages=ASK).id

    jobs = [(n, users[n % len(users)]) for n in range(len(users) * (PER_MINUTE - 1))]
    with ThreadPoolExecutor(12) as pool:
        ids = list(pool.map(ask, jobs))
    assert len(set(ids)) == len(jobs)
    verify = subprocess.run(
        [GWANMUN, "audit", "verify"], env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
    exported = _gwanmun(["audit", "export"], env)
    records = [json.loads(line) for line in exported.splitlines()]
    recorded = {r.get("request_id") for r in records}
    assert set(ids) <= recorded
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    # Each replica's start is in the one chain, and so is the refused rate.
    starts = [r for r in records if r.get("action") == "gateway.start"]
    assert len(starts) >= 3
    requests = [r for r in records if r.get("kind") != "admin"]
    assert sum(1 for r in requests if r["user"] == "choi") == 3 * PER_MINUTE
    assert sum(1 for r in requests if r["user"] == "choi" and r["outcome"] == "allowed") == answered
    # Auditors read the same chain through any replica.
    verified = httpx.get(
        f"{three.root}/v1/audit/verify",
        headers={"authorization": f"Bearer {auditor_key}"},
        timeout=60,
    ).json()
    assert verified["ok"] is True
    admin.close()
