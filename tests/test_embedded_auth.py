"""The embedded llama.cpp server answers the gateway only: another local client on
the same loopback port, without the secret made at start, is refused. So does
the separate llama.cpp process tests and benchmarks start (its key in a file)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import openai

from gwanmun.backends.embedded import EmbeddedBackend
from gwanmun.modelfiles import DEFAULT_MODEL_NAME
from tests.conftest import UPSTREAM_MODEL, LiveGateway
from tests.servers import UpstreamProcess

BODY = {
    "model": DEFAULT_MODEL_NAME,
    "messages": [{"role": "user", "content": "Say hello."}],
    "max_tokens": 4,
}


def _embedded(live: LiveGateway) -> EmbeddedBackend:
    backend = live.services.router.resolve(DEFAULT_MODEL_NAME)
    assert isinstance(backend, EmbeddedBackend)
    return backend


def test_a_local_client_without_the_secret_is_refused(live: LiveGateway) -> None:
    base = _embedded(live).http.base_url
    assert base.startswith("http://127.0.0.1:")
    for headers in ({}, {"authorization": "Bearer guessed"}, {"authorization": "Basic Og=="}):
        for path in ("/chat/completions", "/completions"):
            response = httpx.post(base + path, json=BODY, headers=headers, timeout=30)
            assert response.status_code == 401, (path, headers, response.text)
    # The slots and props endpoints would leak prompts in flight; they are closed too.
    assert httpx.get(base.removesuffix("/v1") + "/slots", timeout=30).status_code in (401, 501)


def test_the_gateway_still_reaches_it(live: LiveGateway) -> None:
    with openai.OpenAI(base_url=live.base_url, api_key=live.key, max_retries=0) as client:
        reply = client.chat.completions.create(
            model=DEFAULT_MODEL_NAME,
            messages=[{"role": "user", "content": "Say hello."}],
            max_tokens=4,
        )
    assert reply.choices[0].message.content is not None


def test_the_upstream_helper_server_refuses_a_client_without_its_key(
    upstream: UpstreamProcess, live: LiveGateway
) -> None:
    body = {**BODY, "model": UPSTREAM_MODEL}
    for headers in ({}, {"authorization": "Bearer guessed"}):
        response = httpx.post(
            upstream.base_url + "/chat/completions", json=body, headers=headers, timeout=30
        )
        assert response.status_code == 401, (headers, response.text)
    keyed = httpx.post(
        upstream.base_url + "/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {upstream.api_key}"},
        timeout=60,
    )
    assert keyed.status_code == 200
    # The gateway in front of it has the key (api_key_env) and still answers.
    with openai.OpenAI(base_url=live.base_url, api_key=live.key, max_retries=0) as client:
        reply = client.chat.completions.create(
            model=UPSTREAM_MODEL, messages=[{"role": "user", "content": "Hi."}], max_tokens=4
        )
    assert reply.choices[0].message.content is not None


def test_the_upstream_helper_will_not_start_without_a_key() -> None:
    started = subprocess.run(
        [sys.executable, "-m", "gwanmun.backends.llamacpp_process", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2 and "--api-key-file" in started.stderr
