"""One data directory for the server and every CLI command, whatever the
current directory: GWANMUN_DATA_DIR, else systemd's StateDirectory or
/var/lib/gwanmun for a service, else the user's data directory. Every command
says which; reading commands refuse to invent state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gwanmun.settings import SERVICE_DATA_DIR, Settings, data_dir_origin, default_data_dir

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HOME": "/home/kim"}, Path("/home/kim/.local/share/gwanmun")),
        ({"HOME": "/home/kim", "XDG_DATA_HOME": "/data/kim"}, Path("/data/kim/gwanmun")),
        (
            {"HOME": "/home/kim", "XDG_DATA_HOME": "relative"},
            Path("/home/kim/.local/share/gwanmun"),
        ),
        ({"INVOCATION_ID": "abc"}, SERVICE_DATA_DIR),
        ({"GWANMUN_SERVICE": "1"}, SERVICE_DATA_DIR),
        ({"INVOCATION_ID": "abc", "STATE_DIRECTORY": "/var/lib/gw2"}, Path("/var/lib/gw2")),
    ],
)
def test_the_default_data_directory(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: Path
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    if "HOME" in environ:
        monkeypatch.setenv("HOME", environ["HOME"])
    assert default_data_dir(environ) == expected


def test_the_setting_wins_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GWANMUN_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.data_dir == tmp_path and data_dir_origin(settings) == "GWANMUN_DATA_DIR"
    monkeypatch.delenv("GWANMUN_DATA_DIR")
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.delenv("GWANMUN_SERVICE", raising=False)
    assert Settings().data_dir != Path("var") and "user default" in data_dir_origin(Settings())


def test_commands_share_one_directory_from_anywhere(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        k: v for k, v in os.environ.items() if k not in ("GWANMUN_DATA_DIR", "INVOCATION_ID")
    } | {"HOME": str(home), "XDG_DATA_HOME": "", "COLUMNS": "200"}
    env.pop("STATE_DIRECTORY", None)
    here, there = tmp_path / "a", tmp_path / "b"
    here.mkdir()
    there.mkdir()

    def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [GWANMUN, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
        )

    data = home / ".local" / "share" / "gwanmun"
    # Reading commands refuse instead of creating a key store.
    listed = run(here, "keys", "list")
    assert listed.returncode == 1 and "no key store in" in listed.stderr
    assert f"data directory: {data}" in listed.stderr and not (data / "keys.db").exists()
    made = run(here, "keys", "create", "--user", "kim")
    assert made.returncode == 0 and "Creating a new key store" in made.stderr
    # From another directory, the same store.
    again = run(there, "keys", "list", "--json")
    assert again.returncode == 0 and '"user": "kim"' in again.stdout
    assert not (here / "var").exists() and not (there / "var").exists()
    verified = run(there, "audit", "verify")
    assert verified.returncode == 0 and "1 records verified" in verified.stderr
