"""A pool: one backend name, several upstream servers serving the same models.

For each request the pool

1. picks the least busy upstream whose circuit lets traffic through and that
   has a free slot (``max_concurrency``), turning the tie-break round so idle
   upstreams share the load; when every one is full it waits up to
   ``queue_timeout_s`` for a slot; when every one is out it answers 503 at once;
2. sends the request there; if the connection fails before anything was
   received, it counts the failure and tries the next upstream. For a stream,
   the first delta is read before the stream is handed on, so a server that
   dies between its headers and its first token is failed over too. After the
   first delta nothing is retried: a duplicate answer is worse than an error,
   and the gateway ends that stream with an error event and audits it;
3. counts successes and failures into each upstream's circuit
   (``circuit.py``), and frees the slot when the answer ends.

A health check (``GET base_url/models``, bounded by ``health_timeout_s``)
runs every ``health_interval_s`` against each upstream, through the same
client, pinned resolver and egress guard as requests: it counts as a failure
or a success, and is the probe that puts an open upstream back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import aiohttp

from gwanmun.backends.base import DeltaStream
from gwanmun.backends.circuit import Circuit, CircuitState
from gwanmun.backends.openai_compat import OpenAICompatBackend
from gwanmun.completion import Completion, Delta
from gwanmun.errors import BackendError, BackendTimeout, BackendUnavailable
from gwanmun.types import ChatRequest, Grade

log = logging.getLogger("gwanmun.backends.pool")


class Verdict(StrEnum):
    """How one request or health check ended, for the circuit."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABANDONED = "abandoned"  # cancelled or refused as bad input: says nothing of the server


@dataclass(frozen=True, slots=True)
class PoolOptions:
    max_concurrency: int = 0
    queue_timeout_s: float = 10.0
    health_interval_s: float = 10.0
    health_timeout_s: float = 2.0
    failure_threshold: int = 3
    cooldown_s: float = 10.0


@dataclass(slots=True, eq=False)  # compared by identity: "tried" holds these
class Upstream:
    """One server of a pool and what the pool knows of it."""

    url: str
    client: OpenAICompatBackend
    circuit: Circuit
    in_flight: int = 0
    requests: int = 0
    failures: int = 0
    failovers: int = 0  # requests that left this upstream for another


@dataclass(frozen=True, slots=True)
class UpstreamStatus:
    """A snapshot for /metrics and /readyz: counts and state, no request data."""

    backend: str
    url: str
    state: CircuitState
    in_flight: int
    requests: int
    failures: int
    failovers: int


@dataclass(eq=False)
class BackendPool:
    """A ``Backend`` over several OpenAI-compatible upstreams (see the module doc)."""

    name: str
    max_grade: Grade
    upstreams: Sequence[Upstream]
    options: PoolOptions = field(default_factory=PoolOptions)
    clock: Callable[[], float] = time.monotonic
    _models: list[str] = field(default_factory=list)
    _turn: int = 0
    _changed: asyncio.Condition | None = None
    _health: asyncio.Task[None] | None = None

    @classmethod
    def of(
        cls,
        *,
        name: str,
        urls: Sequence[str],
        models: list[str],
        max_grade: Grade,
        options: PoolOptions,
        make_client: Callable[[str], OpenAICompatBackend],
    ) -> BackendPool:
        upstreams = [
            Upstream(
                url=url,
                client=make_client(url),
                circuit=Circuit(options.failure_threshold, options.cooldown_s),
            )
            for url in urls
        ]
        return cls(name, max_grade, upstreams, options, _models=list(models))

    def models(self) -> list[str]:
        return list(self._models)

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        for upstream in self.upstreams:
            await upstream.client.start()
        if self.options.health_interval_s > 0:
            self._health = asyncio.create_task(self._check_health_forever())

    async def close(self) -> None:
        if self._health is not None:
            self._health.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health
            self._health = None
        for upstream in self.upstreams:
            await upstream.client.close()

    async def ready(self) -> bool:
        """Ready while at least one upstream is in (its circuit not open)."""
        return any(u.circuit.state is not CircuitState.OPEN for u in self.upstreams)

    def status(self) -> list[UpstreamStatus]:
        return [
            UpstreamStatus(
                self.name,
                u.url,
                u.circuit.state,
                u.in_flight,
                u.requests,
                u.failures,
                u.failovers,
            )
            for u in self.upstreams
        ]

    async def complete(self, request: ChatRequest) -> Completion:
        tried: list[Upstream] = []
        while True:
            upstream = await self._acquire(tried)
            _moved_from(tried)
            verdict = Verdict.ABANDONED
            try:
                answer = await upstream.client.complete(request)
                verdict = Verdict.SUCCEEDED
                return answer
            except BackendUnavailable:
                verdict = Verdict.FAILED
                tried.append(upstream)
            except BackendError:  # timeouts, 5xx, broken answers: the model may have run
                verdict = Verdict.FAILED
                raise
            finally:
                await self._release(upstream, verdict)

    async def open_stream(self, request: ChatRequest) -> DeltaStream:
        tried: list[Upstream] = []
        while True:
            upstream = await self._acquire(tried)
            _moved_from(tried)
            try:
                stream = await upstream.client.open_stream(request)
            except BackendUnavailable:
                await self._release(upstream, Verdict.FAILED)
                tried.append(upstream)
                continue
            except BackendError:
                await self._release(upstream, Verdict.FAILED)
                raise
            except BaseException:
                await self._release(upstream, Verdict.ABANDONED)
                raise
            events = aiter(stream)
            try:
                first: Delta | None = await anext(events)
            except StopAsyncIteration:
                first = None
            except BackendTimeout:
                await stream.aclose()
                await self._release(upstream, Verdict.FAILED)
                raise
            except BackendError:
                # Broke before its first token: nothing reached the client yet.
                await stream.aclose()
                await self._release(upstream, Verdict.FAILED)
                tried.append(upstream)
                continue
            except BaseException:
                await stream.aclose()
                await self._release(upstream, Verdict.ABANDONED)
                raise
            return _PooledStream(self, upstream, stream, events, first)

    # Slots and circuits.

    @property
    def changed(self) -> asyncio.Condition:
        if self._changed is None:
            raise BackendUnavailable(f"backend {self.name!r} is not started")
        return self._changed

    def _pick(self, tried: Sequence[Upstream]) -> Upstream | None:
        now = self.clock()
        limit = self.options.max_concurrency
        count = len(self.upstreams)
        order = [self.upstreams[(self._turn + i) % count] for i in range(count)]
        candidates = [
            u
            for u in order
            if u not in tried and u.circuit.allows(now) and (limit == 0 or u.in_flight < limit)
        ]
        if not candidates:
            return None
        self._turn += 1
        return min(candidates, key=lambda u: u.in_flight)

    async def _acquire(self, tried: Sequence[Upstream]) -> Upstream:
        """A slot on the least busy upstream that may take traffic, or 503."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.queue_timeout_s
        async with self.changed:
            while True:
                upstream = self._pick(tried)
                if upstream is not None:
                    upstream.in_flight += 1
                    upstream.requests += 1
                    upstream.circuit.begin(self.clock())
                    return upstream
                now = self.clock()
                # Only a full upstream is worth waiting for; one that is out or
                # was tried for this request will not free up in time.
                waitable = [
                    u for u in self.upstreams if u not in tried and not u.circuit.cooling(now)
                ]
                remaining = deadline - loop.time()
                if not waitable:
                    raise self._unavailable(tried)
                if remaining <= 0:
                    raise BackendUnavailable(
                        f"backend {self.name!r}: every upstream stayed busy for "
                        f"{self.options.queue_timeout_s:g} s (max_concurrency "
                        f"{self.options.max_concurrency}); retry later or add upstreams"
                    )
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await self.changed.wait()

    def _unavailable(self, tried: Sequence[Upstream]) -> BackendUnavailable:
        if tried:
            return BackendUnavailable(
                f"backend {self.name!r}: {len(tried)} of {len(self.upstreams)} upstreams "
                "failed to connect and the others are out; check that they are running"
            )
        return BackendUnavailable(
            f"backend {self.name!r}: all {len(self.upstreams)} upstreams are out after "
            "repeated failures; they are probed again after their cool-down"
        )

    async def _release(self, upstream: Upstream, verdict: Verdict) -> None:
        upstream.in_flight -= 1
        self._judge(upstream, verdict)
        async with self.changed:
            self.changed.notify_all()

    def _judge(self, upstream: Upstream, verdict: Verdict) -> None:
        if verdict is Verdict.SUCCEEDED:
            if upstream.circuit.state is not CircuitState.CLOSED:
                log.info("upstream back in", extra={"backend": self.name, "upstream": upstream.url})
            upstream.circuit.succeeded()
        elif verdict is Verdict.FAILED:
            upstream.failures += 1
            if upstream.circuit.failed(self.clock()):
                log.warning(
                    "upstream taken out",
                    extra={
                        "backend": self.name,
                        "upstream": upstream.url,
                        "failures": upstream.circuit.consecutive_failures,
                    },
                )
        else:
            upstream.circuit.abandoned()

    # Health checks.

    async def check_health(self) -> None:
        """One round: every upstream not cooling down is asked, all at once."""
        now = self.clock()
        due = [u for u in self.upstreams if u.circuit.allows(now)]
        await asyncio.gather(*(self._check(u) for u in due))
        async with self.changed:
            self.changed.notify_all()

    async def _check(self, upstream: Upstream) -> None:
        upstream.circuit.begin(self.clock())
        healthy = await self._probe(upstream)
        self._judge(upstream, Verdict.SUCCEEDED if healthy else Verdict.FAILED)

    async def _probe(self, upstream: Upstream) -> bool:
        timeout = aiohttp.ClientTimeout(total=self.options.health_timeout_s)
        try:
            async with upstream.client.session.get(
                f"{upstream.url}/models", timeout=timeout
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError, OSError, BackendUnavailable):
            return False

    async def _check_health_forever(self) -> None:
        while True:
            await asyncio.sleep(self.options.health_interval_s)
            await self.check_health()


def _moved_from(tried: Sequence[Upstream]) -> None:
    """The request found another upstream after failing at the last one tried."""
    if tried:
        tried[-1].failovers += 1


class _PooledStream:
    """An upstream's stream with its first delta already read; frees the slot and
    tells the circuit how it ended when closed."""

    def __init__(
        self,
        pool: BackendPool,
        upstream: Upstream,
        stream: DeltaStream,
        events: AsyncIterator[Delta],
        first: Delta | None,
    ) -> None:
        self._pool = pool
        self._upstream = upstream
        self._stream = stream
        self._rest = events
        self._first = first
        self._verdict = Verdict.ABANDONED
        self._released = False
        self._events = self._read()

    def __aiter__(self) -> AsyncIterator[Delta]:
        return self._events

    async def _read(self) -> AsyncGenerator[Delta, None]:
        try:
            if self._first is not None:
                yield self._first
            async for delta in self._rest:
                yield delta
        except BackendError:
            self._verdict = Verdict.FAILED
            raise
        self._verdict = Verdict.SUCCEEDED

    async def aclose(self) -> None:
        try:
            await self._events.aclose()
            await self._stream.aclose()
        finally:
            if not self._released:
                self._released = True
                await self._pool._release(self._upstream, self._verdict)
