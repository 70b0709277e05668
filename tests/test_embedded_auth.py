"""The embedded llama.cpp server answers the gateway only: another local client on
the same loopback port, without the secret made at start, is refused."""

from __future__ import annotations

import httpx
import openai

from gwanmun.backends.embedded import EmbeddedBackend
from gwanmun.modelfiles import DEFAULT_MODEL_NAME
from tests.conftest import LiveGateway

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
