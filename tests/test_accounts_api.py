"""Accounts over HTTP on a real server: separation of duties, own history, web
login with lockout, admin changes that take effect at once, 429 with
Retry-After, /metrics without names or values, and JSON logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest

from devtools.fakes import FakeBackend
from gwanmun.accounts import AccountStore
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.policy import load_policy
from gwanmun.services import Services, build_services
from gwanmun.settings import Settings
from gwanmun.types import Role
from tests.servers import running_gateway

PASSWORD = "a long enough password"
MY_NUMBER = "6214 9832 0257"  # blocked by the default policy


@dataclass
class Site:
    base: str  # .../v1
    services: Services
    keys: dict[str, str]

    @property
    def accounts(self) -> AccountStore:
        return self.services.keys

    def client(self, who: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base, api_key=self.keys[who], max_retries=0)

    def get(self, who: str, path: str, **kw: object) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.keys[who]}"}
        return httpx.get(self.base + path, headers=headers, timeout=30, **kw)  # type: ignore[arg-type]

    def chat(self, who: str, text: str) -> str:
        with self.client(who) as client:
            reply = client.chat.completions.create(
                model="fake-model", messages=[{"role": "user", "content": text}]
            )
        return reply.choices[0].message.content or ""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("accounts"),
        embedded={"enabled": False},
        accounts={"max_failed_logins": 3},
        rate_limits={"user_requests_per_minute": 5},
    )
    services = build_services(
        settings,
        backends=[FakeBackend()],  # type: ignore[list-item]
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
    )
    keys = {}
    for name, group, role in [
        ("alice", "민원과", Role.USER),
        ("bob", "총무과", Role.USER),
        ("burst", None, Role.USER),
        ("adm", "정보화담당관", Role.ADMIN),
        ("aud", "감사관실", Role.AUDITOR),
    ]:
        services.keys.create_user(name, group=group, role=role, password=PASSWORD)
        keys[name], _ = services.keys.create(name)
    with running_gateway(settings, services) as base:
        yield Site(base, services, keys)
    services.keys.close()
    if services.audit_store is not None:
        services.audit_store.close()


def test_separation_of_duties(site: Site) -> None:
    assert "phone" in site.chat("alice", "call me on 010-1234-5678 about the phone")
    site.chat("bob", "hello from bob")
    # Auditors do not use models.
    with pytest.raises(openai.PermissionDeniedError, match="separation of duties"):
        site.chat("aud", "hello")
    assert site.get("aud", "/models").status_code == 403
    # Only auditors read the audit log; admins and users do not.
    assert site.get("alice", "/audit/records").status_code == 403
    denied = site.get("adm", "/audit/records")
    assert (
        denied.status_code == 403 and "administrators manage" in denied.json()["error"]["message"]
    )
    records = site.get("aud", "/audit/records", params={"user": "alice"}).json()["data"]
    assert [r["user"] for r in records] == ["alice"] and records[0]["outcome"] == "masked"
    assert records[0]["client"] == "127.0.0.1" and records[0]["group"] == "민원과"
    assert "010-1234-5678" not in json.dumps(records)
    stats = site.get("aud", "/audit/stats").json()
    assert stats["requests"] >= 2 and stats["by_group"]["민원과"] >= 1
    verified = site.get("aud", "/audit/verify").json()
    assert verified["ok"] is True and verified["checked"] >= 2
    # Only admins manage; an auditor cannot read the user list or the policy.
    assert site.get("alice", "/admin/users").status_code == 403
    assert site.get("aud", "/admin/policy").status_code == 403
    users = {u["name"]: u for u in site.get("adm", "/admin/users").json()["data"]}
    assert users["aud"]["role"] == "auditor" and "password_hash" not in users["aud"]
    assert site.get("adm", "/admin/backends").json()["data"][0]["models"] == ["fake-model"]
    # Users see their own history only.
    history = site.get("bob", "/history").json()["data"]
    assert history and {r["user"] for r in history} == {"bob"}


def test_web_login_lockout_and_admin_unlock(site: Site) -> None:
    root = site.base
    with httpx.Client(base_url=root, timeout=30) as browser:
        for _ in range(3):
            wrong = browser.post("/auth/login", json={"username": "bob", "password": "nope"})
            assert wrong.status_code == 401
            assert wrong.json()["error"]["message"].startswith("Wrong user name or password")
        locked = browser.post("/auth/login", json={"username": "bob", "password": PASSWORD})
        assert locked.status_code == 401 and locked.json() == wrong.json()
        unlock = httpx.patch(
            root + "/admin/users/bob",
            json={"unlock": True},
            headers={"authorization": f"Bearer {site.keys['adm']}"},
        )
        assert unlock.status_code == 200
        ok = browser.post("/auth/login", json={"username": "bob", "password": PASSWORD})
        assert ok.status_code == 200 and ok.json()["role"] == "user"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert browser.get("/auth/me").json()["user"] == "bob"
        # The session works for the API, with JSON; a cross-site-style form post does not.
        reply = browser.post(
            "/chat/completions",
            json={"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert reply.status_code == 200
        form = browser.post(
            "/guard/scan", content="text=hi", headers={"content-type": "text/plain"}
        )
        assert form.status_code == 403
        browser.post("/auth/logout", json={})
        assert browser.get("/auth/me").status_code == 401


def test_admin_changes_take_effect_at_once(site: Site) -> None:
    admin = {"authorization": f"Bearer {site.keys['adm']}"}
    created = httpx.post(
        site.base + "/admin/users",
        json={"name": "temp.kim", "group": "민원과", "password": PASSWORD},
        headers=admin,
    )
    assert created.status_code == 201
    key = httpx.post(site.base + "/admin/keys", json={"user": "temp.kim"}, headers=admin).json()
    site.keys["temp"] = key["key"]
    assert site.chat("temp", "hello") == "hello"
    # An admin may not make anyone an auditor (separation of duties); locally one can.
    promote = httpx.patch(
        site.base + "/admin/users/temp.kim", json={"role": "auditor"}, headers=admin
    )
    assert promote.status_code == 403
    site.accounts.update_user("temp.kim", role=Role.AUDITOR)
    with pytest.raises(openai.PermissionDeniedError):
        site.chat("temp", "hello")
    site.accounts.update_user("temp.kim", role=Role.USER)
    httpx.patch(site.base + "/admin/users/temp.kim", json={"disabled": True}, headers=admin)
    with pytest.raises(openai.AuthenticationError, match="disabled"):
        site.chat("temp", "hello")
    short = httpx.post(
        site.base + "/admin/users", json={"name": "x", "password": "short"}, headers=admin
    )
    assert short.status_code == 400 and "too short" in short.json()["error"]["message"]


def test_rate_limit_is_429_with_retry_after_and_audited(site: Site) -> None:
    for _ in range(5):
        site.chat("burst", "hello")
    with pytest.raises(openai.RateLimitError) as caught:
        site.chat("burst", "hello")
    assert int(caught.value.response.headers["retry-after"]) >= 1
    assert "5 per minute" in caught.value.message
    records = site.get("aud", "/audit/records", params={"user": "burst"}).json()["data"]
    assert [r["error_code"] for r in records][-1] == "rate_limited"
    assert site.chat("alice", "others are not affected") == "others are not affected"


def test_metrics_count_without_names_or_values(site: Site) -> None:
    site.chat("alice", "my number 010-9876-5432")
    with pytest.raises(openai.RateLimitError):  # whether or not an earlier test used it up
        for _ in range(6):  # the burst user may send 5 a minute
            site.chat("burst", "hello")
    with pytest.raises(openai.BadRequestError):
        site.chat("alice", f"マイナンバー {MY_NUMBER}")
    text = httpx.get(site.base.removesuffix("/v1") + "/metrics", timeout=30).text
    assert 'gwanmun_requests_total{grade="S",model="fake-model",outcome="masked"}' in text
    assert 'gwanmun_blocks_total{kind="JP_MY_NUMBER"}' in text
    assert 'gwanmun_findings_total{kind="PHONE"}' in text
    assert "gwanmun_request_duration_seconds_bucket" in text
    assert 'gwanmun_errors_total{backend="-",code="rate_limited"}' in text
    # Sample values are numbers (a timestamp may hold 9876 by chance): look in the
    # names, labels and help texts, and for the whole values anywhere.
    described = "\n".join(
        line if line.startswith("#") else line.rsplit(" ", 1)[0] for line in text.splitlines()
    )
    for secret in ("alice", "burst", "9876", "6214", "민원과"):
        assert secret not in described
    assert "010-9876-5432" not in text and MY_NUMBER not in text


def test_logs_are_json_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from gwanmun.logs import configure_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging(Settings(data_dir=tmp_path, log_format="json"))
        logging.getLogger("gwanmun.test").warning("request failed", extra={"code": "x"})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == "gwanmun.test"
    assert line["message"] == "request failed" and line["code"] == "x" and "time" in line


def test_usage_and_dry_run_are_for_their_roles(site: Site) -> None:
    assert site.get("alice", "/usage").status_code == 403
    csv_text = site.get("adm", "/usage.csv").text
    assert csv_text.splitlines()[0] == "group,requests,blocked,tokens,answers_rated,hours_saved"
    assert "민원과" in csv_text
    assert site.get("aud", "/usage").json()["groups"]["민원과"]["requests"] >= 1
    dry = httpx.post(
        site.base + "/admin/policy/dry-run",
        json={"text": "전화 010-1234-5678"},
        headers={"authorization": f"Bearer {site.keys['adm']}"},
    )
    assert dry.status_code == 200 and dry.json()["rules"]["PHONE"]["action"] == "mask"
    user_dry = httpx.post(
        site.base + "/admin/policy/dry-run",
        json={"text": "x"},
        headers={"authorization": f"Bearer {site.keys['alice']}"},
    )
    assert user_dry.status_code == 403
    bad = httpx.post(
        site.base + "/feedback",
        json={"request_id": "chatcmpl-x1", "minutes": 7},
        headers={"authorization": f"Bearer {site.keys['alice']}"},
    )
    assert bad.status_code == 400 and "minutes" in bad.json()["error"]["message"]


def test_an_admin_cannot_lock_themselves_out(site: Site) -> None:
    own = httpx.patch(
        site.base + "/admin/users/adm",
        json={"disabled": True},
        headers={"authorization": f"Bearer {site.keys['adm']}"},
    )
    assert own.status_code == 400 and "your own account" in own.json()["error"]["message"]
    assert site.get("adm", "/admin/users").status_code == 200


def _as(site: Site, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {site.keys[who]}"}


def test_an_admin_cannot_reach_auditor_credentials(site: Site) -> None:
    admin = _as(site, "adm")
    refusals = [
        httpx.post(site.base + "/admin/keys", json={"user": "aud"}, headers=admin),
        httpx.post(
            site.base + "/admin/users",
            json={"name": "fake.auditor", "role": "auditor", "password": PASSWORD},
            headers=admin,
        ),
        httpx.patch(
            site.base + "/admin/users/aud", json={"password": PASSWORD + "!"}, headers=admin
        ),
    ]
    for refused in refusals:
        assert refused.status_code == 403, refused.text
        assert "separation of duties" in refused.json()["error"]["message"]
    assert not any(k.user == "aud" and k.minted_by for k in site.accounts.list())
    # Another auditor can: create an auditor, give it a key, reset its password.
    auditor = _as(site, "aud")
    made = httpx.post(
        site.base + "/audit/auditors", json={"name": "aud2", "password": PASSWORD}, headers=auditor
    )
    assert made.status_code == 201 and made.json()["role"] == "auditor"
    key = httpx.post(site.base + "/audit/auditors/aud2/keys", json={}, headers=auditor)
    assert key.status_code == 201 and key.json()["minted_by"] == "aud"
    reset = httpx.patch(
        site.base + "/audit/auditors/aud2", json={"password": PASSWORD + "?"}, headers=auditor
    )
    assert reset.status_code == 200
    # An auditor manages auditors only.
    other = httpx.patch(
        site.base + "/audit/auditors/alice", json={"password": PASSWORD + "?"}, headers=auditor
    )
    assert other.status_code == 403


def test_admin_actions_are_in_the_chain_and_minted_keys_are_visible(site: Site) -> None:
    admin = _as(site, "adm")
    httpx.post(site.base + "/admin/users", json={"name": "chain.kim"}, headers=admin)
    minted = httpx.post(site.base + "/admin/keys", json={"user": "chain.kim"}, headers=admin)
    assert minted.json()["minted_by"] == "adm"
    httpx.patch(
        site.base + "/admin/users/chain.kim",
        json={"password": PASSWORD, "unlock": True, "group": "총무과"},
        headers=admin,
    )
    httpx.delete(site.base + f"/admin/keys/{minted.json()['key_id']}", headers=admin)
    site.keys["chain"] = minted.json()["key"]
    records = site.get("aud", "/audit/records", params={"limit": 1000}).json()["data"]
    mine = [r for r in records if r.get("kind") == "admin" and r["user"] == "chain.kim"]
    assert [r["action"] for r in mine] == [
        "user.create",
        "key.create",
        "user.password",
        "user.unlock",
        "user.update",
        "key.revoke",
    ]
    assert {(r["actor"], r["actor_role"], r["via"]) for r in mine} == {("adm", "admin", "api")}
    assert mine[1]["details"]["minted_by"] == "adm" and mine[1]["target"] == minted.json()["key_id"]
    text = json.dumps(records, ensure_ascii=False)
    assert PASSWORD not in text and minted.json()["key"] not in text
    denied = [r for r in records if r.get("action") == "denied"]
    assert all(r["actor"] == "adm" for r in denied)
    assert site.get("aud", "/audit/verify").json()["ok"] is True
    stats = site.get("aud", "/audit/stats").json()
    assert stats["admin_actions"] >= 6
    # The user sees the key minted in their name, and the actions, in their own views.
    site.accounts.update_user("chain.kim", disabled=False)
    key2 = httpx.post(site.base + "/admin/keys", json={"user": "chain.kim"}, headers=admin).json()
    site.keys["chain"] = key2["key"]
    keys = site.get("chain", "/me/keys").json()["data"]
    assert {k["minted_by"] for k in keys} == {"adm"}
    history = site.get("chain", "/history").json()["data"]
    assert "key.create" in {r.get("action") for r in history}


def test_login_takes_only_json_from_this_site(site: Site) -> None:
    body = json.dumps({"username": "alice", "password": PASSWORD})
    form = httpx.post(
        site.base + "/auth/login", content=body, headers={"content-type": "text/plain"}
    )
    assert form.status_code == 415 and "set-cookie" not in form.headers
    cross = httpx.post(
        site.base + "/auth/login",
        content=body,
        headers={"content-type": "application/json", "origin": "https://evil.example"},
    )
    assert cross.status_code == 403 and "set-cookie" not in cross.headers
    host = site.base.split("/")[2]
    same = httpx.post(
        site.base + "/auth/login",
        content=body,
        headers={"content-type": "application/json", "origin": f"http://{host}"},
    )
    assert same.status_code == 200 and "set-cookie" in same.headers
