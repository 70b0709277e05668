"""The embedded model's threads: all cores but one unless set, and the setting is
what the llama.cpp server is started with."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanmun.backends.embedded import EmbeddedBackend, available_cores, model_threads
from gwanmun.services import build_backends
from gwanmun.settings import Settings


@pytest.mark.parametrize(
    ("n_threads", "cores", "threads"),
    [(0, 1, 1), (0, 2, 1), (0, 8, 7), (0, 64, 63), (2, 2, 2), (3, 1, 3), (1, 16, 1)],
)
def test_threads_keep_a_core_for_the_gateway_unless_set(
    n_threads: int, cores: int, threads: int
) -> None:
    assert model_threads(n_threads, cores) == threads


def _embedded(tmp_path: Path, **embedded: int) -> EmbeddedBackend:
    settings = Settings(data_dir=tmp_path, embedded=embedded)
    backend = build_backends(settings)[0]
    assert isinstance(backend, EmbeddedBackend)
    return backend


@pytest.mark.parametrize("n_threads", [1, 3])
def test_the_setting_reaches_the_server_parameters(tmp_path: Path, n_threads: int) -> None:
    params = _embedded(tmp_path, n_threads=n_threads).server_params(port=8081, api_key="k")
    assert params.cpuparams.n_threads == n_threads
    assert params.cpuparams_batch.n_threads == n_threads  # prompt processing too


def test_the_default_is_all_cores_but_one(tmp_path: Path) -> None:
    backend = _embedded(tmp_path)
    params = backend.server_params(port=8081, api_key=None)
    expected = max(1, available_cores() - 1)
    assert backend.threads == expected
    assert params.cpuparams.n_threads == expected
    assert params.cpuparams_batch.n_threads == expected


def test_the_environment_sets_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GWANMUN_EMBEDDED__N_THREADS", "2")
    params = _embedded(tmp_path).server_params(port=8081, api_key=None)
    assert params.cpuparams.n_threads == 2
