"""A fresh API key in a private file, for the llama.cpp server tests and benchmarks
start (``python -m gwanmun.backends.llamacpp_process --api-key-file``)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def new_key_file() -> tuple[Path, str]:
    """``(path, key)``: a random key in a 0600 file in a new 0700 directory (the
    caller removes it); a file, because a command line is readable by every local
    user."""
    directory = Path(tempfile.mkdtemp(prefix="gwanmun-key-"))  # 0700
    path = directory / "api.key"
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return path, key
