"""A failing backend yields an OpenAI-shaped 502/503/504 or a stream error
event, never a hung client, and the gateway stays up."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from devtools.ports import free_port
from gwanmun.audit import MemoryAuditSink
from gwanmun.services import build_services
from gwanmun.settings import BackendConfig, Settings
from gwanmun.types import Grade
from tests.servers import UpstreamProcess, running_gateway


class SilentServer:
    """Accepts connections on loopback and never answers: a hung backend."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        for conn in self.conns:
            conn.close()
        self.sock.close()


class Failing:
    def __init__(self, base_url: str, victim: UpstreamProcess, audit: MemoryAuditSink) -> None:
        self.base_url = base_url
        self.victim = victim
        self.audit = audit
        self.key = ""
        self.client: openai.OpenAI


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Failing]:
    silent = SilentServer()
    victim = UpstreamProcess(parallel=2, threads=1)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("failing"),
        embedded={"enabled": False},
        backends=[
            BackendConfig(
                name="dead",
                base_url=f"http://127.0.0.1:{free_port()}/v1",
                models=["dead-model"],
                retries=1,
                connect_timeout_s=1,
            ),
            BackendConfig(
                name="silent",
                base_url=f"http://127.0.0.1:{silent.port}/v1",
                models=["silent-model"],
                timeout_s=1.0,
            ),
            BackendConfig(
                name="victim",
                base_url=victim.base_url,
                api_key_env=victim.api_key_env,
                models=["victim-model"],
                max_grade=Grade.S,
                timeout_s=30,
            ),
        ],
    )
    audit = MemoryAuditSink()
    services = build_services(settings, audit=audit)
    key, _ = services.keys.create("tester")
    try:
        with running_gateway(settings, services) as base_url:
            state = Failing(base_url, victim, audit)
            state.key = key
            with _client(state) as state.client:
                yield state
    finally:
        services.keys.close()
        victim.stop()
        silent.close()


def _client(failing: Failing) -> openai.OpenAI:  # one per module, closed with it
    return openai.OpenAI(base_url=failing.base_url, api_key=failing.key, max_retries=0, timeout=20)


def test_unreachable_backend_is_503(failing: Failing) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        failing.client.chat.completions.create(
            model="dead-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 503
    assert "unreachable" in info.value.message
    assert failing.audit.events[-1].error_code == "backend_unavailable"


def test_hung_backend_is_504_not_a_hang(failing: Failing) -> None:
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError) as info:
        failing.client.chat.completions.create(
            model="silent-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 504
    assert time.monotonic() - started < 10


def test_hung_backend_stream_is_504(failing: Failing) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        failing.client.chat.completions.create(
            model="silent-model", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    assert info.value.status_code == 504


def test_upstream_killed_mid_stream(failing: Failing) -> None:
    stream = failing.client.chat.completions.create(
        model="victim-model",
        messages=[{"role": "user", "content": "Write a very long story about a lighthouse."}],
        max_tokens=1000,
        temperature=0.8,
        stream=True,
    )
    received = 0
    with pytest.raises(openai.APIError) as info:
        for chunk in stream:
            received += len(chunk.choices)
            if received == 3:
                failing.victim.kill()
    assert received >= 3
    assert "broke the stream" in str(info.value) or "without [DONE]" in str(info.value)
    event = failing.audit.events[-1]
    assert event.outcome.value == "failed" and event.error_code == "backend_error"
    # The gateway itself is still up and answering.
    root = failing.base_url.removesuffix("/v1")
    assert httpx.get(f"{root}/healthz").status_code == 200
    with pytest.raises(openai.APIStatusError) as after:
        failing.client.chat.completions.create(
            model="victim-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert after.value.status_code == 503
    ready = httpx.get(f"{root}/readyz")
    assert ready.status_code == 503
    assert ready.json()["backends"]["victim"] is False


class DropFirstServer:
    """Answers like an OpenAI server, except that it closes the first connection
    after reading a request, without a response: a stale keep-alive connection."""

    ANSWER = (
        b'{"id":"x","object":"chat.completion","created":0,"model":"m","choices":'
        b'[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"ok"}}],'
        b'"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
    )

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:
                        break
                    data += more
                if b"\r\n\r\n" not in data:
                    continue
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                while len(rest) < length:
                    more = conn.recv(65536)
                    if not more:
                        break
                    rest += more
                self.requests += 1
                if self.requests == 1:
                    continue  # close without a byte of response
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(self.ANSWER)}\r\nconnection: close\r\n\r\n".encode()
                    + self.ANSWER
                )


async def test_connection_closed_before_any_answer_is_retried_once() -> None:
    from gwanmun.backends.openai_compat import OpenAICompatBackend
    from gwanmun.types import ChatMessage, ChatRequest

    server = DropFirstServer()
    backend = OpenAICompatBackend(
        name="flaky",
        base_url=f"http://127.0.0.1:{server.port}/v1",
        models=["m"],
        max_grade=Grade.S,
        api_key=None,
        timeout_s=10,
        connect_timeout_s=2,
        retries=1,
    )
    await backend.start()
    try:
        request = ChatRequest(model="m", messages=(ChatMessage("user", "hi"),), max_tokens=4)
        answer = await backend.complete(request)
    finally:
        await backend.close()
        server.sock.close()
    assert answer.content == "ok"
    assert server.requests == 2
