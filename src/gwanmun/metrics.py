"""Prometheus metrics, counted from audit events: what happened, never who or what text.

Labels are closed sets chosen by Gwanmun (model and backend names from the
configuration, outcomes, grades, finding kinds, error codes), so no user
name, key, prompt or value can reach a metric.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from gwanmun.audit import AuditEvent
from gwanmun.backends.pool import UpstreamStatus
from gwanmun.types import Outcome

log = logging.getLogger("gwanmun.metrics")

CONTENT_TYPE = CONTENT_TYPE_LATEST

_BACKEND_CODES = {"backend_error", "backend_unavailable", "backend_timeout", "stream_aborted"}


class Metrics:
    """One registry per app, so tests and several apps in one process do not mix."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "gwanmun_requests",
            "Chat requests by outcome, grade and model.",
            ["outcome", "grade", "model"],
            registry=self.registry,
        )
        self.findings = Counter(
            "gwanmun_findings",
            "Sensitive-data findings in requests, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.blocks = Counter(
            "gwanmun_blocks",
            "Blocked requests, by each kind of data found in them.",
            ["kind"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gwanmun_request_duration_seconds",
            "Time from request to the end of the response (stream included).",
            ["stream"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.tokens = Counter(
            "gwanmun_tokens",
            "Tokens processed, by type and model.",
            ["type", "model"],
            registry=self.registry,
        )
        self.errors = Counter(
            "gwanmun_errors",
            "Failed requests by error code (backend_* are backend failures).",
            ["code", "backend"],
            registry=self.registry,
        )
        self.backend_errors = Counter(
            "gwanmun_backend_errors",
            "Requests that failed at a model backend.",
            ["backend"],
            registry=self.registry,
        )

    def observe(self, event: AuditEvent) -> None:
        """Count one audit event. Never raises: metrics must not fail a request."""
        try:
            self._observe(event)
        except Exception as exc:  # noqa: BLE001
            log.warning("metrics update failed", extra={"error": type(exc).__name__})

    def _observe(self, event: AuditEvent) -> None:
        # The model name as the client sent it is text from the client: only a name
        # that resolved to a configured backend becomes a label.
        model = event.model if event.backend else "-"
        self.requests.labels(event.outcome.value, event.grade.value, model).inc()
        for finding in event.findings:
            self.findings.labels(finding.kind).inc()
        if event.outcome is Outcome.BLOCKED:
            for kind in sorted({f.kind for f in event.findings}):
                self.blocks.labels(kind).inc()
        self.latency.labels(str(event.stream).lower()).observe(event.latency_ms / 1000)
        if event.usage.prompt_tokens:
            self.tokens.labels("prompt", model).inc(event.usage.prompt_tokens)
        if event.usage.completion_tokens:
            self.tokens.labels("completion", model).inc(event.usage.completion_tokens)
        if event.error_code:
            backend = event.backend or "-"
            self.errors.labels(event.error_code, backend).inc()
            if event.error_code in _BACKEND_CODES:
                self.backend_errors.labels(backend).inc()

    def watch_upstreams(self, status: Callable[[], Sequence[UpstreamStatus]]) -> None:
        """Report the pools' upstreams (read at each scrape) as ``gwanmun_upstream_*``."""
        self.registry.register(_UpstreamCollector(status))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _UpstreamCollector(Collector):
    """Per-upstream gauges and counters of every backend pool, read when scraped.

    Labels are the backend name and upstream URL from the configuration."""

    def __init__(self, status: Callable[[], Sequence[UpstreamStatus]]) -> None:
        self._status = status

    def collect(self) -> Iterator[Metric]:
        labels = ["backend", "upstream"]
        in_flight = GaugeMetricFamily(
            "gwanmun_upstream_in_flight", "Requests in flight at a pool upstream.", labels=labels
        )
        state = GaugeMetricFamily(
            "gwanmun_upstream_state",
            "Circuit of a pool upstream: 0 closed (in), 1 half-open (probing), 2 open (out).",
            labels=labels,
        )
        requests = CounterMetricFamily(
            "gwanmun_upstream_requests", "Requests sent to a pool upstream.", labels=labels
        )
        failures = CounterMetricFamily(
            "gwanmun_upstream_failures",
            "Failed requests and health checks at a pool upstream.",
            labels=labels,
        )
        failovers = CounterMetricFamily(
            "gwanmun_upstream_failovers",
            "Requests moved from a pool upstream to another after a failure before the "
            "first token.",
            labels=labels,
        )
        for up in self._status():
            key = [up.backend, up.url]
            in_flight.add_metric(key, up.in_flight)
            state.add_metric(key, up.state.gauge)
            requests.add_metric(key, up.requests)
            failures.add_metric(key, up.failures)
            failovers.add_metric(key, up.failovers)
        yield from (in_flight, state, requests, failures, failovers)
