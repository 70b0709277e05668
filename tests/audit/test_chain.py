"""The audit hash chain names the first bad record after any edit, deletion,
insertion, reordering or forgery, and catches a truncated end given the head."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.audit.chain import ChainedRecord, canonical, link, verify

KEY = b"k" * 32


def chain(n: int) -> list[ChainedRecord]:
    records: list[ChainedRecord] = []
    for i in range(n):
        body = {"request_id": f"r{i}", "user": "kim", "grade": "S", "findings": [{"k": i}]}
        records.append(link(KEY, body, previous=records[-1] if records else None))
    return records


def test_canonical_json_is_stable() -> None:
    assert canonical({"b": 1, "a": "관문"}) == '{"a":"관문","b":1}'.encode()
    assert canonical({"a": 1.0}) == canonical({"a": 1.0})


def test_intact_chain_verifies_and_reports_head() -> None:
    records = chain(5)
    result = verify(records, KEY)
    assert result.ok and result.checked == 5 and result.head == records[-1]
    assert "5 records verified" in result.describe()
    assert verify([], KEY).ok


@given(st.integers(min_value=2, max_value=30), st.data())
@settings(max_examples=60, deadline=None)
def test_edit_delete_reorder_are_named(n: int, data: st.DataObject) -> None:
    records = chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))

    edited = list(records)
    edited[i] = replace(records[i], body={**records[i].body, "user": "lee"})
    result = verify(edited, KEY)
    assert not result.ok and result.bad_seq == i + 1 and "edited" in (result.reason or "")

    if i < n - 1:  # deleting the last record is a truncation, checked below
        deleted = records[:i] + records[i + 1 :]
        assert verify(deleted, KEY).bad_seq == i + 2

    j = data.draw(st.integers(min_value=0, max_value=n - 1).filter(lambda x: x != i))
    swapped = list(records)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    # The record found where the chain first breaks is named by its own sequence number.
    assert verify(swapped, KEY).bad_seq == swapped[min(i, j)].seq


def test_rehashed_forgery_without_the_key_is_caught() -> None:
    records = chain(3)
    forged_body = {**records[1].body, "user": "lee"}
    forged = link(b"not the key", forged_body, previous=records[0])
    result = verify([records[0], forged], KEY)
    assert not result.ok and result.bad_seq == 2 and "mac mismatch" in (result.reason or "")


def test_truncated_end_is_caught_with_the_recorded_head() -> None:
    records = chain(6)
    head = (records[-1].seq, records[-1].hash)
    assert verify(records, KEY, expect_head=head).ok
    cut = verify(records[:4], KEY, expect_head=head)
    assert not cut.ok and cut.bad_seq == 5 and "cut off the end" in (cut.reason or "")
