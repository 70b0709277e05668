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
from tests.servers import running_gateway
from tests.upstream import MODEL, ScriptedUpstream, scripted_settings


class PausableRelay:
    """Forwards loopback TCP connections to ``port``; ``pause()`` holds every
    byte until ``resume()``. ``held`` is set once a byte was held."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.flowing = threading.Event()
        self.flowing.set()
        self.held = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
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
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
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

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for sock in self._sockets:
            sock.close()


def test_a_stalled_account_database_holds_only_the_requests_that_wait_for_it(
    postgres: PostgresServer, scripted_upstream: ScriptedUpstream, tmp_path: Path
) -> None:
    url = postgres.create_database("t_stalled")
    store = AccountStore(url)
    try:
        store.create_user("kim")
        key, _ = store.create("kim")
    finally:
        store.close()
    relay = PausableRelay(postgres.port)
    relayed = url.replace(f":{postgres.port}/", f":{relay.port}/")
    settings = scripted_settings(scripted_upstream, tmp_path / "data", database_url=relayed)
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
