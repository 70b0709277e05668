"""A circuit breaker for one upstream of a pool: pure state, the clock passed in.

::

    closed ──(threshold consecutive failures)──▶ open
    open ──(cool-down over; one probe begins)──▶ half-open
    half-open ──(probe succeeds)──▶ closed
    half-open ──(probe fails)──▶ open (cool-down starts again)

A probe is a health check or a request; while one is out, nothing else is let
through, so a server that just came back is not buried under the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def gauge(self) -> int:
        """The state as a number for /metrics: 0 closed, 1 half-open, 2 open."""
        return {"closed": 0, "half_open": 1, "open": 2}[self.value]


@dataclass(slots=True)
class Circuit:
    """Whether an upstream may be sent traffic, from its recent failures."""

    threshold: int
    cooldown_s: float
    state: CircuitState = CircuitState.CLOSED
    consecutive_failures: int = 0
    opened_at: float = 0.0
    probing: bool = False

    def allows(self, now: float) -> bool:
        """Whether a request (or health check) may be sent now."""
        if self.state is CircuitState.CLOSED:
            return True
        if self.state is CircuitState.OPEN and now - self.opened_at < self.cooldown_s:
            return False
        return not self.probing

    def cooling(self, now: float) -> bool:
        """Open and still inside its cool-down: not even a probe may go."""
        return self.state is CircuitState.OPEN and now - self.opened_at < self.cooldown_s

    def begin(self, now: float) -> None:
        """Something is sent; after the cool-down it is the one probe."""
        if self.state is CircuitState.OPEN and now - self.opened_at >= self.cooldown_s:
            self.state = CircuitState.HALF_OPEN
        if self.state is CircuitState.HALF_OPEN:
            self.probing = True

    def succeeded(self) -> None:
        self.state = CircuitState.CLOSED
        self.consecutive_failures = 0
        self.probing = False

    def failed(self, now: float) -> bool:
        """Count a failure; return whether the circuit opened because of it."""
        self.consecutive_failures += 1
        self.probing = False
        was_open = self.state is CircuitState.OPEN
        if self.state is CircuitState.HALF_OPEN or self.consecutive_failures >= self.threshold:
            self.state = CircuitState.OPEN
            self.opened_at = now
        return self.state is CircuitState.OPEN and not was_open

    def abandoned(self) -> None:
        """What was sent ended without a verdict (the client left): free the probe."""
        self.probing = False
