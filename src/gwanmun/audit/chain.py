"""Tamper evidence for the audit log: canonical JSON, a hash chain, an HMAC.  [pure]

Each record's hash covers its sequence number, the previous record's hash and
its body in canonical JSON; the hash is then keyed with an HMAC secret that
the audit store never holds in the same place as the records. So:

* editing a body changes its hash            → ``hash mismatch`` at that record;
* deleting or reordering records breaks the sequence or the link → named;
* re-hashing a forged chain without the key  → ``mac mismatch``.

Cutting records off the *end* leaves a valid shorter chain; ``verify`` takes
the last known head (``expect_head``) to catch that, and ``gwanmun audit
verify`` prints the head for the operator to keep elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


@dataclass(frozen=True, slots=True)
class ChainedRecord:
    seq: int
    prev_hash: str
    body: Mapping[str, Any]
    hash: str
    mac: str


def record_hash(seq: int, prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical({"seq": seq, "prev": prev_hash, "body": body})).hexdigest()


def record_mac(key: bytes, digest: str) -> str:
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


def link(key: bytes, body: Mapping[str, Any], *, previous: ChainedRecord | None) -> ChainedRecord:
    """The record that follows ``previous`` (or starts the chain)."""
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS if previous is None else previous.hash
    digest = record_hash(seq, prev_hash, body)
    return ChainedRecord(seq, prev_hash, body, digest, record_mac(key, digest))


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    head: ChainedRecord | None
    bad_seq: int | None = None
    reason: str | None = None

    def describe(self) -> str:
        if self.ok:
            head = f"seq {self.head.seq}, hash {self.head.hash}" if self.head else "empty"
            return f"chain intact: {self.checked} records verified; head {head}"
        return f"chain broken at record {self.bad_seq}: {self.reason}"


def verify(
    records: Iterable[ChainedRecord],
    key: bytes,
    *,
    expect_head: tuple[int, str] | None = None,
) -> Verification:
    """Check every record in order; name the first one that is wrong."""
    previous: ChainedRecord | None = None
    checked = 0
    for record in records:
        expected_seq = 1 if previous is None else previous.seq + 1
        expected_prev = GENESIS if previous is None else previous.hash
        problem = None
        if record.seq != expected_seq:
            problem = (
                f"sequence jumps from {expected_seq - 1} to {record.seq} "
                "(records deleted or reordered)"
            )
        elif record.prev_hash != expected_prev:
            problem = "does not link to the record before it (deleted, inserted or reordered)"
        elif record_hash(record.seq, record.prev_hash, record.body) != record.hash:
            problem = "hash mismatch (the record was edited)"
        elif not hmac.compare_digest(record_mac(key, record.hash), record.mac):
            problem = "mac mismatch (rewritten without the audit key, or the wrong key)"
        if problem is not None:
            return Verification(False, checked, previous, record.seq, problem)
        previous = record
        checked += 1
    if expect_head is not None:
        seq, digest = expect_head
        if previous is None or previous.seq < seq:
            last = previous.seq if previous else 0
            return Verification(
                False,
                checked,
                previous,
                last + 1,
                f"the chain ends at {last} but the recorded head is {seq} "
                "(records cut off the end)",
            )
        if previous.seq == seq and previous.hash != digest:
            return Verification(False, checked, previous, seq, "head hash differs")
    return Verification(True, checked, previous)
