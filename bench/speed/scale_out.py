"""Scale-out: requests/s and latency with 1, 2 and 3 gateway replicas on one PostgreSQL.

Set-up, all on 127.0.0.1: a throw-away PostgreSQL cluster (devtools/postgres.py),
a stand-in upstream in its own process that answers at once (named so: the point
is the gateways' own cost, not a model's), and three ``gwanmun serve``
processes, each with its own data directory, sharing ``database_url`` (rate
limits, accounts, knowledge bases, the audit chain) and one audit key; each
request carries an API key, looked up in PostgreSQL as in production. Every
default check is on; the embedded model is off.

Phases, in one run: the upstream called directly (the baseline), then the same
load spread round-robin over 1, 2 and 3 replicas. Each phase runs ``--seconds``
with ``--clients`` concurrent clients after a warm-up; the mix is a 1 KB Korean
notice, a 1 KB Japanese one (each with a fresh name, phone and e-mail) and a
short English question, a third of them streamed (``--mix en`` for English only).

Then the audit chain alone: 1, 2 and 3 processes appending to the PostgreSQL
chain as fast as they can (``PostgresAuditStore``, the class the gateways use),
and ``gwanmun audit verify`` over everything the run wrote.

    python bench/speed/scale_out.py                     # 20 s per phase, 8 clients
    python bench/speed/scale_out.py --seconds 10 --mix en

Printed: requests/s, p50/p95 latency and gateway CPU per request per phase, each
with its ratio to one replica; audit records appended per second during each
phase; appends/s for 1–3 concurrent appenders; the verify result. On a machine
with two cores, the load generator, the upstream, PostgreSQL and the replicas
share both: more replicas than free cores cannot add throughput there, and the
script says how many cores it saw.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench.*, devtools.* as a script

from bench.speed.audit_overhead import audit_body, pct
from bench.speed.gateway_overhead import cpu_seconds, gwanmun_process, wait_ready, write_config
from bench.speed.soak import request_body
from devtools.ports import free_port

REPLICAS = 3


@dataclass
class Phase:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    failures: dict[int, int]
    cpu: float | None  # gateway CPU seconds over the phase (None for the direct call)
    audit_rows: int | None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


# --- the stand-in upstream, in its own process -----------------------------------


def serve_upstream(port: int) -> None:
    """Run the soak bench's stand-in upstream (answers at once) until killed."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    from bench.speed.soak import _chat, _models

    app = Starlette(
        routes=[
            Route("/v1/chat/completions", _chat, methods=["POST"]),
            Route("/v1/models", _models),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


def upstream_process(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-upstream", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_ready(f"http://127.0.0.1:{port}/v1/models", proc)
    return proc


# --- load ---------------------------------------------------------------------------


def make_body(rng: random.Random, n: int, mix: str) -> dict[str, Any]:
    body = request_body(rng, n if mix == "mixed" else 3 * n + 2)
    if mix == "en":
        body["stream"] = n % 3 == 2
    return body


async def load(
    bases: list[str], args: argparse.Namespace, seconds: float, seed: int
) -> tuple[int, list[float], dict[int, int], float]:
    """``args.clients`` clients, client i on ``bases[i % len(bases)]``, for ``seconds``."""
    rng = random.Random(seed)
    counter = iter(range(10**9))
    latencies: list[float] = []
    failures: dict[int, int] = {}
    start = time.monotonic()

    async def client_loop(client: httpx.AsyncClient, base: str) -> None:
        while time.monotonic() - start < seconds:
            body = make_body(rng, next(counter), args.mix)
            t0 = time.perf_counter()
            if body["stream"]:
                async with client.stream("POST", f"{base}/chat/completions", json=body) as reply:
                    async for _ in reply.aiter_bytes():
                        pass
                    status = reply.status_code
            else:
                status = (await client.post(f"{base}/chat/completions", json=body)).status_code
            if status == 200:
                latencies.append(time.perf_counter() - t0)
            else:
                failures[status] = failures.get(status, 0) + 1

    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    headers = {"authorization": f"Bearer {args.key}"} if args.key else {}
    async with httpx.AsyncClient(timeout=120, limits=limits, headers=headers) as client:
        await asyncio.gather(
            *(client_loop(client, bases[i % len(bases)]) for i in range(args.clients))
        )
    elapsed = time.monotonic() - start
    return len(latencies) + sum(failures.values()), latencies, failures, elapsed


def audit_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM audit").fetchone()
    return 0 if row is None else int(row[0])


def run_phase(
    name: str,
    bases: list[str],
    pids: list[int],
    args: argparse.Namespace,
    url: str | None,
    seed: int,
) -> Phase:
    asyncio.run(load(bases, args, args.warmup, seed + 1))  # warm-up, not counted
    rows0 = audit_count(url) if url else None
    cpu0 = sum(cpu_seconds(pid) for pid in pids)
    count, latencies, failures, elapsed = asyncio.run(load(bases, args, args.seconds, seed))
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu0 if pids else None
    rows = audit_count(url) - rows0 if url and rows0 is not None else None
    return Phase(name, count, elapsed, latencies, failures, cpu, rows)


# --- the audit chain alone --------------------------------------------------------


def _appender(url: str, key: bytes, seconds: float, ready: Any, go: Any, out: Any) -> None:
    from gwanmun.audit.postgres import PostgresAuditStore

    store = PostgresAuditStore(url, key, pool_size=1)
    store.append(audit_body())  # connected and warm before the common start
    ready.put(True)
    go.wait()
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        store.append(audit_body())
        done += 1
    store.close()
    out.put(done)


def appends_with(url: str, key: bytes, writers: int, seconds: float) -> float:
    """Records/s over ``writers`` processes appending to one chain at once, all
    started together once every one has connected."""
    ctx = multiprocessing.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_appender, args=(url, key, seconds, ready, go, out))
        for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=300)
    go.set()
    total = sum(out.get(timeout=seconds + 300) for _ in procs)
    for proc in procs:
        proc.join()
    return total / seconds


# --- the run ------------------------------------------------------------------------


def start_replicas(
    tmp: Path, url: str, upstream_port: int, key_file: Path
) -> list[tuple[str, subprocess.Popen[bytes], Path]]:
    replicas = []
    for i in range(REPLICAS):
        home = tmp / f"replica{i + 1}"
        home.mkdir()
        port = free_port()
        config = home / "gwanmun.json"
        write_config(
            config,
            port,
            database_url=url,  # accounts, limits, the audit chain: one for all
            audit_key_file=str(key_file),
            allow_anonymous=False,  # a key per request: the account lookup is measured
            embedded={"enabled": False},
            backends=[
                {
                    "name": "stand-in",
                    "base_url": f"http://127.0.0.1:{upstream_port}/v1",
                    "models": ["stand-in"],
                    "max_grade": "S",
                }
            ],
        )
        replicas.append((f"http://127.0.0.1:{port}/v1", gwanmun_process(config), config))
    for base, proc, _ in replicas:
        wait_ready(base.removesuffix("/v1") + "/healthz", proc)
    return replicas


def api_key(config: Path) -> str:
    """An API key made through one replica's configuration: every replica reads
    it from the shared database."""
    gwanmun = str(Path(sys.executable).with_name("gwanmun"))
    made = subprocess.run(
        [gwanmun, "keys", "create", "--user", "bench"],
        env={**os.environ, "GWANMUN_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return made.stdout.strip()


def report(phases: list[Phase], appends: dict[int, float]) -> None:
    one = next(p for p in phases if p.name == "1 replica")
    print()
    print(
        "| phase | requests | req/s | vs 1 replica | p50 ms | p95 ms | CPU ms/req "
        "| audit rows/s | non-200 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for p in phases:
        cpu = "–" if p.cpu is None else f"{p.cpu / max(p.requests, 1) * 1000:.1f}"
        rows = "–" if p.audit_rows is None else f"{p.audit_rows / p.seconds:.1f}"
        print(
            f"| {p.name} | {p.requests:,} | {p.per_second:.1f} | "
            f"{p.per_second / one.per_second:.2f} | {pct(p.latencies, 0.5) * 1000:.1f} | "
            f"{pct(p.latencies, 0.95) * 1000:.1f} | {cpu} | {rows} | {p.failures or 'none'} |"
        )
    print()
    print("| concurrent appenders | audit appends/s | vs 1 |")
    print("|---:|---:|---:|")
    for writers, rate in appends.items():
        print(f"| {writers} | {rate:.0f} | {rate / appends[1]:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds per phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mix", choices=("mixed", "en"), default="mixed")
    parser.add_argument("--append-seconds", type=float, default=5)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        serve_upstream(args.serve_upstream)
        return
    if args.seconds <= 0 or args.clients < 1:
        parser.error("--seconds must be positive and --clients at least 1")

    from devtools.postgres import PostgresServer

    load_avg = os.getloadavg()[0]
    print(
        f"scale_out: {os.cpu_count()} CPUs (load average {load_avg:.1f} at start), "
        f"{args.clients} clients, {args.seconds:.0f} s per phase, mix {args.mix}",
        flush=True,
    )
    server = PostgresServer()
    upstream_port = free_port()
    upstream = upstream_process(upstream_port)
    procs: list[subprocess.Popen[bytes]] = [upstream]
    try:
        url = server.create_database("scale_out")
        with tempfile.TemporaryDirectory(prefix="gwanmun-scale-") as tmp_name:
            tmp = Path(tmp_name)
            key_file = tmp / "audit.key"
            key_file.write_text(secrets.token_hex(32) + "\n")
            key_file.chmod(0o600)
            key = bytes.fromhex(key_file.read_text().strip())
            replicas = start_replicas(tmp, url, upstream_port, key_file)
            procs += [proc for _, proc, _ in replicas]
            args.key = api_key(replicas[0][2])
            phases = [
                run_phase(
                    "direct", [f"http://127.0.0.1:{upstream_port}/v1"], [], args, None, args.seed
                )
            ]
            print(f"  direct: {phases[-1].per_second:.1f} req/s", flush=True)
            for n in range(1, REPLICAS + 1):
                name = f"{n} replica" + ("s" if n > 1 else "")
                bases = [base for base, _, _ in replicas[:n]]
                pids = [proc.pid for _, proc, _ in replicas[:n]]
                phases.append(run_phase(name, bases, pids, args, url, args.seed + n))
                print(f"  {name}: {phases[-1].per_second:.1f} req/s", flush=True)
            for _, proc, _ in replicas:
                proc.terminate()
            for _, proc, _ in replicas:
                proc.wait(timeout=30)
            appends = {
                n: appends_with(url, key, n, args.append_seconds) for n in range(1, REPLICAS + 1)
            }
            report(phases, appends)
            gwanmun = str(Path(sys.executable).with_name("gwanmun"))
            verify = subprocess.run(
                [gwanmun, "audit", "verify"],
                env={**os.environ, "GWANMUN_CONFIG": str(replicas[0][2])},
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            print()
            said = (verify.stdout + verify.stderr).strip()
            print(f"gwanmun audit verify (exit {verify.returncode}): {said}")
            if verify.returncode != 0:
                sys.exit(1)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        server.stop()


if __name__ == "__main__":
    main()
