"""What reading the account on every request costs: SQLite against PostgreSQL, in one run.

    python bench/speed/auth_lookup.py                      # a few seconds
    python bench/speed/auth_lookup.py --requests 5000      # tighter percentiles

Replicas on one PostgreSQL refuse a revoked key or a disabled user at once
because ``AccountStore.authenticate`` (API keys) and ``AccountStore.session``
(workspace cookies) read the key or session row joined with its user on every
request; nothing is cached, so nothing needs invalidating. This measures what
that read costs per request on each store.

Set-up: a throw-away PostgreSQL cluster on 127.0.0.1 (devtools/postgres.py,
fsync off: a read does not wait for the disk anyway) and a SQLite file in a
temporary directory (WAL, as the store opens it). Each store holds 1,000 users
with one key each and one session per user. Timed: ``authenticate(key)`` and
``session(token)`` for a random user, the four (2 stores x 2 calls) interleaved
per iteration with the order rotated so machine noise hits all equally, N times
each after a warm-up, on one thread, in-process (no HTTP). Reported: p50 and
p95 in microseconds and PostgreSQL's p50 over SQLite's. Only 127.0.0.1 is
contacted. PostgreSQL shares the machine's CPUs with the benchmark.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from devtools.postgres import PostgresServer  # noqa: E402
from gwanmun.accounts import AccountStore, LoginPolicy  # noqa: E402

USERS = 1000
PASSWORD = "correct horse battery staple"


def _fill(store: AccountStore, users: int) -> tuple[list[str], list[str]]:
    """One key and one session per user (sessions inserted directly: Argon2 for
    a thousand logins would only slow the set-up)."""
    keys, tokens = [], []
    for n in range(users):
        key, _ = store.create(f"user{n}", group=f"group{n % 10}")
        keys.append(key)
    with store.db.transaction() as tx:
        now = time.time()
        for n in range(users):
            token = f"gws_{secrets.token_urlsafe(32)}"
            digest = hashlib.sha256(token.encode()).hexdigest()
            tx.run(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)", (digest, f"user{n}", now, now + 3600)
            )
            tokens.append(token)
    return keys, tokens


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    server = PostgresServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            policy = LoginPolicy()
            stores = {
                "sqlite": AccountStore(Path(tmp) / "keys.db", policy),
                "postgres": AccountStore(server.create_database("bench_auth"), policy),
            }
            filled = {name: _fill(store, USERS) for name, store in stores.items()}
            calls: dict[str, Callable[[int], object]] = {}
            for name, store in stores.items():
                keys, tokens = filled[name]
                calls[f"{name} key"] = lambda i, s=store, k=keys: s.authenticate(k[i])
                calls[f"{name} session"] = lambda i, s=store, t=tokens: s.session(t[i])
            timings: dict[str, list[float]] = {name: [] for name in calls}
            rng = random.Random(7)
            names = list(calls)
            for iteration in range(args.requests + 200):
                user = rng.randrange(USERS)
                shift = iteration % len(names)
                for name in names[shift:] + names[:shift]:
                    start = time.perf_counter()
                    calls[name](user)
                    elapsed = time.perf_counter() - start
                    if iteration >= 200:  # warm-up
                        timings[name].append(elapsed * 1e6)
            print(f"{args.requests} lookups each, {USERS} users, one thread, in-process")
            print(f"{'lookup':<18}{'p50 µs':>10}{'p95 µs':>10}{'mean µs':>10}")
            for name, values in timings.items():
                print(
                    f"{name:<18}{_p(values, 0.5):>10.0f}{_p(values, 0.95):>10.0f}"
                    f"{statistics.fmean(values):>10.0f}"
                )
            for what in ("key", "session"):
                ratio = _p(timings[f"postgres {what}"], 0.5) / _p(timings[f"sqlite {what}"], 0.5)
                print(f"PostgreSQL / SQLite p50, {what}: {ratio:.1f}x")
            for store in stores.values():
                store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
