"""A sparse matrix from per-text feature rows, for the training scripts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt


def csr_rows(
    rows: Iterable[tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]], dim: int
) -> Any:  # scipy.sparse.csr_matrix
    """One row per ``(indices, values)`` pair, ``dim`` columns."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float32]] = []
    for index, value in rows:
        indices.append(index)
        values.append(value)
        indptr.append(indptr[-1] + len(index))
    return csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)),
        shape=(len(indptr) - 1, dim),
    )
