"""Real servers on 127.0.0.1 for tests: the gateway under uvicorn, and an
upstream llama.cpp server (xllamacpp) as a separate process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
import yaml

from devtools.keyfile import new_key_file
from devtools.ports import free_port
from gwanmun.services import Services
from gwanmun.settings import Settings
from gwanmun.web.app import UVICORN_OPTIONS, create_app


@contextmanager
def running_gateway(settings: Settings, services: Services | None = None) -> Iterator[str]:
    """Serve the real app with uvicorn on a free loopback port; yields the /v1 base URL."""
    port = free_port()
    app = create_app(settings, services=services)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **UVICORN_OPTIONS
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("gateway failed to start")
        if time.monotonic() > deadline:
            raise TimeoutError("gateway did not start within 180 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class UpstreamProcess:
    """``python -m gwanmun.backends.llamacpp_process`` with the packaged model and
    a key of its own; a gateway names it with ``api_key_env`` (set here)."""

    def __init__(self, *, parallel: int = 4, threads: int = 1) -> None:
        self.port = free_port()
        self.key_file, self.api_key = new_key_file()
        self.api_key_env = f"GWANMUN_TEST_UPSTREAM_KEY_{self.port}"
        os.environ[self.api_key_env] = self.api_key  # read by the gateway's settings
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gwanmun.backends.llamacpp_process",
                "--api-key-file",
                str(self.key_file),
                "--port",
                str(self.port),
                "--parallel",
                str(parallel),
                "--threads",
                str(threads),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            self.proc.kill()
            raise RuntimeError(f"upstream llama.cpp server failed to start: {line!r}")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        shutil.rmtree(self.key_file.parent, ignore_errors=True)
        os.environ.pop(self.api_key_env, None)


def model_file() -> Path:
    from gwanmun.modelfiles import packaged_default_model

    return packaged_default_model()


GWANMUN = str(Path(sys.executable).with_name("gwanmun"))


def serve_env(config: dict[str, Any], config_file: Path, data_dir: Path) -> dict[str, str]:
    """The environment for an installed ``gwanmun`` command that reads only
    ``config`` (written to ``config_file``) and keeps its state in ``data_dir``:
    this process's own ``GWANMUN_*`` variables are left out."""
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWANMUN_")}
    return {
        **env,
        "GWANMUN_CONFIG": str(config_file),
        "GWANMUN_DATA_DIR": str(data_dir),
        "NO_PROXY": "127.0.0.1",
    }


class Served(subprocess.Popen[bytes]):
    """A started ``gwanmun serve``; its standard error goes to the file
    ``log`` (not a pipe, which a chatty server could fill and block on) and is
    quoted when it fails to start."""

    log: Path

    def log_tail(self, limit: int = 4000) -> str:
        return self.log.read_text("utf-8", "replace")[-limit:]


def installed_serve(env: dict[str, str], *args: str) -> tuple[Served, str]:
    """The installed ``gwanmun serve`` on a free loopback port with ``env`` (and
    ``args``), started, not yet ready; returns the process and its root URL."""
    port = free_port()
    fd, log = tempfile.mkstemp(prefix="gwanmun-serve-", suffix=".log")
    try:
        proc = Served(
            [GWANMUN, "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=fd,
        )
    finally:
        os.close(fd)  # the child has its own copy
    proc.log = Path(log)
    return proc, f"http://127.0.0.1:{port}"


def wait_ready(proc: Served, root: str, deadline: float) -> None:
    """Until ``root``/readyz answers 200, the process has exited (an assertion
    error quoting its standard error), or ``time.monotonic()`` passes
    ``deadline``."""
    import httpx

    while True:
        assert proc.poll() is None, f"gwanmun serve exited during start-up:\n{proc.log_tail()}"
        try:
            if httpx.get(f"{root}/readyz", timeout=1).status_code == 200:
                proc.log.unlink(missing_ok=True)  # the open file lives on in the child
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, (
            f"gwanmun serve did not become ready:\n{proc.log_tail()}"
        )
        time.sleep(0.2)
