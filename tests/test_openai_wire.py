"""The backend adapter's parser: upstream JSON in, typed values out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gwanmun.backends.openai_wire import ChunkReader, parse_completion
from gwanmun.completion import FinishReason, TokenLogprob, ToolCall
from gwanmun.errors import BackendError

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
CHOICE_KEYS = st.sampled_from(
    ["content", "reasoning_content", "reasoning", "refusal", "tool_calls", "function_call"]
)


def test_reads_every_text_field_and_nothing_else() -> None:
    answer = parse_completion(
        {
            "id": "up",
            "system_fingerprint": "fp",
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                        "reasoning": "why",
                        "refusal": "no",
                        "tool_calls": [
                            {"id": "x", "function": {"name": "f", "arguments": "{}"}},
                        ],
                        "audio": {"transcript": "t"},
                    },
                    "logprobs": {"content": [{"token": "ab", "logprob": -0.2}]},
                    "finish_reason": "function_call",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": True},
        },
        backend="up",
    )
    assert answer.content == "ab"
    assert answer.reasoning == "why"
    assert answer.refusal == "no"
    assert answer.tool_calls == (ToolCall(index=0, name="f", arguments="{}"),)
    assert answer.logprobs == (TokenLogprob("ab", -0.2),)
    assert answer.finish_reason is FinishReason.TOOL_CALLS
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (3, 0)


@pytest.mark.parametrize("body", [None, [], {"choices": "x"}, {"choices": [{"index": 1}]}])
def test_an_answer_without_a_first_choice_is_a_backend_error(body: Any) -> None:
    with pytest.raises(BackendError):
        parse_completion(body, backend="up")


@given(st.dictionaries(CHOICE_KEYS, JSON), JSON, JSON)
def test_any_json_reads_without_crashing(message: Any, logprobs: Any, usage: Any) -> None:
    body = {
        "choices": [{"index": 0, "message": message, "logprobs": logprobs, "finish_reason": "x"}],
        "usage": usage,
    }
    answer = parse_completion(body, backend="up")
    # Whatever came, what is carried encodes (no lone surrogate, no NaN).
    json.dumps(
        [answer.content, answer.reasoning, [e.logprob for e in answer.logprobs or ()]],
        allow_nan=False,
    ).encode("utf-8")
    event = ChunkReader().read({"choices": [{"index": 0, "delta": message}], "usage": usage})
    json.dumps([event.content, event.reasoning, event.refusal]).encode("utf-8")


@given(st.text(min_size=1), st.data())
def test_a_surrogate_pair_split_across_events_is_joined(text: str, data: st.DataObject) -> None:
    """JSON escapes decode to UTF-16 halves when a server splits a pair; any split
    of the escaped text reads back as the text."""
    units = text.encode("utf-16-le", "surrogatepass")
    halves = [
        units[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(units), 2)
    ]
    cuts = sorted(data.draw(st.sets(st.integers(0, len(halves)), max_size=6)))
    pieces = ["".join(halves[a:b]) for a, b in zip([0, *cuts], [*cuts, len(halves)], strict=True)]
    reader = ChunkReader()
    read = "".join(
        reader.read({"choices": [{"index": 0, "delta": {"content": p}}]}).content for p in pieces
    )
    read += reader.read({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).content
    assert read == text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def test_a_half_left_alone_becomes_a_replacement_character() -> None:
    reader = ChunkReader()
    assert reader.read({"choices": [{"index": 0, "delta": {"content": "a\ud83d"}}]}).content == "a"
    assert reader.rest().content == "\ufffd"
