"""Backend pools: least-busy routing, per-upstream limits, failover before the first
token, circuit breaking and health checks, seen through the real gateway on
loopback driven by the openai SDK, with stand-in upstreams in processes of their
own (tests/pool_upstream.py) that are killed mid-answer and started again."""

from __future__ import annotations

import asyncio
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from devtools.ports import free_port
from gwanmun.audit import AuditEvent, MemoryAuditSink
from gwanmun.backends.circuit import Circuit, CircuitState
from gwanmun.services import build_services
from gwanmun.settings import BackendConfig, Settings
from gwanmun.types import Grade, Outcome, Role
from tests.pool_upstream import MODEL, PoolUpstream, answer
from tests.servers import running_gateway

# The circuit on its own: a table of steps and the state after each.


def test_the_circuit_opens_after_the_threshold_and_probes_once_after_the_cooldown() -> None:
    circuit = Circuit(threshold=3, cooldown_s=10)
    assert not circuit.failed(0.0) and not circuit.failed(1.0)
    assert circuit.state is CircuitState.CLOSED and circuit.allows(1.0)
    assert circuit.failed(2.0)  # the third in a row opens it
    assert circuit.state is CircuitState.OPEN
    assert not circuit.allows(11.9) and circuit.cooling(11.9)
    assert circuit.allows(12.0)
    circuit.begin(12.0)  # the one probe
    assert circuit.state is CircuitState.HALF_OPEN and not circuit.allows(12.0)
    circuit.failed(12.5)  # the probe failed: out again, a new cool-down
    assert circuit.state is CircuitState.OPEN and not circuit.allows(22.4)
    circuit.begin(22.5)
    circuit.succeeded()
    assert circuit.state is CircuitState.CLOSED and circuit.consecutive_failures == 0


def test_a_success_resets_the_count_and_an_abandoned_probe_frees_the_slot() -> None:
    circuit = Circuit(threshold=2, cooldown_s=1)
    circuit.failed(0.0)
    circuit.succeeded()
    assert not circuit.failed(0.1)  # not two in a row
    circuit.failed(0.2)
    circuit.begin(1.5)
    circuit.abandoned()  # the client left: the probe said nothing, another may go
    assert circuit.state is CircuitState.HALF_OPEN and circuit.allows(1.6)


# Settings: one URL or a pool, never both.


def test_a_backend_has_base_url_or_base_urls() -> None:
    single = BackendConfig(name="a", base_url="http://127.0.0.1:1/v1/", models=["m"])
    assert single.urls == ["http://127.0.0.1:1/v1"] and not single.pooled
    pool = BackendConfig(
        name="p", base_urls=["http://127.0.0.1:1/v1", "http://127.0.0.1:2/v1/"], models=["m"]
    )
    assert pool.urls == ["http://127.0.0.1:1/v1", "http://127.0.0.1:2/v1"] and pool.pooled
    with pytest.raises(ValidationError, match="either base_url"):
        BackendConfig(name="n", models=["m"])
    with pytest.raises(ValidationError, match="either base_url"):
        BackendConfig(
            name="b",
            base_url="http://127.0.0.1:1/v1",
            base_urls=["http://127.0.0.1:2/v1"],
            models=["m"],
        )
    with pytest.raises(ValidationError, match="twice"):
        BackendConfig(
            name="d", base_urls=["http://127.0.0.1:1/v1", "http://127.0.0.1:1/v1/"], models=["m"]
        )
    with pytest.raises(ValidationError, match="http"):
        BackendConfig(name="f", base_urls=["ftp://127.0.0.1/v1"], models=["m"])


def test_every_pool_url_goes_through_the_egress_check(tmp_path: Path) -> None:
    from gwanmun.errors import EgressDenied

    settings = _settings(tmp_path, ["http://127.0.0.1:9/v1", "http://8.8.8.8:8000/v1"])
    services = build_services(settings, audit=MemoryAuditSink())
    try:
        with pytest.raises(EgressDenied, match=r"8\.8\.8\.8"):
            asyncio.run(services.start())
    finally:
        asyncio.run(services.close())


# The real thing.


@dataclass
class Rig:
    base_url: str
    key: str
    admin_key: str
    audit: MemoryAuditSink

    def upstreams(self) -> dict[str, str]:
        """url → state, from the admin status endpoint."""
        reply = httpx.get(
            f"{self.base_url}/admin/backends",
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        assert reply.status_code == 200, reply.text
        (pool,) = reply.json()["data"]
        return {u["url"]: u["state"] for u in pool["upstreams"]}

    def chats(self) -> list[AuditEvent]:
        return [e for e in self.audit.events if isinstance(e, AuditEvent)]

    def client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=self.key, max_retries=0)

    def metric(self, name: str, upstream: str) -> float:
        text = httpx.get(self.base_url.removesuffix("/v1") + "/metrics").text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and sample.labels.get("upstream") == upstream:
                    return float(sample.value)
        raise AssertionError(f"{name} for {upstream} not in /metrics")

    def wait_metric(self, name: str, upstream: str, value: float, within_s: float = 15) -> None:
        deadline = time.monotonic() + within_s
        while (seen := self.metric(name, upstream)) != value:
            assert time.monotonic() < deadline, f"{name}{{{upstream}}} stayed {seen}, not {value}"
            time.sleep(0.05)


def _settings(data_dir: Path, urls: list[str], **pool: float) -> Settings:
    return Settings(
        data_dir=data_dir,
        embedded={"enabled": False},
        rate_limits={"user_requests_per_minute": 0},
        backends=[
            BackendConfig(
                name="pool",
                base_urls=urls,
                models=[MODEL],
                max_grade=Grade.S,
                timeout_s=10,
                **pool,
            )
        ],
    )


@contextmanager
def gateway(settings: Settings) -> Iterator[Rig]:
    audit = MemoryAuditSink()
    services = build_services(settings, audit=audit)
    key, _ = services.keys.create("tester", group="qa", role=Role.USER)
    admin_key, _ = services.keys.create("boss", group="it", role=Role.ADMIN)
    with running_gateway(settings, services) as base_url:
        yield Rig(base_url, key, admin_key, audit)


@dataclass
class Outcome_:
    """What one client saw: the text it received, and the error that ended it."""

    text: str
    chunks: int
    error: str | None


async def _ask(client: openai.AsyncOpenAI) -> Outcome_:
    text, chunks = "", 0
    try:
        stream = await client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hello"}], stream=True
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
                chunks += 1
    except openai.APIStatusError as exc:  # refused before the stream began
        return Outcome_(text, chunks, f"HTTP {exc.status_code}")
    except openai.APIError as exc:  # an error event inside the stream
        return Outcome_(text, chunks, type(exc).__name__)
    return Outcome_(text, chunks, None)


def _upstreams() -> Iterator[tuple[PoolUpstream, PoolUpstream]]:
    a, b = PoolUpstream(free_port(), "A"), PoolUpstream(free_port(), "B")
    a.start()
    b.start()
    try:
        yield a, b
    finally:
        a.kill()
        b.kill()


upstreams = pytest.fixture(_upstreams)


def test_killing_one_upstream_mid_run_fails_no_request_that_had_not_started(
    tmp_path: Path, upstreams: tuple[PoolUpstream, PoolUpstream]
) -> None:
    a, b = upstreams
    settings = _settings(
        tmp_path,
        [a.base_url, b.base_url],
        health_interval_s=0.2,
        health_timeout_s=1.0,
        failure_threshold=2,
        cooldown_s=0.5,
    )
    with gateway(settings) as rig:
        # Least busy with a turning tie-break: concurrent requests reach both.
        first = asyncio.run(_run(rig, workers=6, seconds=0.0))
        assert {o.text for o in first} == {answer("A"), answer("B")}

        results = asyncio.run(_run(rig, workers=8, seconds=2.5, kill=(0.6, a)))
        never_started = [o for o in results if o.error and o.chunks == 0]
        cut = [o for o in results if o.error and o.chunks > 0]
        done = [o for o in results if o.error is None]
        assert never_started == []
        # Streams A had begun end in an error, never restarted on B (no duplicate).
        assert cut, "the kill should have cut streams in flight at A"
        assert all(o.error == "APIError" for o in cut)
        assert all(o.text.startswith("[A 0]") and "[B" not in o.text for o in cut)
        assert all(o.text in (answer("A"), answer("B")) for o in done)
        assert any(o.text == answer("B") for o in done)
        # Each cut stream is audited as failed, with a backend error code.
        failed = [e for e in rig.chats() if e.outcome is Outcome.FAILED]
        assert len(failed) == len(cut)
        assert {e.error_code for e in failed} == {"backend_error"}

        rig.wait_metric("gwanmun_upstream_state", a.base_url, 2)  # out
        assert rig.metric("gwanmun_upstream_state", b.base_url) == 0
        assert rig.upstreams() == {a.base_url: "open", b.base_url: "closed"}
        assert rig.metric("gwanmun_upstream_failures_total", a.base_url) >= 2
        sent_to_a = rig.metric("gwanmun_upstream_requests_total", a.base_url)

        a.start()  # back on the same port: the health check puts it back in
        rig.wait_metric("gwanmun_upstream_state", a.base_url, 0)
        assert rig.upstreams() == {a.base_url: "closed", b.base_url: "closed"}
        again = asyncio.run(_run(rig, workers=6, seconds=0.0))
        assert all(o.error is None for o in again)
        assert any(o.text == answer("A") for o in again)
        assert rig.metric("gwanmun_upstream_requests_total", a.base_url) > sent_to_a
        assert rig.metric("gwanmun_upstream_in_flight", a.base_url) == 0


async def _run(
    rig: Rig, *, workers: int, seconds: float, kill: tuple[float, PoolUpstream] | None = None
) -> list[Outcome_]:
    """``workers`` clients asking one after another for ``seconds`` (at least once each);
    ``kill`` = (after how long, which upstream) kills that upstream mid-run."""
    client = rig.client()
    end = time.monotonic() + seconds
    results: list[Outcome_] = []

    async def worker() -> None:
        while True:
            results.append(await _ask(client))
            if time.monotonic() >= end:
                return

    async def killer(after: float, upstream: PoolUpstream) -> None:
        await asyncio.sleep(after)
        await asyncio.to_thread(upstream.kill)

    tasks = [worker() for _ in range(workers)]
    if kill is not None:
        tasks.append(killer(*kill))
    await asyncio.gather(*tasks)
    await client.close()
    return results


def test_a_dead_upstream_is_failed_over_then_taken_out(
    tmp_path: Path, upstreams: tuple[PoolUpstream, PoolUpstream]
) -> None:
    _, b = upstreams
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = _settings(
        tmp_path, [dead, b.base_url], health_interval_s=0, failure_threshold=3, cooldown_s=600
    )
    with gateway(settings) as rig:
        client = openai.OpenAI(base_url=rig.base_url, api_key=rig.key, max_retries=0)
        for stream in (False, True, False, True, False, True):
            if stream:
                parts = client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True
                )
                text = "".join(c.choices[0].delta.content or "" for c in parts if c.choices)
            else:
                reply = client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": "hi"}]
                )
                text = reply.choices[0].message.content or ""
            assert text == answer("B")
        # Three failovers, then the circuit opened and the dead one got no more.
        assert rig.metric("gwanmun_upstream_failovers_total", dead) == 3
        assert rig.metric("gwanmun_upstream_failures_total", dead) == 3
        assert rig.metric("gwanmun_upstream_state", dead) == 2
        assert rig.metric("gwanmun_upstream_requests_total", b.base_url) == 6
        assert all(e.outcome is Outcome.ALLOWED for e in rig.chats())


class HeadersThenHangUp:
    """A stand-in upstream that answers every request with the headers of a stream
    and hangs up before the first event: it dies between 200 and the first token."""

    def __init__(self) -> None:
        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while self.rfile.readline() not in (b"\r\n", b""):
                    pass  # the request's head; the body is never read
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"transfer-encoding: chunked\r\n\r\n"
                )
                self.wfile.flush()

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_stream_that_breaks_before_its_first_token_is_failed_over(
    tmp_path: Path, upstreams: tuple[PoolUpstream, PoolUpstream]
) -> None:
    _, b = upstreams
    broken = HeadersThenHangUp()
    settings = _settings(
        tmp_path, [broken.base_url, b.base_url], health_interval_s=0, cooldown_s=600
    )
    try:
        with gateway(settings) as rig:
            results = asyncio.run(_run(rig, workers=1, seconds=0.0))
            assert [(o.text, o.error) for o in results] == [(answer("B"), None)]
            assert rig.metric("gwanmun_upstream_failovers_total", broken.base_url) == 1
            assert rig.metric("gwanmun_upstream_failures_total", broken.base_url) == 1
    finally:
        broken.stop()


def test_all_upstreams_out_is_a_clear_503(tmp_path: Path) -> None:
    dead = [f"http://127.0.0.1:{free_port()}/v1" for _ in range(2)]
    settings = _settings(tmp_path, dead, health_interval_s=0, failure_threshold=1, cooldown_s=600)
    with gateway(settings) as rig:
        client = openai.OpenAI(base_url=rig.base_url, api_key=rig.key, max_retries=0)
        for expected in ("failed to connect", "are out after repeated failures"):
            with pytest.raises(openai.APIStatusError) as caught:
                client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": "hi"}]
                )
            assert caught.value.status_code == 503
            assert expected in str(caught.value)
        assert [e.error_code for e in rig.chats()] == ["backend_unavailable"] * 2


def test_the_concurrency_limit_holds_per_upstream(
    tmp_path: Path, upstreams: tuple[PoolUpstream, PoolUpstream]
) -> None:
    a, b = upstreams
    settings = _settings(
        tmp_path,
        [a.base_url, b.base_url],
        max_concurrency=1,
        queue_timeout_s=0.2,
        health_interval_s=0,
    )
    with gateway(settings) as rig:
        # Four at once, one slot each on two upstreams, answers take ~0.5 s and the
        # queue waits 0.2 s: two are answered, one by each, and two get 503.
        results = asyncio.run(_run(rig, workers=4, seconds=0.0))
        answered = sorted(o.text for o in results if o.error is None)
        assert answered == sorted([answer("A"), answer("B")])
        assert sorted(o.error or "" for o in results if o.error) == ["HTTP 503"] * 2
        assert rig.metric("gwanmun_upstream_in_flight", a.base_url) == 0
