"""Streams in flight: the journal that makes a crash mid-stream visible.  [pure]

A streamed answer is written to the hash chain when it ends. A process killed
mid-stream never gets there, so the stream would leave no trace although the
user saw part of an answer. So the gateway writes an ``OpenStream`` row to the
audit database when a stream starts delivering, and the store removes it in
the same transaction that appends the stream's chain record: a row left over
is a stream whose end was never recorded.

``gwanmun audit verify`` (and ``/v1/audit/verify``) lists the rows left over;
the next gateway start closes each one whose process is gone by appending an
``interrupted`` record to the chain (``interrupted_record``), so the trace is
permanent and the chain still verifies. A row's ``owner`` is the process that
wrote it; a store knows whether that process still runs (a lock it holds for
its life), so a start never closes a stream another live gateway is serving.

The row holds what the chain record will hold — user, model, backend, grade,
findings (kinds and offsets), the time delivery started and a digest of the
masked prompt — never raw text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gwanmun.audit.chain import canonical
from gwanmun.types import Outcome

INTERRUPTED_CODE = "interrupted"


@dataclass(frozen=True, slots=True)
class OpenStream:
    """A stream that started delivering and has no closing chain record yet.

    ``body`` is the record the chain gets if the stream is never closed: the
    request's audit record as known when delivery started, with outcome
    ``interrupted``. ``live``: the process that wrote it still runs (filled in
    when the store lists its rows)."""

    request_id: str
    started: float
    body: Mapping[str, Any]
    owner: int = 0
    live: bool = False

    def describe(self) -> str:
        """One line for an operator: id, user, model, backend, when it started."""
        when = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        state = "still streaming (its gateway runs)" if self.live else "interrupted"
        return (
            f"{self.request_id} user={self.body.get('user') or '-'} "
            f"model={self.body.get('model')} backend={self.body.get('backend') or '-'} "
            f"started={when} {state}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "started": self.started,
            "user": self.body.get("user"),
            "model": self.body.get("model"),
            "backend": self.body.get("backend"),
            "grade": self.body.get("grade"),
            "live": self.live,
        }


def opening_body(
    record: Mapping[str, Any], *, started: float, sent: Iterable[Any]
) -> dict[str, Any]:
    """The journal body for a stream starting now: its audit record so far, marked
    interrupted, with the start time and a digest of the masked prompt ``sent``
    (the messages as the model received them; placeholders, never a raw value)."""
    return {
        **record,
        "time": started,
        "outcome": Outcome.INTERRUPTED.value,
        "error_code": INTERRUPTED_CODE,
        "input_sha256": hashlib.sha256(canonical(list(sent))).hexdigest(),
    }


def interrupted_record(entry: OpenStream, *, now: float) -> dict[str, Any]:
    """The chain record that closes a stream whose process is gone."""
    return {**entry.body, "closed_at": now}


def leftovers(entries: Iterable[OpenStream]) -> list[OpenStream]:
    """The rows whose process is gone: what a start closes."""
    return [e for e in entries if not e.live]
