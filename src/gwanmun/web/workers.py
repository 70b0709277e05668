"""Several gateway processes on one port: ``gwanmun serve --workers N``.

Uvicorn's supervisor starts N worker processes (spawned, not forked: each
loads its own guards and models) that accept on the one listening socket the
parent bound. Each worker is a whole gateway, so whatever they must agree on —
rate limits, daily quotas, accounts, sessions, the audit chain — lives where
replicas on other hosts share it: the PostgreSQL at ``database_url``. Hence the
two conditions ``check_workers`` holds: ``database_url`` set (limits counted in
one process's memory would let N workers admit N times the limit) and the
embedded model off (N copies of the model, each taking the cores the gateway
keeps; serve models as backends instead).

A worker that cannot start (a configuration error, the database unreachable)
exits with uvicorn's start-up failure status, so the supervisor stops instead
of restarting it forever.
"""

from __future__ import annotations

import logging
import os
import socket

from gwanmun.errors import ConfigError, GwanmunError
from gwanmun.settings import Settings, load_settings

log = logging.getLogger("gwanmun.web")

# uvicorn's exit status for a worker that failed before serving
# (uvicorn.server's STARTUP_FAILURE): its supervisor then stops the parent.
STARTUP_FAILURE = 3


def check_workers(settings: Settings) -> None:
    """Refuse ``workers`` > 1 where the workers would not share their state."""
    if settings.workers == 1:
        return
    if not settings.database_url:
        raise ConfigError(
            f"workers: {settings.workers} needs database_url: rate limits, quotas and the audit "
            "chain must be shared by the workers, which they are in PostgreSQL. Set "
            "database_url (docs/deployment.md), or run one worker."
        )
    if settings.embedded.enabled:
        raise ConfigError(
            f"workers: {settings.workers} would load the embedded model {settings.workers} "
            "times. Set embedded.enabled: false and serve the model from a backend server "
            "(docs/deployment.md), or run one worker."
        )


def worker_app() -> object:
    """The app one worker serves: settings read again from the environment and
    ``GWANMUN_CONFIG``, as the parent read them (uvicorn's app factory)."""
    from gwanmun.logs import configure_logging
    from gwanmun.web.app import create_app

    try:
        settings = load_settings()
        configure_logging(settings)
        return create_app(settings)
    except GwanmunError as exc:
        log.error("worker %d cannot start: %s", os.getpid(), exc.message)
        os._exit(STARTUP_FAILURE)  # uvicorn's supervisor stops on this status


def serve_workers(settings: Settings, listener: socket.socket, options: dict[str, object]) -> bool:
    """Run ``settings.workers`` workers on ``listener`` until a signal; False when a
    worker failed to start."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "gwanmun.web.workers:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=None,
        **options,  # type: ignore[arg-type]
    )
    supervisor = Multiprocess(config, sockets=[listener])
    supervisor.run()
    return not any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
