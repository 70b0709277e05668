"""A gateway process runs numpy's BLAS on one thread (``services.one_blas_thread``):
requests already run side by side, and an idle OpenBLAS thread spins on the
core the model or the next request needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# In a fresh interpreter: OpenBLAS ignores a limit set from another thread
# once the main thread has set one, so a pytest process that already started
# a gateway would prove nothing.
SCRIPT = """
import sys
from pathlib import Path

import httpx
from threadpoolctl import threadpool_info

from devtools.fakes import FakeBackend
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.policy import load_policy
from gwanmun.services import build_services
from gwanmun.settings import Settings
from tests.servers import running_gateway


def blas():
    return sorted({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})


settings = Settings(data_dir=Path(sys.argv[1]), embedded={"enabled": False})
services = build_services(
    settings,
    backends=[FakeBackend()],
    input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
)
before = blas()
with running_gateway(settings, services) as base:
    assert httpx.get(base.removesuffix("/v1") + "/readyz").status_code == 200
    print(before, blas())
"""


def test_a_started_gateway_leaves_numpy_one_blas_thread(tmp_path: Path) -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}  # as on a 2-core machine
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=Path(__file__).parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "[2] [1]"
