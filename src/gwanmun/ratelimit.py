"""Per-user and per-group request rates and daily token quotas.

Rates are token buckets: a user with ``user_requests_per_minute = 60`` may
burst 60 requests, then one more each second. Quotas count prompt plus
completion tokens per calendar day (server's local time) and are charged when
a request ends; a request is refused once the quota is used up. A refusal is a
``RateLimited`` error (HTTP 429 with Retry-After) and is audited like any
other outcome.

``RateLimiter`` keeps its state in the gateway process. With ``database_url``
set, ``PostgresRateLimiter`` keeps it in PostgreSQL, so several gateway
processes enforce the configured numbers together, not each on its own.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from gwanmun.errors import RateLimited
from gwanmun.settings import RateLimitConfig
from gwanmun.types import Principal


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    blocking = False  # in memory: called on the event loop
    config: RateLimitConfig
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _used: dict[tuple[str, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _scopes(self, principal: Principal) -> list[tuple[str, str, int, int]]:
        """(key, who, requests per minute, tokens per day) for the user and the group."""
        c = self.config
        scopes = [
            (f"u:{principal.user}", "your", c.user_requests_per_minute, c.user_tokens_per_day)
        ]
        if principal.group:
            scopes.append(
                (
                    f"g:{principal.group}",
                    "your group's",
                    c.group_requests_per_minute,
                    c.group_tokens_per_day,
                )
            )
        return scopes

    def admit(self, principal: Principal) -> None:
        """Take one request from every bucket that applies, or raise ``RateLimited``."""
        now = self.clock()
        day = self._day()
        with self._lock:
            for key, who, _, quota in self._scopes(principal):
                if quota and self._used.get((key, day), 0) >= quota:
                    raise RateLimited(
                        f"This request would exceed {who} daily token quota ({quota} tokens); "
                        "it resets at midnight.",
                        retry_after=self._seconds_to_midnight(),
                    )
            taken: list[_Bucket] = []
            for key, who, per_minute, _ in self._scopes(principal):
                if not per_minute:
                    continue
                bucket = self._refill(key, per_minute, now)
                if bucket.tokens < 1:
                    for earlier in taken:  # all-or-nothing: give back what was taken
                        earlier.tokens += 1
                    wait = (1 - bucket.tokens) * 60 / per_minute
                    raise RateLimited(
                        f"Too many requests: {who} limit is {per_minute} per minute. "
                        f"Try again in {math.ceil(wait)} s.",
                        retry_after=max(1, math.ceil(wait)),
                    )
                bucket.tokens -= 1
                taken.append(bucket)

    def charge(self, principal: Principal, tokens: int) -> None:
        """Count tokens used by a finished request against the daily quotas."""
        if tokens <= 0:
            return
        day = self._day()
        with self._lock:
            for key, _, _, quota in self._scopes(principal):
                if quota:
                    self._used[(key, day)] = self._used.get((key, day), 0) + tokens
            # Forget earlier days.
            for stale in [k for k in self._used if k[1] != day]:
                del self._used[stale]

    def _refill(self, key: str, per_minute: int, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(per_minute), updated=now)
            return bucket
        bucket.tokens = min(
            float(per_minute), bucket.tokens + (now - bucket.updated) * per_minute / 60
        )
        bucket.updated = now
        return bucket

    def _day(self) -> str:
        return datetime.fromtimestamp(self.wall()).strftime("%Y-%m-%d")

    def _seconds_to_midnight(self) -> int:
        now = datetime.fromtimestamp(self.wall())
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return max(1, math.ceil((midnight - now).total_seconds()))


class Limiter(Protocol):
    """What the gateway asks of a limiter. ``blocking``: its calls wait on the
    network (the PostgreSQL limiter), so they run off the event loop."""

    blocking: bool

    def admit(self, principal: Principal) -> None: ...

    def charge(self, principal: Principal, tokens: int) -> None: ...


# "gwanrl\0\0": this store's migration lock, apart from the others'.
_MIGRATION_LOCK = 0x677761_6E726C0000

MIGRATIONS: tuple[str, ...] = (
    """CREATE TABLE rate_buckets (
        key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE rate_usage (
        key TEXT NOT NULL, day TEXT NOT NULL, tokens BIGINT NOT NULL, PRIMARY KEY (key, day)
    )""",
)


class PostgresRateLimiter(RateLimiter):
    """The same limits, counted once for every gateway process on one database
    (``database_url``): a user's bucket and day total are rows, read and changed
    under a row lock in one transaction, with PostgreSQL's clock, so the sum over
    replicas stays within the configured numbers."""

    blocking = True

    def __init__(self, config: RateLimitConfig, dsn: str, *, pool_size: int = 4) -> None:
        super().__init__(config)
        from gwanmun.pgsql import migrate, open_pool

        self._pool = open_pool(dsn, what="the PostgreSQL rate-limit store", pool_size=pool_size)
        migrate(
            self._pool, schema_table="gwanmun_rate_schema", lock=_MIGRATION_LOCK,
            migrations=MIGRATIONS,
        )  # fmt: skip

    def close(self) -> None:
        self._pool.close()

    def admit(self, principal: Principal) -> None:
        scopes = self._scopes(principal)
        if not any(per_minute or quota for _, _, per_minute, quota in scopes):
            return
        day = self._day()
        with self._pool.connection() as conn, conn.transaction():
            row = conn.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()
            now = float(row[0]) if row else time.time()
            for key, who, _, quota in scopes:
                if not quota:
                    continue
                used = conn.execute(
                    "SELECT tokens FROM rate_usage WHERE key = %s AND day = %s", (key, day)
                ).fetchone()
                if used is not None and int(used[0]) >= quota:
                    raise RateLimited(
                        f"This request would exceed {who} daily token quota ({quota} tokens); "
                        "it resets at midnight.",
                        retry_after=self._seconds_to_midnight(),
                    )
            for key, who, per_minute, _ in scopes:
                if not per_minute:
                    continue
                conn.execute(
                    "INSERT INTO rate_buckets VALUES (%s, %s, %s) ON CONFLICT (key) DO NOTHING",
                    (key, float(per_minute), now),
                )
                bucket = conn.execute(
                    "SELECT tokens, updated FROM rate_buckets WHERE key = %s FOR UPDATE", (key,)
                ).fetchone()
                assert bucket is not None
                tokens = min(
                    float(per_minute), float(bucket[0]) + (now - float(bucket[1])) * per_minute / 60
                )
                if tokens < 1:
                    # Raising rolls the transaction back: what was taken is given back.
                    wait = (1 - tokens) * 60 / per_minute
                    raise RateLimited(
                        f"Too many requests: {who} limit is {per_minute} per minute. "
                        f"Try again in {math.ceil(wait)} s.",
                        retry_after=max(1, math.ceil(wait)),
                    )
                conn.execute(
                    "UPDATE rate_buckets SET tokens = %s, updated = %s WHERE key = %s",
                    (tokens - 1, now, key),
                )

    def charge(self, principal: Principal, tokens: int) -> None:
        if tokens <= 0:
            return
        day = self._day()
        keys = [key for key, _, _, quota in self._scopes(principal) if quota]
        if not keys:
            return
        with self._pool.connection() as conn, conn.transaction():
            for key in keys:
                conn.execute(
                    "INSERT INTO rate_usage VALUES (%s, %s, %s) ON CONFLICT (key, day)"
                    " DO UPDATE SET tokens = rate_usage.tokens + EXCLUDED.tokens",
                    (key, day, tokens),
                )
            conn.execute("DELETE FROM rate_usage WHERE day < %s", (day,))
