"""Nothing reaches a client that the output guard did not see.

A scripted upstream on 127.0.0.1 (a stand-in, named so: the point is what the
gateway lets through, not what a model would write) puts a value the user never
supplied into one field of its answer at a time — content, reasoning, refusal,
tool-call names and arguments, log-probability tokens and their alternatives,
and fields no version of the API has. The real gateway under uvicorn serves it
to the official ``openai`` client, streamed (one character per event, a few, or
all at once) and not. The assertion is on the bytes the client received, and
on every text field joined across the stream as a client would join it.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai
import pytest

from gwanmun.audit import MemoryAuditSink
from gwanmun.services import build_services
from gwanmun.types import Outcome, Role
from tests.servers import running_gateway
from tests.upstream import MODEL, Script, ScriptedUpstream, scripted_settings


@dataclass
class Rig:
    upstream: ScriptedUpstream
    client: openai.OpenAI
    audit: MemoryAuditSink


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    upstream = ScriptedUpstream()
    settings = scripted_settings(
        upstream,
        tmp_path_factory.mktemp("fields"),
        rate_limits={"user_requests_per_minute": 10_000, "group_requests_per_minute": 10_000},
    )
    audit = MemoryAuditSink()
    services = build_services(settings, audit=audit)
    key, _ = services.keys.create("tester", group="qa", role=Role.USER)
    try:
        with running_gateway(settings, services) as base_url:
            client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
            yield Rig(upstream, client, audit)
            client.close()
    finally:
        services.keys.close()
        upstream.stop()


# --- values the user never supplied, generated -------------------------------


def _phone(rng: random.Random) -> str:
    return f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"


def _rrn(rng: random.Random) -> str:
    digits = [
        rng.randint(6, 9),
        rng.randint(0, 9),
        0,
        rng.randint(1, 9),
        rng.randint(1, 2),
        rng.randint(0, 8),
        rng.randint(1, 2),
    ] + [rng.randint(0, 9) for _ in range(5)]
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    check = (11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11) % 10
    raw = "".join(map(str, digits)) + str(check)
    return f"{raw[:6]}-{raw[6:]}"


def _email(rng: random.Random) -> str:
    name = "".join(rng.choice("abcdefghkmnprstuvwxyz") for _ in range(rng.randint(5, 9)))
    return f"{name}.{rng.randint(10, 99)}@example-mail.kr"


VALUES = [_phone, _rrn, _email]

# Where the upstream hides the value: a builder of (message, logprobs, extra).
FIELDS = [
    "content",
    "reasoning",
    "refusal",
    "tool_arguments",
    "tool_name",
    "logprob_tokens",
    "logprob_alternatives",
    "unknown_fields",
]


def _script(where: str, value: str, chunk: int) -> Script:
    sentence = f"연락처는 {value} 입니다. 확인해 주세요."
    if where == "content":
        return Script({"role": "assistant", "content": sentence}, chunk)
    if where == "reasoning":
        return Script(
            {"role": "assistant", "reasoning_content": sentence, "content": "답변입니다."}, chunk
        )
    if where == "refusal":
        return Script({"role": "assistant", "content": None, "refusal": sentence}, chunk)
    if where in ("tool_arguments", "tool_name"):
        arguments = json.dumps({"to": value, "note": "call back"}, ensure_ascii=False)
        name = f"dial {value}" if where == "tool_name" else "send_message"
        call = {"id": "up-call", "type": "function", "function": {"name": name}}
        call["function"]["arguments"] = arguments
        return Script({"role": "assistant", "content": None, "tool_calls": [call]}, chunk)
    if where in ("logprob_tokens", "logprob_alternatives"):
        tokens = [sentence[i : i + 3] for i in range(0, len(sentence), 3)]
        entries = [{"token": t, "logprob": -0.1, "bytes": None, "top_logprobs": []} for t in tokens]
        if where == "logprob_alternatives":
            entries[0]["top_logprobs"] = [{"token": value, "logprob": -2.0, "bytes": None}]
        return Script({"role": "assistant", "content": sentence}, chunk, logprobs=entries)
    assert where == "unknown_fields"
    return Script(
        {"role": "assistant", "content": "답변입니다.", "audio": {"transcript": value}},
        chunk,
        extra={
            "top": {"system_fingerprint": value, "x_debug": {"prompt": value}},
            "choice": {"provider_note": value},
        },
    )


def _strings(node: Any, path: str, out: dict[str, list[str]]) -> None:
    """Every string in a JSON value, by its path with list positions kept (a
    stream's pieces of one field share a path)."""
    if isinstance(node, str):
        out.setdefault(path, []).append(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            _strings(value, f"{path}.{key}", out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _strings(value, f"{path}[{i}]", out)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_never_received(raw: str, bodies: list[Any], value: str) -> None:
    assert value not in raw
    joined: dict[str, list[str]] = {}
    for body in bodies:
        _strings(body, "", joined)
    # A stream's log-probability tokens sit at different list positions: a client
    # joins them in order, so join every token path too.
    tokens = [s for path, parts in joined.items() if path.endswith(".token") for s in parts]
    joined["tokens"] = tokens
    key = _digits(value) if "@" not in value else value.split("@")[0]
    for path, parts in joined.items():
        text = "".join(parts)
        assert value not in text, path
        if "@" in value:
            assert key not in text, path
        else:
            assert key not in _digits(text), path


@pytest.mark.parametrize("where", FIELDS)
@pytest.mark.parametrize("chunk", [0, 1, 4, -1])  # -1: the JSON answer, not a stream
def test_a_value_in_any_answer_field_never_reaches_the_client(
    rig: Rig, where: str, chunk: int
) -> None:
    rng = random.Random(f"{where}-{chunk}")
    for make in VALUES:
        value = make(rng)
        rig.upstream.script = _script(where, value, max(chunk, 0))
        kwargs: dict[str, Any] = {
            "model": MODEL,
            "messages": [{"role": "user", "content": "담당자 연락처를 알려 주세요."}],
        }
        if where.startswith("logprob"):
            kwargs |= {"logprobs": True, "top_logprobs": 2}
        if where.startswith("tool"):
            kwargs["tools"] = [
                {"type": "function", "function": {"name": "send_message", "parameters": {}}}
            ]
        if chunk < 0:
            response = rig.client.chat.completions.with_raw_response.create(**kwargs)
            raw = response.text
            bodies = [json.loads(raw)]
        else:
            with rig.client.chat.completions.with_streaming_response.create(
                stream=True, **kwargs
            ) as response:
                raw = "\n".join(response.iter_lines())
            bodies = [
                json.loads(line[5:])
                for line in raw.splitlines()
                if line.startswith("data:") and line.strip() != "data: [DONE]"
            ]
            assert raw.rstrip().endswith("data: [DONE]")
        assert not any("error" in b for b in bodies), raw[-400:]
        _assert_never_received(raw, bodies, value)
        event = rig.audit.events[-1]
        assert event.outcome is Outcome.ALLOWED
        assert value not in json.dumps([f.as_dict() for f in event.output_findings])


def test_tool_arguments_get_the_users_own_value_back(rig: Rig) -> None:
    """The user's value is masked on the way in and restored in a tool call's
    arguments on the way out, like in the content."""
    phone = "010-2718-2818"
    rig.upstream.script = Script(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "up",
                    "type": "function",
                    "function": {"name": "send_message", "arguments": '{"to": "[PHONE_1]"}'},
                }
            ],
        },
        chunk=2,
    )
    stream = rig.client.chat.completions.create(
        model=MODEL,
        stream=True,
        messages=[{"role": "user", "content": f"{phone} 번호로 문자를 보내 주세요."}],
        tools=[{"type": "function", "function": {"name": "send_message", "parameters": {}}}],
    )
    arguments, ids = "", set()
    for chunk in stream:
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            arguments += call.function.arguments or "" if call.function else ""
            if call.id:
                ids.add(call.id)
    assert phone not in json.dumps(rig.upstream.received[-1], ensure_ascii=False)
    assert json.loads(arguments) == {"to": phone}
    # The gateway's own id, not the upstream's text.
    assert len(ids) == 1 and ids.pop().startswith("call_")


def test_logprobs_kept_when_nothing_was_masked(rig: Rig) -> None:
    sentence = "The meeting moved to Friday afternoon."
    tokens = [sentence[i : i + 4] for i in range(0, len(sentence), 4)]
    rig.upstream.script = Script(
        {"role": "assistant", "content": sentence},
        chunk=3,
        logprobs=[{"token": t, "logprob": -0.5, "top_logprobs": []} for t in tokens],
    )
    stream = rig.client.chat.completions.create(
        model=MODEL, stream=True, logprobs=True, messages=[{"role": "user", "content": "When?"}]
    )
    text, received = "", []
    for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            if chunk.choices[0].logprobs and chunk.choices[0].logprobs.content:
                received += [e.token for e in chunk.choices[0].logprobs.content]
    assert text == sentence
    assert received == tokens
    reply = rig.client.chat.completions.create(
        model=MODEL, logprobs=True, messages=[{"role": "user", "content": "When?"}]
    )
    assert reply.choices[0].logprobs is not None
    assert [e.token for e in reply.choices[0].logprobs.content or []] == tokens


def test_a_stream_never_read_is_audited(rig: Rig) -> None:
    """A client that opens a stream and leaves before reading it still leaves
    exactly one audit record."""
    import httpx

    rig.upstream.script = Script({"role": "assistant", "content": "ok"})
    before = len(rig.audit.events)
    url = str(rig.client.base_url).rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {rig.client.api_key}"}
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with httpx.Client(timeout=10) as http, http.stream("POST", url, json=body, headers=headers):
        pass  # the response's headers came; nothing of the body is read
    deadline = time.monotonic() + 10
    while len(rig.audit.events) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert len(rig.audit.events) == before + 1
