"""The embedded default: a llama.cpp server (xllamacpp) inside this process.

It binds 127.0.0.1 on an ephemeral port, is health-checked before the gateway
reports ready, and is stopped with the gateway. Requests reach it through the
same OpenAI-compatible adapter as any upstream, so both paths are one code path.

Loopback is shared by every local user, so the server requires a secret made
at each start and held only in this process's memory: without it, anyone on
the machine could talk to the model directly, past the guard and the audit.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from gwanmun.backends.base import DeltaStream
from gwanmun.backends.openai_compat import OpenAICompatBackend
from gwanmun.completion import Completion
from gwanmun.errors import BackendUnavailable
from gwanmun.types import ChatRequest, Grade

EMBEDDED_BACKEND_NAME = "embedded"


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def available_cores() -> int:
    """CPUs this process may run on (its affinity mask, e.g. a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def model_threads(n_threads: int, cores: int | None = None) -> int:
    """Threads for llama.cpp: ``n_threads``, or with 0 all cores but one (at least one).

    llama.cpp's threads spin while they wait for each other, so a model on every
    core leaves the gateway's event loop (the guards, the audit) fighting for CPU,
    and the model itself slows down when anything else runs (on a busy 2-core
    machine SmolLM2 fell from ~45 to ~2.7 tokens/s on two threads).
    """
    if n_threads > 0:
        return n_threads
    return max(1, (available_cores() if cores is None else cores) - 1)


def server_params(
    model_path: Path,
    *,
    port: int,
    n_parallel: int,
    n_threads: int,
    n_ctx: int,
    api_key: str | None = None,
) -> Any:
    """xllamacpp's ``CommonParams`` for a server on 127.0.0.1:port (0 threads: see
    ``model_threads``)."""
    import xllamacpp  # heavy native module: loaded only when a model is served

    threads = model_threads(n_threads)
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = n_parallel
    params.n_ctx = n_ctx
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True
    params.verbosity = 1  # errors only; llama.cpp's info lines would flood the log
    params.endpoint_metrics = False
    if api_key is not None:
        params.api_keys = [api_key]
    return params


def start_llama_server(
    model_path: Path,
    *,
    port: int,
    n_parallel: int,
    n_threads: int,
    n_ctx: int,
    api_key: str | None = None,
) -> Any:
    """Start xllamacpp's llama.cpp HTTP server on 127.0.0.1:port; returns the handle.

    With ``api_key``, every call but ``/health`` needs
    ``Authorization: Bearer <api_key>`` (401 otherwise). The server lives as long
    as the returned object is referenced.
    """
    params = server_params(
        model_path,
        port=port,
        n_parallel=n_parallel,
        n_threads=n_threads,
        n_ctx=n_ctx,
        api_key=api_key,
    )
    return _serve(params)


def _serve(params: Any) -> Any:
    import xllamacpp

    return xllamacpp.Server(params)


def wait_healthy(port: int, *, timeout_s: float) -> None:
    """Poll llama.cpp's /health until the model is loaded."""
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{port}/health"
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = type(exc).__name__
        time.sleep(0.05)
    raise BackendUnavailable(
        f"the embedded model server did not become healthy within {timeout_s:.0f}s ({last})"
    )


class EmbeddedBackend:
    """Serves one GGUF model in-process under ``model_name``."""

    def __init__(
        self,
        *,
        model_name: str,
        model_path: Path,
        max_grade: Grade,
        n_parallel: int = 4,
        n_threads: int = 0,
        n_ctx: int = 8192,
        startup_timeout_s: float = 120.0,
    ) -> None:
        self.name = EMBEDDED_BACKEND_NAME
        self.max_grade = max_grade
        self.model_name = model_name
        self.model_path = model_path
        self._n_parallel = n_parallel
        self._n_threads = n_threads
        self._n_ctx = n_ctx
        self._startup_timeout_s = startup_timeout_s
        self._server: Any = None
        self._http: OpenAICompatBackend | None = None

    def models(self) -> list[str]:
        return [self.model_name]

    @property
    def threads(self) -> int:
        """The CPU threads the model runs on (``n_threads``, or all cores but one)."""
        return model_threads(self._n_threads)

    def server_params(self, port: int, api_key: str | None) -> Any:
        """The llama.cpp server parameters this backend starts with."""
        return server_params(
            self.model_path,
            port=port,
            n_parallel=self._n_parallel,
            n_threads=self._n_threads,
            n_ctx=self._n_ctx,
            api_key=api_key,
        )

    async def start(self) -> None:
        port = free_loopback_port()
        # New at every start and never written anywhere: only this process knows it.
        secret = secrets.token_urlsafe(32)
        self._server = await asyncio.to_thread(_serve, self.server_params(port, secret))
        await asyncio.to_thread(wait_healthy, port, timeout_s=self._startup_timeout_s)
        self._http = OpenAICompatBackend(
            name=self.name,
            base_url=f"http://127.0.0.1:{port}/v1",
            models=[self.model_name],
            max_grade=self.max_grade,
            api_key=secret,
            timeout_s=600.0,
            # One retry when the connection fails before any answer, as for every
            # backend: llama.cpp closes idle keep-alive connections, and a request
            # sent on one just as it closes fails without having reached the model.
            retries=1,
            upstream_model=self.model_name,
        )
        await self._http.start()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        # Dropping the last reference stops xllamacpp's server threads.
        self._server = None

    @property
    def http(self) -> OpenAICompatBackend:
        if self._http is None:
            raise BackendUnavailable("the embedded model is not started")
        return self._http

    async def ready(self) -> bool:
        return self._http is not None and await self._http.ready()

    async def complete(self, request: ChatRequest) -> Completion:
        return await self.http.complete(request)

    async def open_stream(self, request: ChatRequest) -> DeltaStream:
        return await self.http.open_stream(request)
