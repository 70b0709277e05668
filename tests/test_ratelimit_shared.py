"""Rates and daily quotas counted once for every gateway process on one real
PostgreSQL (``database_url``): the sum over replicas stays within the limit."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from pathlib import Path

import openai
import pytest

from devtools.fakes import FakeBackend
from gwanmun.audit import MemoryAuditSink
from gwanmun.errors import RateLimited
from gwanmun.ratelimit import PostgresRateLimiter
from gwanmun.services import build_services
from gwanmun.settings import RateLimitConfig, Settings
from gwanmun.types import Principal, Role
from tests.servers import running_gateway

KIM = Principal("kim", group="민원과")


def test_three_limiters_on_one_database_admit_the_limit_once(postgres_url: str) -> None:
    config = RateLimitConfig(user_requests_per_minute=10)
    limiters = [PostgresRateLimiter(config, postgres_url) for _ in range(3)]
    admitted: list[int] = []
    lock = threading.Lock()

    def replica(limiter: PostgresRateLimiter) -> None:
        for _ in range(10):
            try:
                limiter.admit(KIM)
            except RateLimited:
                continue
            with lock:
                admitted.append(1)

    threads = [threading.Thread(target=replica, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 30 attempts within well under a second: the bucket (10, refilling 1 per 6 s).
    assert len(admitted) == 10
    with pytest.raises(RateLimited, match="10 per minute"):
        limiters[0].admit(KIM)
    for limiter in limiters:
        limiter.close()


def test_a_daily_quota_is_one_total_over_replicas(postgres_url: str) -> None:
    config = RateLimitConfig(user_requests_per_minute=0, user_tokens_per_day=100)
    one, two, three = (PostgresRateLimiter(config, postgres_url) for _ in range(3))
    one.admit(KIM)
    one.charge(KIM, 60)
    two.admit(KIM)
    two.charge(KIM, 50)  # 110 in all: each alone would still allow more
    with pytest.raises(RateLimited, match="daily token quota"):
        three.admit(KIM)
    for limiter in (one, two, three):
        limiter.close()


def test_three_gateways_share_one_rate(postgres_url: str, tmp_path: Path) -> None:
    """Through each replica's HTTP API with the official client: 5 per minute for
    the user means 5 in all, wherever the requests land."""
    clients = []
    with ExitStack() as stack:
        for n in range(3):
            settings = Settings(
                data_dir=tmp_path / f"replica{n}",
                embedded={"enabled": False},
                database_url=postgres_url,
                rate_limits={"user_requests_per_minute": 5},
            )
            services = build_services(settings, backends=[FakeBackend()], audit=MemoryAuditSink())
            assert isinstance(services.gateway.limiter, PostgresRateLimiter)
            key, _ = services.keys.create("kim", group="민원과", role=Role.USER)
            base_url = stack.enter_context(running_gateway(settings, services))
            clients.append(openai.OpenAI(base_url=base_url, api_key=key, max_retries=0))
        answered = refused = 0
        for i in range(15):
            try:
                clients[i % 3].chat.completions.create(
                    model="fake-model", messages=[{"role": "user", "content": "안녕하세요"}]
                )
                answered += 1
            except openai.RateLimitError as exc:
                assert exc.response.headers.get("retry-after")
                refused += 1
        for client in clients:
            client.close()
    assert (answered, refused) == (5, 10)
