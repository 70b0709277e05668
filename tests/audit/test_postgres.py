"""The PostgreSQL audit store, against a real server on 127.0.0.1 (devtools/postgres.py):
same interface as SQLite, migrations once, tampering named, several processes
writing one chain without forks, clear refusals, and fail closed."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from devtools.postgres import PostgresServer
from gwanmun.audit.postgres import MIGRATIONS, PostgresAuditStore, check_database_url
from gwanmun.egress import EgressPolicy
from gwanmun.errors import ConfigError, EgressDenied, GuardBlocked
from gwanmun.services import open_audit_store
from gwanmun.settings import Settings
from tests.audit.test_store import chat, make_gateway
from tests.test_gateway import USER

KEY = bytes(range(32))


async def test_records_every_request_without_values_and_verifies(postgres_url: str) -> None:
    store = PostgresAuditStore(postgres_url, KEY)
    assert store.schema_version == len(MIGRATIONS)
    gateway = make_gateway(store)
    await gateway.handle(chat("hello"), USER)
    await gateway.handle(chat("전화 010-1234-5678 주세요"), USER)
    with pytest.raises(GuardBlocked):
        await gateway.handle(chat("マイナンバー 6214 9832 0257"), USER)
    records = list(store.records())
    assert [r.body["outcome"] for r in records] == ["allowed", "masked", "blocked"]
    dumped = json.dumps([r.body for r in records], ensure_ascii=False)
    # Whole values: a short run of digits can turn up inside a random request id.
    assert "010-1234-5678" not in dumped and "01012345678" not in dumped
    assert "6214 9832 0257" not in dumped and "621498320257" not in dumped
    assert [r.seq for r in store.records(user=USER.user)] == [1, 2, 3]
    assert list(store.records(user="somebody-else")) == []
    assert store.verify().ok and store.verify().checked == 3
    store.close()
    # Reopening applies no migration twice and continues the same chain.
    reopened = PostgresAuditStore(postgres_url, KEY)
    assert reopened.schema_version == len(MIGRATIONS)
    reopened.append({"after": "restart", "time": 1.0})
    assert reopened.verify().ok and reopened.verify().checked == 4
    reopened.close()


def test_tampering_is_named(postgres_url: str) -> None:
    store = PostgresAuditStore(postgres_url, KEY)
    for i in range(5):
        store.append({"request_id": f"r{i}", "user": "kim", "time": float(i)})
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("""UPDATE audit SET body = replace(body, '"kim"', '"lee"') WHERE seq = 3""")
    result = store.verify()
    assert not result.ok and result.bad_seq == 3 and "edited" in (result.reason or "")
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DELETE FROM audit WHERE seq = 3")
    assert store.verify().bad_seq == 4
    store.close()


def test_several_processes_write_one_chain_without_forks(postgres_url: str) -> None:
    """Four gateway-like processes, each with its own store and pool, append at once."""
    writer = textwrap.dedent(
        """
        import sys, threading
        from gwanmun.audit.postgres import PostgresAuditStore
        store = PostgresAuditStore(sys.argv[1], bytes(range(32)))
        def work(t):
            for i in range(25):
                store.append({"request_id": f"{sys.argv[2]}-{t}-{i}", "time": 0.0})
        threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        store.close()
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", writer, postgres_url, f"p{n}"]) for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    store = PostgresAuditStore(postgres_url, KEY)
    records = list(store.records())
    assert len(records) == 4 * 3 * 25
    assert [r.seq for r in records] == list(range(1, 301))
    assert len({r.body["request_id"] for r in records}) == 300
    assert store.verify().ok
    store.close()


def test_configuration_is_checked_before_connecting(tmp_path: Path) -> None:
    policy = EgressPolicy.from_strings(["10.20.0.0/16"])
    check_database_url("postgresql://gw@127.0.0.1:5432/audit", policy)
    check_database_url("postgresql://gw@10.20.3.4/audit", policy)
    check_database_url("postgresql:///audit?host=/var/run/postgresql", policy)
    with pytest.raises(ConfigError, match="PGPASSWORD") as caught:
        check_database_url("postgresql://gw:s3cret-pw@127.0.0.1/audit", policy)
    assert "s3cret-pw" not in str(caught.value)
    with pytest.raises(EgressDenied, match="audit database"):
        check_database_url("postgresql://gw@203.0.113.7/audit", policy)
    with pytest.raises(ValueError, match="postgresql://"):
        Settings(data_dir=tmp_path, audit_database_url="mysql://x@127.0.0.1/a")


def _resolver(answers: dict[str, list[str]]) -> Any:
    """A stand-in DNS (named so) that answers from ``answers`` and counts lookups."""
    asked: list[str] = []

    def resolve(host: str, *_: object) -> list[tuple[Any, ...]]:
        asked.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host]]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def test_the_database_host_is_parsed_strictly_and_pinned() -> None:
    policy = EgressPolicy.from_strings(["10.20.0.0/16"])
    dns = _resolver({"db.internal": ["10.20.0.9", "10.20.0.8"], "rebound.internal": ["8.8.8.8"]})
    pinned = conninfo_to_dict(
        check_database_url("postgresql://gw@db.internal:6543/audit", policy, resolve=dns)
    )
    # Every address the name had, in order, for libpq to try without resolving.
    assert pinned["host"] == "db.internal,db.internal"
    assert pinned["hostaddr"] == "10.20.0.8,10.20.0.9" and pinned["port"] == "6543,6543"
    assert dns.asked == ["db.internal"]
    with pytest.raises(EgressDenied, match=r"8\.8\.8\.8"):
        check_database_url("postgresql://gw@rebound.internal/audit", policy, resolve=dns)
    for tricky in (
        "host=127.0.0.1%2508.8.8.8 dbname=audit",  # the zone-id trick the backend parser refuses
        "host=127.1 dbname=audit",  # numeric shorthand: a name to some, 127.0.0.1 to others
        "host=0x7f.1 dbname=audit",
        "host=db_internal dbname=audit",
        "hostaddr=127.1 dbname=audit",
        "hostaddr=fe80::1%eth0 dbname=audit",
    ):
        with pytest.raises(ConfigError, match="audit_database_url"):
            check_database_url(tricky, policy, resolve=dns)
    with pytest.raises(EgressDenied):
        check_database_url("hostaddr=203.0.113.7 dbname=audit", policy, resolve=dns)
    socket_dir = "postgresql:///audit?host=/var/run/postgresql"
    assert check_database_url(socket_dir, policy, resolve=dns) == socket_dir
    assert dns.asked == ["db.internal", "rebound.internal"]


def test_the_store_connects_through_the_pinned_address(postgres_url: str, tmp_path: Path) -> None:
    # A name, resolved once when the store opens; libpq is handed the address.
    by_name = postgres_url.replace("@127.0.0.1:", "@localhost:")
    assert by_name != postgres_url
    pinned = check_database_url(by_name, EgressPolicy.from_strings([]))
    with psycopg.connect(pinned) as conn:
        assert conn.info.host == "localhost" and conn.info.hostaddr in ("127.0.0.1", "::1")
    store = open_audit_store(Settings(data_dir=tmp_path, audit_database_url=by_name))
    try:
        store.append({"request_id": "r1", "time": 1.0})
        assert store.verify().ok
    finally:
        store.close()


def test_an_unreachable_server_is_a_clear_start_up_error(tmp_path: Path) -> None:
    from devtools.ports import free_port

    settings = Settings(
        data_dir=tmp_path, audit_database_url=f"postgresql://gw@127.0.0.1:{free_port()}/x"
    )
    with pytest.raises(ConfigError, match="cannot open the PostgreSQL audit store"):
        open_audit_store(settings)


async def test_a_failed_write_fails_the_request(postgres_url: str, tmp_path: Path) -> None:
    store = open_audit_store(Settings(data_dir=tmp_path, audit_database_url=postgres_url))
    gateway = make_gateway(store)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE audit RENAME TO audit_moved")
    with pytest.raises(psycopg.errors.UndefinedTable):
        await gateway.handle(chat("hello"), USER)
    store.close()


def test_the_chain_follows_database_url_unless_audit_database_url_is_set(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    shared = postgres.create_database("t_chain_follows_shared")
    apart = postgres.create_database("t_chain_follows_apart")
    store = open_audit_store(Settings(data_dir=tmp_path, database_url=shared))
    store.append({"request_id": "r1", "time": 1.0})
    store.close()
    assert not (tmp_path / "audit.db").exists()
    with psycopg.connect(shared) as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone() == (1,)
    store = open_audit_store(
        Settings(data_dir=tmp_path, database_url=shared, audit_database_url=apart)
    )
    store.append({"request_id": "r2", "time": 2.0})
    store.close()
    with psycopg.connect(apart) as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone() == (1,)
