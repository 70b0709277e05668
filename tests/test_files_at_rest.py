"""State at rest: after a real server created it under a permissive umask, every
database and key file is 0600 and every directory 0700; older, more open state
is tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from devtools.fakes import FakeBackend
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.policy import load_policy
from gwanmun.services import build_services
from gwanmun.settings import Settings
from gwanmun.types import Role
from tests.servers import running_gateway


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the common default, which made .db files 0644
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _serve_once(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, embedded={"enabled": False})
    services = build_services(
        settings,
        backends=[FakeBackend()],  # type: ignore[list-item]
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
    )
    key, _ = services.keys.create("kim", group="민원과", role=Role.USER)
    try:
        with (
            running_gateway(settings, services) as base,
            openai.OpenAI(base_url=base, api_key=key, max_retries=0) as client,
        ):
            client.chat.completions.create(
                model="fake-model", messages=[{"role": "user", "content": "hello"}]
            )
    finally:
        services.keys.close()


def test_state_created_by_the_server_is_private(tmp_path: Path, open_umask: None) -> None:
    data_dir = tmp_path / "srv" / "gwanmun"
    _serve_once(data_dir)
    assert _mode(tmp_path / "srv") == 0o700 and _mode(data_dir) == 0o700
    files = sorted(p for p in data_dir.rglob("*") if p.is_file())
    names = {p.name for p in files}
    assert {"keys.db", "audit.db", "workspace.db", "audit.key", "provenance.key"} <= names
    assert any(n.endswith("-wal") for n in names)  # SQLite's side files are checked too
    assert {p.name: oct(_mode(p)) for p in files} == {p.name: "0o600" for p in files}
    assert all(_mode(p) == 0o700 for p in data_dir.rglob("*") if p.is_dir())


def test_older_open_state_is_tightened(tmp_path: Path, open_umask: None) -> None:
    data_dir = tmp_path / "var"
    _serve_once(data_dir)
    data_dir.chmod(0o755)
    for path in data_dir.iterdir():
        path.chmod(0o644)
    _serve_once(data_dir)
    assert _mode(data_dir) == 0o700
    assert {p.name: _mode(p) for p in data_dir.iterdir()} == {
        p.name: 0o600 for p in data_dir.iterdir()
    }
