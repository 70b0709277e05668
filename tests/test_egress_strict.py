"""Egress, second part: backend URLs parsed strictly, names pinned at start, and the
OS boundary (`gwanmun egress-rules`) checked by nft and systemd themselves."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp.web
import pytest

from gwanmun.backends.openai_compat import OpenAICompatBackend
from gwanmun.cli.egress import allowed_networks, nft_rules, systemd_dropin
from gwanmun.egress import (
    STATE,
    BackendTarget,
    EgressPolicy,
    PinnedResolver,
    check_backend_url,
    parse_backend_url,
)
from gwanmun.errors import ConfigError, EgressDenied
from gwanmun.services import build_services
from gwanmun.settings import BackendConfig, Settings
from gwanmun.types import Grade

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1%2508.8.8.8:18001/v1",  # the issue's: read as loopback before
        "http://127.0.0.1%08.8.8.8:18001/v1",
        "http://[::1%25eth0]:8000/v1",
        "http://[fe80::1%eth0]:8000/v1",
        "http://user:secret@127.0.0.1:8000/v1",
        "http://8.8.8.8@127.0.0.1/v1",
        "http://127.1/v1",
        "http://2130706433/v1",
        "http://0x7f.0.0.1/v1",
        "http://0177.0.0.1/v1",
        "http://127.000.000.001/v1",
        "http://127.0.0.1./v1",
        "http://127.0.0.1:99999/v1",
        "http://127.0.0.1:0/v1",
        "http://127.0.0.1:/v1",
        "http://127.0.0.1:80a/v1",
        "http://127.0.0.1/v1?x=1",
        "http://127.0.0.1/v1#x",
        "http://127.0.0.1\\@8.8.8.8/v1",
        "http://local host/v1",
        "http://ｌocalhost/v1",
        "http://-bad.lan/v1",
        "http://under_score.lan/v1",
        "ftp://127.0.0.1/",
        "http:///v1",
    ],
)
def test_non_canonical_backend_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="backend URL"):
        parse_backend_url(url)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://vllm.lan:8000/v1", "vllm.lan"),
        ("https://LLM.Internal.example/v1", "llm.internal.example"),
        ("http://10.20.1.5:8000/v1", "10.20.1.5"),
        ("http://[::1]:8000/v1", "::1"),
        ("http://[fd00:1::5]/v1", "fd00:1::5"),
        ("http://localhost:11434/v1", "localhost"),
    ],
)
def test_canonical_backend_urls_pass(url: str, host: str) -> None:
    assert parse_backend_url(url)[1] == host


async def test_the_issue_url_stops_the_gateway_at_start(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embedded={"enabled": False},
        backends=[
            BackendConfig(
                name="trick", base_url="http://127.0.0.1%2508.8.8.8:18001/v1", models=["m"]
            )
        ],
    )
    services = build_services(settings)
    try:
        with pytest.raises(ConfigError, match="percent-encoding"):
            await services.start()
    finally:
        await services.close()


@pytest.fixture
async def models_server() -> AsyncIterator[int]:
    app = aiohttp.web.Application()

    async def models(request: aiohttp.web.Request) -> aiohttp.web.Response:
        return aiohttp.web.json_response({"data": []})

    app.router.add_get("/v1/models", models)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield port
    finally:
        await runner.cleanup()


async def test_the_http_client_connects_to_the_pinned_address_only(models_server: int) -> None:
    pins = PinnedResolver()
    # "gw-backend.invalid" exists in no DNS: the client can only reach the server
    # through the pinned address; an unpinned name does not resolve at all.
    pins.pin(BackendTarget("gw-backend.invalid", ("127.0.0.1",)))
    for name, reachable in [("gw-backend.invalid", True), ("other.invalid", False)]:
        backend = OpenAICompatBackend(
            name="b",
            base_url=f"http://{name}:{models_server}/v1",
            models=["m"],
            max_grade=Grade.S,
            resolver=pins,
            connect_timeout_s=2,
        )
        await backend.start()
        try:
            assert await backend.ready() is reachable, name
        finally:
            await backend.close()


async def test_services_pin_what_they_checked(tmp_path: Path, models_server: int) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embedded={"enabled": False},
        egress_guard=False,
        backends=[
            BackendConfig(
                name="local", base_url=f"http://localhost:{models_server}/v1", models=["m"]
            )
        ],
    )
    services = build_services(settings)
    try:
        await services.start()
        (address, *_) = await services.pins.resolve("localhost", models_server, socket.AF_UNSPEC)
        assert address["host"] in ("127.0.0.1", "::1")
        assert await services.router.resolve("m").ready()  # through the pin
    finally:
        await services.close()
        STATE.policy = None


def test_check_returns_the_addresses_to_pin() -> None:
    def resolve(host: str, *_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.1.5", 0))]

    policy = EgressPolicy.from_strings(["10.20.0.0/16"])
    target = check_backend_url("http://vllm.lan:8000/v1", policy, resolve=resolve)
    assert target == BackendTarget("vllm.lan", ("10.20.1.5",))


def _settings(**kw: object) -> Settings:
    return Settings(
        embedded={"enabled": False},
        internal_networks=["10.20.0.0/16", "fd00:1::/32"],
        backends=[
            BackendConfig(name="vllm", base_url="http://10.20.1.7:8000/v1", models=["a"]),
            BackendConfig(name="far", base_url="http://10.30.0.9:8000/v1", models=["b"]),
        ],
        **kw,  # type: ignore[arg-type]
    )


def test_rules_allow_loopback_internal_networks_and_backends() -> None:
    with pytest.raises(EgressDenied, match=r"10\.30\.0\.9"):  # outside: refused as at start
        allowed_networks(_settings())
    settings = _settings().model_copy(
        update={"internal_networks": ["10.20.0.0/16", "10.30.0.0/24"]}
    )
    networks = [str(n) for n in allowed_networks(settings)]
    assert networks == ["10.20.0.0/16", "10.30.0.0/24", "127.0.0.0/8", "::1/128"]
    dropin = systemd_dropin(allowed_networks(settings))
    assert "IPAddressDeny=any\n" in dropin
    assert "IPAddressAllow=10.20.0.0/16\n" in dropin and "IPAddressAllow=::1/128\n" in dropin
    rules = nft_rules(allowed_networks(settings), "gwanmun")
    assert 'meta skuid != "gwanmun" accept' in rules
    assert "elements = { 10.20.0.0/16, 10.30.0.0/24, 127.0.0.0/8 }" in rules
    assert rules.rstrip().endswith("reject with icmpx admin-prohibited\n\t}\n}")


def _cli(tmp_path: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GWANMUN_DATA_DIR": str(tmp_path / "data"),
        "GWANMUN_INTERNAL_NETWORKS": '["10.20.0.0/16"]',
        "GWANMUN_BACKENDS": '[{"name": "v", "base_url": "http://10.20.1.7:8000/v1", '
        '"models": ["m"]}]',
    }
    result = subprocess.run(
        [GWANMUN, "egress-rules", *args], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_nft_rules_pass_nft_check(tmp_path: Path) -> None:
    # `nft -c` parses and validates against the kernel without committing; as
    # root here. The uid form needs no such user on the test machine.
    path = tmp_path / "gwanmun.nft"
    path.write_text(_cli(tmp_path, "--format", "nft", "--user", str(os.getuid())))
    # Installed by scripts/ensure-boundary-tools.sh (make test); root, as CI runs.
    nft = shutil.which("nft") or "/usr/sbin/nft"
    checked = subprocess.run([nft, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_dropin_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    dropin = _cli(tmp_path, "--format", "systemd")
    unit = tmp_path / "gwanmun.service"
    # A drop-in's [Service] lines merge into the unit's, as systemd does with the file.
    unit.write_text("[Unit]\nDescription=Gwanmun\n[Service]\nExecStart=/bin/true\n" + dropin)
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True
    )
    # verify exits 0 on ignored lines too; any message about the file is a failure.
    assert checked.returncode == 0 and str(unit) not in checked.stderr, checked.stderr
    assert "IPAddressAllow=10.20.1.7/32" not in dropin  # inside 10.20.0.0/16: collapsed
    assert "IPAddressAllow=10.20.0.0/16" in dropin


def test_rules_refuse_an_audit_database_outside_and_include_one_inside() -> None:
    outside = Settings(
        embedded={"enabled": False},
        internal_networks=["10.20.0.0/16"],
        audit_database_url="postgresql://gw@10.40.0.1:5432/audit",
    )
    with pytest.raises(EgressDenied, match="audit database"):
        allowed_networks(outside)
    inside = outside.model_copy(update={"internal_networks": ["10.20.0.0/16", "10.40.0.1/32"]})
    assert "10.40.0.1/32" in [str(n) for n in allowed_networks(inside)]


def test_rules_cover_the_knowledge_base_database_too() -> None:
    outside = Settings(
        embedded={"enabled": False},
        internal_networks=["10.20.0.0/16"],
        database_url="postgresql://gw@10.50.0.9:5432/gwanmun",
    )
    with pytest.raises(EgressDenied, match="shared-state database"):
        allowed_networks(outside)
    inside = outside.model_copy(update={"internal_networks": ["10.20.0.0/16", "10.50.0.0/24"]})
    assert "10.50.0.0/24" in [str(n) for n in allowed_networks(inside)]
