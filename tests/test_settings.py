"""Settings: every field documented, env and YAML sources, clear refusals."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from gwanmun.errors import ConfigError
from gwanmun.settings import BackendConfig, Settings, load_settings
from gwanmun.types import Grade
from tests.servers import GWANMUN

DOCS = Path(__file__).parents[1] / "docs" / "configuration.md"


def _fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel) and sub is not BackendConfig:
            names += _fields(sub, f"{prefix}{name}.")
        else:
            names.append(prefix + name)
    return names


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [n for n in _fields(Settings) if f"`{n}`" not in text]
    missing += [n for n in BackendConfig.model_fields if f"| `{n}` |" not in text]
    assert missing == []
    for name in _fields(Settings):
        env = "GWANMUN_" + name.upper().replace(".", "__")
        assert f"`{env}`" in text, env


def test_every_setting_has_a_description() -> None:
    for model in (Settings, BackendConfig):
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name}"


def test_environment_and_yaml_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "gwanmun.yaml"
    config.write_text(
        "port: 9000\n"
        "internal_networks: ['10.20.0.0/16']\n"
        "backends:\n"
        "  - {name: vllm, base_url: 'http://10.20.1.7:8000/v1/', models: [exaone], max_grade: S}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GWANMUN_CONFIG", str(config))
    monkeypatch.setenv("GWANMUN_PORT", "9100")
    monkeypatch.setenv("GWANMUN_LIMITS__MAX_TOKENS", "2048")
    settings = Settings()
    assert settings.port == 9100  # the environment beats the file
    assert settings.limits.max_tokens == 2048
    assert settings.backends[0].base_url == "http://10.20.1.7:8000/v1"
    assert settings.backends[0].max_grade is Grade.S


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"allow_anonymous": True, "host": "0.0.0.0"}, "loopback"),
        ({"internal_networks": ["not-a-net"]}, "CIDR"),
        ({"limits": {"max_tokens": 10, "default_max_tokens": 20}}, "default_max_tokens"),
        ({"frobnicate": 1}, "frobnicate"),
        (
            {"backends": [{"name": "a", "base_url": "ftp://x/v1", "models": ["m"]}]},
            "http",
        ),
        (
            {
                "backends": [
                    {"name": "a", "base_url": "http://127.0.0.1:1/v1", "models": ["m"]},
                    {"name": "a", "base_url": "http://127.0.0.1:2/v1", "models": ["n"]},
                ]
            },
            "unique",
        ),
    ],
)
def test_invalid_settings_are_refused_clearly(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(**kwargs)  # type: ignore[arg-type]
    assert needle in str(info.value)


def test_a_config_path_that_names_no_file_is_refused_not_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Read as empty, a mistyped path would start a gateway on defaults: no
    # backends, the shipped policy.
    missing = tmp_path / "gwanmun.yml"
    monkeypatch.setenv("GWANMUN_CONFIG", str(missing))
    with pytest.raises(ConfigError, match="not a file"):
        load_settings()
    monkeypatch.setenv("GWANMUN_CONFIG", str(tmp_path))  # a directory
    with pytest.raises(ConfigError, match=str(tmp_path)):
        load_settings()


def test_the_cli_says_which_config_path_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "gwanmun.yml"
    env = {**os.environ, "GWANMUN_CONFIG": str(missing), "GWANMUN_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [GWANMUN, "keys", "list"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert f"GWANMUN_CONFIG names {missing}" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
