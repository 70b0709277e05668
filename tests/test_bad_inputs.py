"""Every bad input is a 4xx with a clear message, never a 500: JSON nested past
any sensible depth, lone surrogates in any text field, on every JSON route —
then a bounded hypothesis run over the routes with 0 responses >= 500.

The upstream is the scripted stand-in of ``test_answer_fields`` (named so: the
point is the gateway's parsing, not a model's answer)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from gwanmun.audit import MemoryAuditSink
from gwanmun.services import build_services
from gwanmun.types import Role
from tests.servers import running_gateway
from tests.upstream import MODEL, ScriptedUpstream, scripted_settings

PASSWORD = "a long enough password"


@dataclass
class Rig:
    base: str
    user: dict[str, str]
    admin: dict[str, str]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    upstream = ScriptedUpstream()
    settings = scripted_settings(
        upstream,
        tmp_path_factory.mktemp("bad"),
        rate_limits={"user_requests_per_minute": 0, "group_requests_per_minute": 0},
        accounts={"login_attempts_per_minute": 0},
    )
    services = build_services(settings, audit=MemoryAuditSink())
    user, _ = services.keys.create("tester", group="qa", role=Role.USER)
    admin, _ = services.keys.create("boss", group="it", role=Role.ADMIN)
    try:
        with running_gateway(settings, services) as base:
            yield Rig(
                base,
                {"authorization": f"Bearer {user}", "content-type": "application/json"},
                {"authorization": f"Bearer {admin}", "content-type": "application/json"},
            )
    finally:
        upstream.stop()


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def chat(**fields: object) -> dict[str, object]:
    return {"model": MODEL, "messages": [{"role": "user", "content": "hello"}], **fields}


LONE = "\ud800"


def _post(rig: Rig, path: str, raw: str | bytes, who: str = "user") -> httpx.Response:
    headers = rig.user if who == "user" else rig.admin
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return httpx.post(rig.base + path, content=data, headers=headers, timeout=60)


def _raw(value: object) -> str:
    # ensure_ascii keeps a lone surrogate as the escape \ud800, as a client would send it.
    return json.dumps(value)


DEEP = 1200

CASES: list[tuple[str, str, str]] = [
    ("/auth/login", '{"username": ' + nested(DEEP) + ', "password": "x"}', "user"),
    ("/templates", '{"title": ' + nested(DEEP) + "}", "user"),
    ("/guard/scan", '{"text": ' + nested(DEEP) + "}", "user"),
    ("/chat/completions", _raw(chat())[:-1] + ', "metadata": ' + nested(DEEP) + "}", "user"),
    (
        "/chat/completions",
        _raw(chat())[:-1] + ', "response_format": ' + deep_object(500) + "}",
        "user",
    ),
    (
        "/chat/completions",
        _raw(chat())[:-1] + ', "response_format": ' + deep_object(150) + "}",
        "user",
    ),
    (
        "/chat/completions",
        _raw(
            {
                "model": MODEL,
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": None, "tool_calls": "@@"},
                ],
            }
        ).replace('"@@"', "[" + deep_object(500) + "]"),
        "user",
    ),
    (
        "/chat/completions",
        _raw(chat(messages=[{"role": "user", "content": "hi", "name": LONE}])),
        "user",
    ),
    ("/chat/completions", _raw(chat(stop=LONE)), "user"),
    ("/chat/completions", _raw(chat(stop=["a", LONE])), "user"),
    (
        "/chat/completions",
        _raw(chat(tools=[{"type": "function", "function": {"name": LONE, "parameters": {}}}])),
        "user",
    ),
    (
        "/chat/completions",
        _raw(
            chat(
                messages=[
                    {"role": "user", "content": "hi"},
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "id": "c1",
                                "type": "function",
                                "function": {"name": "f", "arguments": LONE},
                            }
                        ],
                    },
                    {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                ]
            )
        ),
        "user",
    ),
    ("/guard/scan", _raw({"text": "a" + LONE}), "user"),
    ("/admin/users", _raw({"name": "surrogate.kim", "group": LONE}), "admin"),
    ("/admin/users/tester", _raw({"group": LONE}), "admin"),
]


@pytest.mark.parametrize(
    ("path", "raw", "who"), CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)]
)
def test_a_bad_body_is_a_4xx_with_a_message(rig: Rig, path: str, raw: str, who: str) -> None:
    if path == "/admin/users/tester":
        reply = httpx.patch(rig.base + path, content=raw.encode(), headers=rig.admin, timeout=60)
    else:
        reply = _post(rig, path, raw, who)
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text[:300])
    message = reply.json()["error"]["message"]
    assert message and LONE not in message


def test_the_messages_say_what_is_wrong_and_where(rig: Rig) -> None:
    deep = _post(rig, "/auth/login", '{"username": ' + nested(DEEP) + "}").json()["error"]
    assert "nested too deeply" in deep["message"]
    fmt = _raw(chat())[:-1] + ', "response_format": ' + deep_object(100) + "}"
    assert "response_format is nested more than 64" in _post(rig, "/chat/completions", fmt).text
    stop = _post(rig, "/chat/completions", _raw(chat(stop=["a", LONE]))).json()["error"]
    assert "stop[1] contains a lone UTF-16 surrogate (\\ud800)" in stop["message"]
    group = _post(rig, "/admin/users", _raw({"name": "g.kim", "group": LONE}), "admin").json()
    assert "body.group contains a lone UTF-16 surrogate" in group["error"]["message"]


def test_an_error_never_echoes_a_value_hidden_in_a_model_name_or_a_key(rig: Rig) -> None:
    """What the client typed where a name goes can carry anything: the error
    says what is wrong without repeating it (a name that reads as one is shown)."""
    digits = "9001011234568"
    for body in (
        chat(model=f"x{digits}"),
        chat(model="주민번호 900101-1234568"),
        {**chat(), f"x{digits}": 1},
        {**chat(), "주민번호 900101-1234568": 1},
        chat(messages=[{"role": "user", "content": "hi", f"k{digits}": 1}]),
    ):
        answer = _post(rig, "/chat/completions", _raw(body))
        assert 400 <= answer.status_code < 500, answer.text
        assert "900101" not in answer.text and digits not in answer.text, answer.text
    named = _post(rig, "/chat/completions", _raw({**chat(), "functions": []})).json()["error"]
    assert named["message"] == "Unrecognized request argument supplied: functions"
    assert named["param"] == "functions"


# --- a bounded fuzz run: hand-written strategies per route, 0 responses >= 500 ---

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=40
) | st.sampled_from(["", LONE, "a\udc00b", "주민 900101-1234567", "\x00", "﻿", "😀"])
SCALAR = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | TEXT
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def fields(**known: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Objects with the route's own field names (valid-looking or not), stray
    fields, or any JSON value at all."""
    shaped = st.fixed_dictionaries({}, optional={k: v | JSON for k, v in known.items()})
    stray = st.dictionaries(TEXT, JSON, max_size=3)
    return st.one_of(shaped, st.builds(lambda a, b: {**a, **b}, shaped, stray), JSON)


MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "system", "assistant", "tool", "x"]) | JSON},
    optional={"content": TEXT | JSON, "name": TEXT, "tool_calls": JSON, "tool_call_id": TEXT},
)
ROUTES: dict[tuple[str, str, str], st.SearchStrategy[object]] = {
    ("POST", "/auth/login", "none"): fields(username=TEXT, password=TEXT),
    ("POST", "/guard/scan", "user"): fields(text=TEXT, backend_grade=st.sampled_from("SABC")),
    ("POST", "/chat/completions", "user"): fields(
        model=st.just(MODEL) | TEXT,
        messages=st.lists(MESSAGE, min_size=1, max_size=3),
        stream=st.booleans(),
        stop=TEXT | st.lists(TEXT, max_size=3),
        tools=st.lists(JSON, max_size=2),
        response_format=JSON,
        max_tokens=st.integers(-5, 2**40),
        temperature=st.floats(),
        attachments=st.lists(fields(name=TEXT, text=TEXT), max_size=2),
    ),
    ("POST", "/templates", "user"): fields(
        title=TEXT, body=TEXT, description=TEXT, visibility=TEXT, variables=JSON
    ),
    ("POST", "/admin/users", "admin"): fields(
        name=TEXT, group=TEXT, role=st.sampled_from(["user", "admin", "auditor"]), password=TEXT
    ),
    ("PATCH", "/admin/users/tester", "admin"): fields(group=TEXT, disabled=st.booleans()),
    ("POST", "/admin/keys", "admin"): fields(user=TEXT, expires_in_days=st.floats()),
    ("POST", "/admin/policy/dry-run", "admin"): fields(text=TEXT, backend_grade=TEXT),
    ("POST", "/embeddings", "user"): fields(
        model=st.just("multilingual-e5-small") | TEXT,
        input=TEXT | st.lists(TEXT, max_size=3) | st.lists(st.integers(), max_size=3),
        encoding_format=st.sampled_from(["float", "base64"]) | TEXT,
        dimensions=st.integers(-5, 2**40),
    ),
    ("POST", "/vector_stores", "user"): fields(
        name=TEXT, file_ids=st.lists(TEXT, max_size=2), metadata=JSON
    ),
    ("POST", "/vector_stores/vs_none/search", "user"): fields(
        query=TEXT | st.lists(TEXT, max_size=2), max_num_results=st.integers(-5, 2**40)
    ),
    ("POST", "/feedback", "user"): fields(request_id=TEXT, rating=JSON, comment=TEXT),
}


def _encode(value: object, how: int) -> bytes:
    text = json.dumps(value, ensure_ascii=how % 2 == 0)
    return text.encode("utf-8", "surrogatepass")


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(
    route=st.sampled_from(sorted(ROUTES)),
    data=st.data(),
    how=st.integers(0, 5),
    garbage=st.none() | st.binary(max_size=30),
)
def test_fuzzed_bodies_never_get_a_5xx(
    rig: Rig,
    route: tuple[str, str, str],
    data: st.DataObject,
    how: int,
    garbage: bytes | None,
) -> None:
    method, path, who = route
    content = garbage if garbage is not None else _encode(data.draw(ROUTES[route]), how)
    headers = {"none": {"content-type": "application/json"}, "user": rig.user, "admin": rig.admin}
    reply = httpx.request(
        method, rig.base + path, content=content, headers=headers[who], timeout=60
    )
    assert reply.status_code < 500, (method, path, content[:200], reply.text[:300])
