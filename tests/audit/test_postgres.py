"""The PostgreSQL audit store, against a real server on 127.0.0.1 (devtools/postgres.py):
same interface as SQLite, migrations once, tampering named, several processes
writing one chain without forks, clear refusals, and fail closed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest

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
