"""The journal of streams in flight, on both stores (SQLite and a real PostgreSQL):
a row from the first delivered piece, gone with the stream's record; rows of a
process that is gone closed as ``interrupted`` records once, never those of a
live one; no raw value in a row. (Killed for real: tests/test_stream_crash.py.)"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gwanmun.audit import MemoryAuditSink
from gwanmun.audit.store import AuditStore, SQLiteAuditStore
from gwanmun.gateway import ChatStream, Gateway
from tests.audit.test_store import chat, make_gateway
from tests.test_gateway import USER

KEY = bytes(range(32))
PHONE = "010-1234-5678"

StoreFactory = Callable[[], AuditStore]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens stores on one database, as separate gateway processes would."""
    opened: list[AuditStore] = []

    def factory() -> AuditStore:
        store: AuditStore
        if request.param == "sqlite":
            store = SQLiteAuditStore(tmp_path / "audit.db", KEY)
        else:
            from gwanmun.audit.postgres import PostgresAuditStore

            store = PostgresAuditStore(request.getfixturevalue("postgres_url"), KEY)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


async def _started(gateway: Gateway, text: str) -> ChatStream:
    """A stream of which the first piece has been read (delivery has started)."""
    stream = await gateway.handle(dataclasses.replace(chat(text), stream=True), USER)
    assert isinstance(stream, ChatStream)
    await stream.__anext__()
    return stream


async def test_a_stream_is_journalled_from_its_first_piece_until_its_record(
    open_store: StoreFactory,
) -> None:
    store = open_store()
    gateway = make_gateway(store)
    stream = await gateway.handle(
        dataclasses.replace(chat(f"전화 {PHONE} 주세요 그리고 길게 답해 주세요"), stream=True), USER
    )
    assert isinstance(stream, ChatStream)
    assert store.open_streams() == []  # nothing delivered yet
    await stream.__anext__()
    [entry] = store.open_streams()
    assert entry.request_id == stream.request_id and entry.live
    assert entry.body["user"] == USER.user and entry.body["model"] == "fake-model"
    assert entry.body["backend"] == "fake" and entry.body["outcome"] == "interrupted"
    assert [f["kind"] for f in entry.body["findings"]] == ["PHONE"]
    assert len(entry.body["input_sha256"]) == 64
    dumped = json.dumps(entry.body, ensure_ascii=False)
    assert PHONE not in dumped and PHONE.replace("-", "") not in dumped
    async with stream:
        async for _ in stream:
            pass
    assert store.open_streams() == []
    last = list(store.records())[-1]
    assert last.body["request_id"] == stream.request_id and last.body["outcome"] == "masked"


async def test_a_stream_cut_by_the_client_or_closed_unread_leaves_no_row(
    open_store: StoreFactory,
) -> None:
    store = open_store()
    gateway = make_gateway(store)
    unread = await gateway.handle(dataclasses.replace(chat("hello"), stream=True), USER)
    assert isinstance(unread, ChatStream)
    await unread.aclose()
    cut = await _started(gateway, "hello there")
    await cut.aclose()  # the client hung up mid-stream: recorded, not interrupted
    assert store.open_streams() == []
    codes = [r.body["error_code"] for r in store.records()]
    assert codes == ["stream_not_read", "stream_aborted"]


async def test_a_start_closes_the_streams_of_a_process_that_is_gone(
    open_store: StoreFactory,
) -> None:
    dead = open_store()
    stream = await _started(make_gateway(dead), f"전화 {PHONE} 주세요 그리고 길게 답해 주세요")
    # Let go of the process's lock as its death would, leaving the row (no record).
    dead.close()
    starting = open_store()
    [entry] = starting.open_streams()
    assert entry.request_id == stream.request_id and not entry.live
    [closed] = starting.close_interrupted(now=entry.started + 60)
    assert closed.body["request_id"] == stream.request_id
    assert closed.body["outcome"] == "interrupted" and closed.body["error_code"] == "interrupted"
    assert closed.body["closed_at"] == entry.started + 60 and closed.body["stream"] is True
    assert starting.open_streams() == [] and starting.close_interrupted(now=0) == []
    result = starting.verify()
    assert result.ok and result.checked == 1, result.describe()


async def test_a_start_leaves_the_streams_of_a_live_gateway_open(
    open_store: StoreFactory,
) -> None:
    live = open_store()
    stream = await _started(make_gateway(live), "hello there")
    other = open_store()
    [entry] = other.open_streams()
    assert entry.live and entry.request_id == stream.request_id
    assert other.close_interrupted(now=0) == []
    await stream.aclose()  # its own gateway records it: the row goes with the record
    assert other.open_streams() == []
    assert [r.body["outcome"] for r in other.records()] == ["failed"]


async def test_two_starts_at_once_close_a_stream_once(open_store: StoreFactory) -> None:
    dead = open_store()
    # Held, never closed: a collected stream would be finalised (and recorded).
    cut = [await _started(make_gateway(dead), f"{text} hello") for text in ("1", "2", "3")]
    dead.close()
    starts = [open_store(), open_store()]
    closed: list[int] = []
    threads = [
        threading.Thread(target=lambda s=s: closed.append(len(s.close_interrupted(now=1.0))))
        for s in starts
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(closed) == len(cut)
    outcomes = [r.body["outcome"] for r in starts[0].records()]
    assert outcomes == ["interrupted"] * 3 and starts[0].verify().ok


async def test_the_memory_sink_keeps_streams_in_flight() -> None:
    sink = MemoryAuditSink()
    gateway = make_gateway(sink)  # type: ignore[arg-type]
    stream = await _started(gateway, "hello there")
    assert list(sink.open) == [stream.request_id]
    await stream.aclose()
    assert sink.open == {} and len(sink.events) == 1
