"""A gateway process for the crash test: ``python -m tests.crash_gateway DATA_DIR PORT [PG_URL]``.

The real app under uvicorn with the real audit store (SQLite in DATA_DIR, or
PostgreSQL), an in-process echo backend and the structured detectors, so
requests are fast and the process can be killed often.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from devtools.fakes import FakeBackend
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.policy import load_policy
from gwanmun.services import build_services
from gwanmun.settings import Settings
from gwanmun.web.app import UVICORN_OPTIONS, create_app


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    settings = Settings(
        data_dir=data_dir,
        port=port,
        embedded={"enabled": False},
        allow_anonymous=True,
        rate_limits={"user_requests_per_minute": 0},
        audit_database_url=sys.argv[3] if len(sys.argv) > 3 else None,
    )
    services = build_services(
        settings,
        backends=[FakeBackend()],  # type: ignore[list-item]
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
    )
    app = create_app(settings, services=services)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", **UVICORN_OPTIONS)


if __name__ == "__main__":
    main()
