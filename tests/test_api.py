"""The OpenAI-compatible API, driven by the official ``openai`` client against a
real uvicorn server on 127.0.0.1, in front of the embedded SmolLM2 model and a
separate llama.cpp server process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.conftest import UPSTREAM_MODEL, LiveGateway

EMBEDDED_MODEL = "smollm2-135m-instruct"
MODELS = [EMBEDDED_MODEL, UPSTREAM_MODEL]


_CLIENTS: dict[tuple[str, str], openai.OpenAI] = {}


def client(live: LiveGateway, key: str | None = None) -> openai.OpenAI:
    """One client per key for the module (closed at its end), as an application would."""
    cache_key = (live.base_url, key or live.key)
    if cache_key not in _CLIENTS:
        _CLIENTS[cache_key] = openai.OpenAI(
            base_url=live.base_url, api_key=key or live.key, max_retries=0
        )
    return _CLIENTS[cache_key]


@pytest.fixture(autouse=True, scope="module")
def _close_clients() -> Iterator[None]:
    yield
    for opened in _CLIENTS.values():
        opened.close()
    _CLIENTS.clear()


@pytest.mark.parametrize("model", MODELS)
def test_chat_completion(live: LiveGateway, model: str) -> None:
    response = client(live).chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Name one colour."}],
        max_tokens=16,
        temperature=0,
    )
    assert response.model == model
    assert response.object == "chat.completion"
    content = response.choices[0].message.content
    assert isinstance(content, str) and content.strip()
    assert response.usage is not None and response.usage.completion_tokens > 0
    extra = response.model_extra or {}
    assert extra["gwanmun"]["ai_generated"] is True


@pytest.mark.parametrize("model", MODELS)
def test_chat_stream_with_usage(live: LiveGateway, model: str) -> None:
    stream = client(live).chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Count from one to five."}],
        max_tokens=24,
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces: list[str] = []
    finish = None
    usage = None
    for chunk in stream:
        assert chunk.model == model
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    assert "".join(pieces).strip()
    assert finish in {"stop", "length"}
    assert usage is not None and usage.completion_tokens > 0


def test_stream_ends_with_done_and_no_usage_unless_asked(live: LiveGateway) -> None:
    with httpx.stream(
        "POST",
        f"{live.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {live.key}"},
        json={
            "model": EMBEDDED_MODEL,
            "messages": [{"role": "user", "content": "Hi"}],
            "max_tokens": 8,
            "stream": True,
        },
        timeout=60,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line[5:].strip() for line in response.iter_lines() if line.startswith("data:")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all("usage" not in c for c in chunks)
    assert all("timings" not in c for c in chunks)


@pytest.mark.parametrize("model", MODELS)
async def test_four_concurrent_streams_complete(live: LiveGateway, model: str) -> None:
    aclient = openai.AsyncOpenAI(base_url=live.base_url, api_key=live.key, max_retries=0)

    async def one(i: int) -> tuple[str, str | None]:
        stream = await aclient.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": f"Write a sentence about the number {i}."}],
            max_tokens=32,
            stream=True,
        )
        text, finish = "", None
        async for chunk in stream:
            for choice in chunk.choices:
                text += choice.delta.content or ""
                finish = choice.finish_reason or finish
        return text, finish

    results = await asyncio.gather(*(one(i) for i in range(4)))
    await aclient.close()
    assert len(results) == 4
    for text, finish in results:
        assert text.strip()
        assert finish in {"stop", "length"}


def test_models_lists_what_is_served(live: LiveGateway) -> None:
    models = client(live).models.list()
    ids = sorted(m.id for m in models.data)
    # The chat models, and the encoder behind /v1/embeddings.
    assert ids == sorted([*MODELS, "multilingual-e5-small"])


def test_unknown_model_is_404(live: LiveGateway) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        client(live).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
        )
    # What was asked for is not repeated (it can hide anything); what is served is.
    assert "That model does not exist here" in str(info.value)
    assert EMBEDDED_MODEL in str(info.value)
    assert info.value.body["param"] == "model"  # type: ignore[index]


def test_missing_and_wrong_keys_are_401(live: LiveGateway) -> None:
    response = httpx.get(f"{live.base_url}/models")
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"
    with pytest.raises(openai.AuthenticationError):
        client(live, key="gwk_000000000000_wrong").models.list()
    with pytest.raises(openai.AuthenticationError):
        client(live, key="not-a-gwanmun-key").chat.completions.create(
            model=EMBEDDED_MODEL, messages=[{"role": "user", "content": "hi"}]
        )


def test_revoked_key_is_401(live: LiveGateway) -> None:
    key, info = live.keys.create("leaver")
    assert client(live, key=key).models.list().data
    live.keys.revoke(info.key_id)
    with pytest.raises(openai.AuthenticationError) as excinfo:
        client(live, key=key).models.list()
    assert "revoked" in str(excinfo.value)


def _post(live: LiveGateway, content: bytes | str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{live.base_url}/chat/completions",
        content=content,
        headers={
            "Authorization": f"Bearer {live.key}",
            "content-type": "application/json",
            **headers,
        },
        timeout=30,
    )


def _body(**fields: object) -> str:
    base: dict[str, object] = {
        "model": EMBEDDED_MODEL,
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 4,
    }
    base.update(fields)
    return json.dumps(base)


@pytest.mark.parametrize(
    ("content", "status", "code", "needle"),
    [
        (b"", 400, "invalid_request", "empty"),
        (b"{not json", 400, "invalid_request", "not valid JSON"),
        (
            b'{"model": "x", "messages": [{"role": "user", "content": "\xff\xfe"}]}',
            400,
            "invalid_request",
            "UTF-8",
        ),
        (_body(messages=[]), 400, "invalid_request", "messages"),
        (
            _body(messages=[{"role": "user", "content": "x"}] * 9),
            400,
            "invalid_request",
            "limit is 8",
        ),
        (_body(max_tokens=5000), 400, "invalid_request", "1024"),
        (_body(max_tokens=0), 400, "invalid_request", "max_tokens"),
        (_body(temperature=9), 400, "invalid_request", "temperature"),
        (_body(frobnicate=True), 400, "invalid_request", "frobnicate"),
        (_body(n=3), 400, "invalid_request", "n"),
        (_body(messages=[{"role": "wizard", "content": "x"}]), 400, "invalid_request", "role"),
        (
            _body(messages=[{"role": "user", "content": "\ud800"}]),
            400,
            "invalid_request",
            "surrogate",
        ),
        (
            _body(messages=[{"role": "user", "content": "x" * 70000}]),
            413,
            "payload_too_large",
            "65536",
        ),
    ],
)
def test_bad_requests_get_clear_openai_errors(
    live: LiveGateway, content: bytes | str, status: int, code: str, needle: str
) -> None:
    response = _post(live, content)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert needle in error["message"] or needle == error.get("param")


def test_too_many_messages_via_sdk(live: LiveGateway) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client(live).chat.completions.create(
            model=EMBEDDED_MODEL,
            messages=[{"role": "user", "content": "x"}] * 9,
        )
    assert "Too many messages" in str(info.value)


def test_unknown_path_and_method(live: LiveGateway) -> None:
    response = httpx.get(f"{live.base_url}/completions/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = httpx.get(f"{live.base_url}/chat/completions")
    assert response.status_code == 405


def test_health_and_ready(live: LiveGateway) -> None:
    root = live.base_url.removesuffix("/v1")
    assert httpx.get(f"{root}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{root}/readyz")
    assert ready.status_code == 200
    assert ready.json()["backends"] == {"embedded": True, "upstream": True}


def test_audit_event_per_request_without_text(live: LiveGateway) -> None:
    before = len(live.audit.events)
    client(live).chat.completions.create(
        model=EMBEDDED_MODEL,
        messages=[{"role": "user", "content": "Describe the colour periwinkle in one sentence."}],
        max_tokens=4,
    )
    events = live.audit.events[before:]
    assert len(events) == 1
    event = events[0]
    assert event.principal.user == "tester" and event.principal.group == "qa"
    assert event.outcome.value == "allowed"
    assert event.usage.completion_tokens > 0
    assert "periwinkle" not in json.dumps(event.as_dict())


def test_langchain_chat_openai(live: LiveGateway) -> None:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(
        model=EMBEDDED_MODEL,
        base_url=live.base_url,
        api_key=live.key,  # type: ignore[arg-type]
        max_tokens=16,  # type: ignore[call-arg]
        max_retries=0,
    )
    answer = llm.invoke("Name a fruit.")
    assert isinstance(answer.content, str) and answer.content.strip()
    streamed = "".join(str(part.content) for part in llm.stream("Name a city."))
    assert streamed.strip()
