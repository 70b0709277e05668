"""Cross-site checks for logins and session requests: the gateway's own origin by
default, the origins listed in ``allowed_origins`` besides; a table for the one
function that decides, and a real server for the login and a session POST."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pydantic
import pytest

from devtools.fakes import FakeBackend
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.origins import cross_site, normal_origin
from gwanmun.policy import load_policy
from gwanmun.services import build_services
from gwanmun.settings import Settings
from tests.servers import running_gateway

PASSWORD = "a long enough password"
CROSS = {"sec-fetch-site": "cross-site"}
LISTED = "https://gwanmun.example.go.kr"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Gwanmun.Example.go.kr", "https://gwanmun.example.go.kr"),
        ("https://gwanmun.example.go.kr:443/", "https://gwanmun.example.go.kr"),
        ("http://10.0.0.5:8080", "http://10.0.0.5:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("null", None),
        ("*", None),
        ("https://*.example.go.kr", "https://*.example.go.kr"),  # a name, never a pattern
        ("ftp://gwanmun.example.go.kr", None),
        ("https://gwanmun.example.go.kr/login", None),
        ("https://user@gwanmun.example.go.kr", None),
        ("https://gwanmun.example.go.kr?x=1", None),
        ("https://gwanmun.example.go.kr:99999", None),
        ("gwanmun.example.go.kr", None),
    ],
)
def test_origins_are_normalised_or_refused(value: str, expected: str | None) -> None:
    assert normal_origin(value) == expected


@pytest.mark.parametrize(
    ("headers", "allowed", "refused"),
    [
        ({}, (), False),  # no browser on another site: scripts, the CLI
        ({"host": "gw:8080", "origin": "http://gw:8080"}, (), False),
        ({"host": "gw", "origin": "http://gw:80"}, (), False),
        ({"host": "gw:443", "origin": "https://gw"}, (), False),
        ({"host": "gw:8080", "origin": "http://evil.example"}, (), True),
        ({"host": "gw:8080", "origin": "null"}, (), True),
        ({"host": "gw:8080", "origin": "http://gw:8081"}, (), True),
        ({"host": "gw:8080", "origin": "http://gw:8080"} | CROSS, (), True),
        ({"host": "gw:8080", "origin": "http://gw:8080", "sec-fetch-site": "none"}, (), False),
        ({"host": "10.0.0.5:8080", "origin": LISTED}, (LISTED,), False),
        ({"host": "10.0.0.5:8080", "origin": LISTED} | CROSS, (LISTED,), False),
        ({"host": "10.0.0.5:8080", "origin": "https://other.example.go.kr"}, (LISTED,), True),
    ],
)  # fmt: skip
def test_cross_site_decides_once(
    headers: dict[str, str], allowed: tuple[str, ...], refused: bool
) -> None:
    assert cross_site(headers, allowed) is refused


def test_a_wildcard_or_a_path_is_refused_in_the_settings(tmp_path: Path) -> None:
    for bad in ("*", "https://gw.example/login", "gw.example"):
        with pytest.raises(pydantic.ValidationError, match="is not an origin"):
            Settings(data_dir=tmp_path, allowed_origins=[bad])
    settings = Settings(data_dir=tmp_path, allowed_origins=["HTTPS://GW.example:443/"])
    assert settings.allowed_origins == ["https://gw.example"]


@pytest.fixture(scope="module", params=[[], [LISTED]], ids=["default", "listed"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[str]]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("origins"),
        embedded={"enabled": False},
        allowed_origins=request.param,
    )
    services = build_services(
        settings,
        backends=[FakeBackend()],  # type: ignore[list-item]
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
    )
    services.keys.create_user("alice", group="민원과", password=PASSWORD)
    try:
        with running_gateway(settings, services) as base:
            yield base, request.param
    finally:
        services.keys.close()
        if services.audit_store is not None:
            services.audit_store.close()


def _login(base: str, origin: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"} | ({"origin": origin} if origin else {})
    return httpx.post(
        base + "/auth/login",
        json={"username": "alice", "password": PASSWORD},
        headers=headers,
        timeout=30,
    )


def _chat(base: str, session: str, origin: str | None) -> httpx.Response:
    headers = {"cookie": f"gwanmun_session={session}"} | ({"origin": origin} if origin else {})
    return httpx.post(
        base + "/chat/completions",
        json={"model": "fake-model", "messages": [{"role": "user", "content": "hello"}]},
        headers=headers,
        timeout=30,
    )


def test_logins_and_session_requests_from_other_sites(site: tuple[str, list[str]]) -> None:
    base, listed = site
    own = "http://" + base.split("/")[2]
    evil = _login(base, "https://evil.example")
    assert evil.status_code == 403 and "set-cookie" not in evil.headers
    assert "allowed_origins" in evil.json()["error"]["message"]
    mine = _login(base, own)
    assert mine.status_code == 200
    session = mine.cookies["gwanmun_session"]
    assert _chat(base, session, own).status_code == 200
    assert _chat(base, session, None).status_code == 200
    refused = _chat(base, session, "https://evil.example")
    assert refused.status_code == 403 and "allowed_origins" in refused.json()["error"]["message"]
    # The listed origin: allowed only when listed.
    expected = 200 if listed else 403
    login = _login(base, LISTED)
    assert login.status_code == expected
    assert _chat(base, session, LISTED).status_code == expected
