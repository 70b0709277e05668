"""What the hash-chained audit costs: SQLite and PostgreSQL against no audit, in one run.

    python bench/speed/audit_overhead.py                    # about ten seconds
    python bench/speed/audit_overhead.py --requests 2000    # tighter percentiles
    python bench/speed/audit_overhead.py --pg-fsync         # PostgreSQL fsyncing every commit

Set-up: a throw-away PostgreSQL cluster on 127.0.0.1 (devtools/postgres.py: initdb
+ pg_ctl, trust authentication; as root it runs as the ``postgres`` user) and a
SQLite file (WAL, synchronous=NORMAL, as the store opens it) in a temporary
directory. Each store gets a fresh database and a random 32-byte HMAC key.

(1) Append throughput: ``store.append(body)`` on one thread, N times (after a
    short warm-up), then N appends split over 4 threads started together;
    records/s is N over the wall time. The body is a real ``AuditEvent.as_dict()``
    with one finding and a fresh request id, as the gateway writes it.
    PostgreSQL appends are serialised by an advisory lock (one chain, no forks);
    SQLite appends by the store's lock; 4 threads show what contention costs.
(2) Request overhead: ``await gateway.handle(request, principal)`` in-process,
    with the structured input guard, the restoring output guard and an echo
    backend (no model, no HTTP), so the audit write is the only difference
    between three gateways: a sink that does nothing (the baseline), the SQLite
    store and the PostgreSQL store. The request carries a phone number, so it
    is masked and audited with one finding. The three are interleaved per
    iteration (order rotated each time) so machine noise hits all equally;
    p50/p95 are over N requests each, after a warm-up. "added p50" is the
    sink's p50 minus the baseline's.
(3) Streamed requests: the same request with ``stream: true``, read to its
    end, through each store with the stream journal (a row written before the
    first piece, removed with the record: ``audit/journal.py``) and through the
    same store without it (a sink whose ``open_stream`` does nothing: the
    behaviour before the journal), interleaved and rotated as in (2). Reported:
    p50 time to the first piece and to the end of the stream, and the journal's
    added p50 to the first piece. The journal must be empty afterwards.
(4) Both chains are verified at the end and must hold exactly the records
    written; otherwise the script exits with status 1.

The PostgreSQL test cluster starts with fsync off (``-F``), so by default its
commits, like SQLite's at synchronous=NORMAL, reach the OS but are not forced
to disk. ``--pg-fsync`` restarts it with fsync on, as a production server
runs. PostgreSQL shares the machine's CPUs with the benchmark. Only 127.0.0.1
is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwanmun.audit import AuditEvent, AuditSink
from gwanmun.audit.journal import OpenStream
from gwanmun.audit.postgres import PostgresAuditStore
from gwanmun.audit.store import AuditStore, SQLiteAuditStore
from gwanmun.backends import Router
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.gateway import ChatStream, Gateway
from gwanmun.guard.input import DetectorInputGuard, blocked_error
from gwanmun.guard.output import RestoringOutputGuard
from gwanmun.policy import load_policy
from gwanmun.types import (
    Action,
    ChatMessage,
    ChatRequest,
    Finding,
    Grade,
    Outcome,
    Principal,
    Usage,
)

REPO = Path(__file__).resolve().parents[2]
# devtools.fakes (the in-process echo backend) and devtools.postgres (the
# throw-away cluster the tests use too) come from the repository.
sys.path.insert(0, str(REPO))

from devtools.fakes import FakeBackend  # noqa: E402

if TYPE_CHECKING:
    from devtools.postgres import PostgresServer

PROMPT = "전화 010-1234-5678 주세요"  # one phone number: masked, one finding
PRINCIPAL = Principal(user="bench", group="g")
SINKS = ("null", "sqlite", "postgresql")
THREADS = 4


class NullSink:
    """The no-audit baseline: an ``AuditSink`` whose record does nothing."""

    async def record(self, event: AuditEvent) -> None:
        return None

    async def open_stream(self, entry: OpenStream) -> None:
        return None


class WithoutJournal:
    """A store's sink without the stream journal: a stream is recorded at its end
    only, as before the journal."""

    def __init__(self, store: AuditStore) -> None:
        self._store = store

    async def record(self, event: AuditEvent) -> None:
        await self._store.record(event)

    async def open_stream(self, entry: OpenStream) -> None:
        return None


def make_gateway(sink: AuditSink) -> Gateway:
    return Gateway(
        router=Router([FakeBackend(name="echo", model="echo-model")]),
        input_guard=DetectorInputGuard(builtin_detectors(structured_only=True), load_policy()),
        output_guard=RestoringOutputGuard(),
        audit=sink,
        blocked_error=blocked_error,
    )


def audit_body() -> dict[str, Any]:
    """What the gateway writes for the masked request: one finding, no text."""
    return AuditEvent(
        request_id=f"chatcmpl-gw{uuid.uuid4().hex}",
        time=time.time(),
        principal=PRINCIPAL,
        model="echo-model",
        backend="echo",
        grade=Grade.S,
        action=Action.MASK,
        outcome=Outcome.MASKED,
        findings=(Finding("PHONE", 3, 16, 0.97, "phone", message_index=0),),
        usage=Usage(prompt_tokens=12, completion_tokens=12),
        latency_ms=1.234,
    ).as_dict()


def appends_per_second(append: Callable[[dict[str, Any]], object], n: int, threads: int) -> float:
    """``n`` appends split over ``threads`` threads started together; records/s overall."""
    counts = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    bodies = [[audit_body() for _ in range(count)] for count in counts]
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(mine: list[dict[str, Any]]) -> None:
        barrier.wait()
        try:
            for body in mine:
                append(body)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(b,)) for b in bodies]
    for worker in workers:
        worker.start()
    gc.collect()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} append thread(s) failed: {errors[0]!r}")
    return n / elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def request_latencies(
    gateways: dict[str, Gateway], n: int, warmup: int
) -> dict[str, list[float]]:
    """Seconds per ``handle`` call, the gateways interleaved and their order rotated."""
    request = ChatRequest(model="echo-model", messages=(ChatMessage("user", PROMPT),), max_tokens=8)
    names = list(gateways)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(warmup + n):
        if i == warmup:
            gc.collect()
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            await gateways[name].handle(request, PRINCIPAL)
            elapsed = time.perf_counter() - start
            if i >= warmup:
                samples[name].append(elapsed)
    return samples


async def stream_latencies(
    gateways: dict[str, Gateway], n: int, warmup: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Seconds to the first piece and to the end of each stream, per gateway,
    interleaved and rotated."""
    request = ChatRequest(
        model="echo-model", messages=(ChatMessage("user", PROMPT),), max_tokens=8, stream=True
    )
    names = list(gateways)
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in names}
    for i in range(warmup + n):
        if i == warmup:
            gc.collect()
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            stream = await gateways[name].handle(request, PRINCIPAL)
            assert isinstance(stream, ChatStream)
            first = None
            async with stream:
                async for _ in stream:
                    first = first or time.perf_counter() - start
            elapsed = time.perf_counter() - start
            if i >= warmup and first is not None:
                samples[name][0].append(first)
                samples[name][1].append(elapsed)
    return samples


def restart_with_fsync(server: PostgresServer) -> None:
    """Restart the test cluster without ``-F``: fsync is a start-up option there,
    which ALTER SYSTEM cannot override."""
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    options = f"-h 127.0.0.1 -p {server.port} -k {server.root} -c max_connections=100"
    command = [
        *runner, str(server.bindir / "pg_ctl"), "-D", str(server.datadir), "-o", options,
        "-l", str(server.root / "log"), "-w", "-t", "60", "-m", "fast", "restart",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pg_ctl restart failed: {result.stderr.strip()}")


def pg_settings(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        values = [
            f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit")
        ]
    return ", ".join(values)


def fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def run(args: argparse.Namespace, pg_url: str, tmp: Path) -> int:
    stores: dict[str, AuditStore] = {}
    try:
        stores["sqlite"] = SQLiteAuditStore(tmp / "audit.db", secrets.token_bytes(32))
        stores["postgresql"] = PostgresAuditStore(pg_url, secrets.token_bytes(32))
        written = dict.fromkeys(stores, 0)

        one_thread: dict[str, float] = {}
        four_threads: dict[str, float] = {}
        for name, store in stores.items():
            for _ in range(args.warmup):
                store.append(audit_body())
            one_thread[name] = appends_per_second(store.append, args.appends, 1)
            four_threads[name] = appends_per_second(store.append, args.appends, THREADS)
            written[name] += args.warmup + 2 * args.appends
            print(
                f"  {name}: {one_thread[name]:.0f} appends/s on 1 thread, "
                f"{four_threads[name]:.0f} on {THREADS}",
                flush=True,
            )

        sinks: dict[str, AuditSink] = {"null": NullSink(), **stores}
        gateways = {name: make_gateway(sink) for name, sink in sinks.items()}
        samples = asyncio.run(request_latencies(gateways, args.requests, args.warmup))
        for name in stores:
            written[name] += args.warmup + args.requests

        ms = 1000.0
        p50 = {name: pct(s, 0.5) * ms for name, s in samples.items()}
        p95 = {name: pct(s, 0.95) * ms for name, s in samples.items()}
        print(
            f"\n{args.requests} requests per sink (interleaved, after {args.warmup} warm-up); "
            f"{args.appends} appends per column"
        )
        header = (
            f"{'sink':<11} {'p50 ms':>8} {'p95 ms':>8} {'added p50 ms':>13}"
            f" {'appends/s (1 thread)':>21} {f'appends/s ({THREADS} threads)':>22}"
        )
        print(header)
        print("-" * len(header))
        for name in SINKS:
            added = None if name == "null" else p50[name] - p50["null"]
            print(
                f"{name:<11} {p50[name]:>8.3f} {p95[name]:>8.3f} {fmt(added, 3):>13}"
                f" {fmt(one_thread.get(name), 0):>21} {fmt(four_threads.get(name), 0):>22}"
            )

        variants: dict[str, AuditSink] = {}
        for name, store in stores.items():
            variants[f"{name}, journal"] = store
            variants[f"{name}, none"] = WithoutJournal(store)
        streamed = asyncio.run(
            stream_latencies(
                {v: make_gateway(sink) for v, sink in variants.items()},
                args.requests,
                args.warmup,
            )
        )
        for name in stores:
            written[name] += 2 * (args.warmup + args.requests)
        print(f"\n{args.requests} streamed requests per variant (interleaved)")
        header = (
            f"{'store, journal':<22} {'first piece p50 ms':>19} {'stream end p50 ms':>18}"
            f" {'journal added p50 ms (first piece)':>35}"
        )
        print(header)
        print("-" * len(header))
        for variant, (first, end) in streamed.items():
            name, kind = variant.split(", ")
            added = None
            if kind == "journal":
                added = (pct(first, 0.5) - pct(streamed[f"{name}, none"][0], 0.5)) * ms
            print(
                f"{variant:<22} {pct(first, 0.5) * ms:>19.3f} {pct(end, 0.5) * ms:>18.3f}"
                f" {fmt(added, 3):>35}"
            )

        failed = False
        for name, store in stores.items():
            leftover = store.open_streams()
            if leftover:
                failed = True
                print(f"{name}: {len(leftover)} journal rows left after the streams ended")
            result = store.verify()
            complete = result.ok and result.checked == written[name]
            failed = failed or not complete
            print(
                f"{name} chain: {result.describe()}"
                + ("" if complete else f" (expected {written[name]} records)")
            )
        return 1 if failed else 0
    finally:
        for store in stores.values():
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000, help="appends per measurement")
    parser.add_argument("--requests", type=int, default=500, help="measured requests per sink")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up appends and requests")
    parser.add_argument(
        "--pg-fsync",
        action="store_true",
        help="restart the PostgreSQL test cluster with fsync on (it starts with fsync off)",
    )
    args = parser.parse_args()
    if min(args.appends, args.requests) < THREADS:
        parser.error(f"--appends and --requests must be at least {THREADS}")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")

    from devtools.postgres import PostgresServer

    server = PostgresServer()
    try:
        if args.pg_fsync:
            restart_with_fsync(server)
        settings = pg_settings(server.url)
        pg_url = server.create_database("audit_bench")
        print(
            f"audit_overhead: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
            f"PostgreSQL {settings}; SQLite WAL synchronous=NORMAL",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="gwanmun-audit-bench-") as tmp:
            status = run(args, pg_url, Path(tmp))
    finally:
        server.stop()
    sys.exit(status)


if __name__ == "__main__":
    main()
