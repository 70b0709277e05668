"""A shared database that stops answering holds only the requests that wait for
it: the key and session lookups of a gateway whose accounts are on PostgreSQL
run off the event loop, so health checks (and every stream in progress) are
still served while a lookup waits, and the waiting request is answered once
the database answers again.

The database is reached through a loopback relay that can be paused: bytes
are held, in both directions, for as long as it is paused — what a stalled
server or a congested link looks like to libpq.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from devtools.postgres import PostgresServer
from gwanmun.accounts import AccountStore
from gwanmun.settings import Settings
from tests.servers import running_gateway
from tests.upstream import MODEL, ScriptedUpstream, scripted_settings


class PausableRelay:
    """Forwards loopback TCP connections to ``port``; ``pause()`` holds every
    byte until ``resume()``, ``pause_at(marker)`` from the first query that
    holds ``marker`` on. ``held`` is set once a byte was held."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.flowing = threading.Event()
        self.flowing.set()
        self.held = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._marker: bytes | None = None
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        asks = source.getsockname()[1] == self.port  # the client's side: queries
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            marker = self._marker
            if asks and marker is not None and marker in data:
                self._marker = None
                self.flowing.clear()
            if not self.flowing.is_set():
                self.held.set()
                self.flowing.wait()
            try:
                sink.sendall(data)
            except OSError:
                return

    def pause(self) -> None:
        self.held.clear()
        self.flowing.clear()

    def pause_at(self, marker: bytes) -> None:
        self.held.clear()
        self._marker = marker

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for sock in self._sockets:
            sock.close()


def _relayed_gateway(
    postgres: PostgresServer, database: str, upstream: ScriptedUpstream, tmp_path: Path
) -> tuple[str, PausableRelay, Settings]:
    """A database with user kim and a key of theirs, a relay in front of it, and
    a gateway's settings that reach the database through the relay."""
    url = postgres.create_database(database)
    store = AccountStore(url)
    try:
        store.create_user("kim")
        key, _ = store.create("kim")
    finally:
        store.close()
    relay = PausableRelay(postgres.port)
    relayed = url.replace(f":{postgres.port}/", f":{relay.port}/")
    return key, relay, scripted_settings(upstream, tmp_path / "data", database_url=relayed)


def test_a_stalled_account_database_holds_only_the_requests_that_wait_for_it(
    postgres: PostgresServer, scripted_upstream: ScriptedUpstream, tmp_path: Path
) -> None:
    key, relay, settings = _relayed_gateway(postgres, "t_stalled", scripted_upstream, tmp_path)
    body = {"model": MODEL, "messages": [{"role": "user", "content": "회의 요약을 부탁합니다"}]}
    headers = {"authorization": f"Bearer {key}"}
    try:
        with running_gateway(settings) as base, ThreadPoolExecutor(1) as pool:
            first = httpx.post(f"{base}/chat/completions", json=body, headers=headers, timeout=30)
            assert first.status_code == 200, first.text
            relay.pause()
            waiting = pool.submit(
                httpx.post, f"{base}/chat/completions", json=body, headers=headers, timeout=60
            )
            # The lookup has reached the database and waits for its answer.
            assert relay.held.wait(timeout=20), "the request never asked the database"
            assert not waiting.done()
            # Served while the lookup waits (on the event loop, it would wait too).
            health = httpx.get(base.removesuffix("/v1") + "/healthz", timeout=10)
            assert health.status_code == 200
            assert not waiting.done()
            relay.resume()
            answered = waiting.result(timeout=60)
            assert answered.status_code == 200, answered.text
            assert answered.json()["choices"][0]["message"]["content"]
    finally:
        relay.close()


def test_a_stalled_workspace_query_holds_only_its_request(
    postgres: PostgresServer, scripted_upstream: ScriptedUpstream, tmp_path: Path
) -> None:
    """Templates, knowledge bases and uploaded files share the database with the
    accounts: the relay holds the route's own query (the key was already looked
    up), and the gateway goes on serving."""
    key, relay, settings = _relayed_gateway(
        postgres, "t_stalled_workspace", scripted_upstream, tmp_path
    )
    headers = {"authorization": f"Bearer {key}"}
    try:
        with running_gateway(settings) as base, ThreadPoolExecutor(1) as pool:
            for path, query in (
                ("/templates", b"FROM templates t"),
                ("/knowledge_bases", b"FROM kb_bases"),
                ("/files", b"FROM files WHERE owner"),
            ):
                relay.pause_at(query)
                waiting = pool.submit(httpx.get, f"{base}{path}", headers=headers, timeout=60)
                assert relay.held.wait(timeout=20), f"{path} never sent {query!r}"
                assert not waiting.done()
                health = httpx.get(base.removesuffix("/v1") + "/healthz", timeout=10)
                assert health.status_code == 200, path
                assert not waiting.done()
                relay.resume()
                answered = waiting.result(timeout=60)
                assert answered.status_code == 200, answered.text
                assert answered.json()["object"] == "list"
    finally:
        relay.close()
