"""Every field of an answer through the output guard, in-process, with the real
default policy: any chunking of any field, nothing unguarded comes out."""

from __future__ import annotations

import functools
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.completion import Completion, Delta, TokenLogprob, ToolCall
from gwanmun.guard.answer import AnswerGuard
from gwanmun.guard.factory import input_guard_for, output_guard_for
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.guard.output import CheckingOutputGuard
from gwanmun.policy import load_policy
from gwanmun.types import ChatMessage, ChatRequest, Grade

PHONE = "010-4821-7733"
REQUEST = ChatRequest(
    model="m", messages=(ChatMessage("user", "담당자에게 연락해 주세요."),), max_tokens=64
)


@functools.cache
def _guards() -> tuple[DetectorInputGuard, CheckingOutputGuard]:
    policy = load_policy(None)
    scanner = input_guard_for(policy)
    return scanner, output_guard_for(policy, scanner)


def _guard() -> AnswerGuard:
    scanner, output = _guards()
    guarded = scanner.inspect(REQUEST, backend_grade=Grade.S)
    return AnswerGuard(lambda part: output.open(REQUEST, guarded, part=part))


def _split(text: str, cuts: list[int]) -> list[str]:
    points = [0, *sorted(c % (len(text) + 1) for c in cuts), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(points)]


FIELD = st.sampled_from(["content", "reasoning", "refusal", "arguments"])


@settings(max_examples=25, deadline=None)
@given(FIELD, st.lists(st.integers(0, 200), max_size=8))
def test_a_leak_in_any_field_is_masked_under_any_chunking(field: str, cuts: list[int]) -> None:
    text = f"연락처는 {PHONE} 입니다."
    guard = _guard()
    out: dict[str, str] = {}
    for piece in _split(text, cuts):
        if field == "arguments":
            delta = Delta(tool_calls=(ToolCall(index=0, arguments=piece),))
        else:
            delta = Delta(**{field: piece})
        got = guard.feed(delta)
        for name in ("content", "reasoning", "refusal"):
            out[name] = out.get(name, "") + getattr(got, name)
        for call in got.tool_calls:
            out["arguments"] = out.get("arguments", "") + call.arguments
    tail = guard.finish()
    for name in ("content", "reasoning", "refusal"):
        out[name] = out.get(name, "") + getattr(tail, name)
    for call in tail.tool_calls:
        out["arguments"] = out.get("arguments", "") + call.arguments
    assert PHONE not in out[field]
    assert "[PHONE]" in out[field]
    (finding,) = guard.report().findings
    assert finding.kind == "PHONE"
    assert finding.part == (None if field == "content" else _part(field))


def _part(field: str) -> str:
    return "tool_calls[0].function.arguments" if field == "arguments" else field


def test_logprobs_follow_the_content_and_stop_at_a_mask() -> None:
    text = f"Call {PHONE} today."
    tokens = [text[i : i + 3] for i in range(0, len(text), 3)]
    guard = _guard()
    released: list[str] = []
    shown = ""
    for token in tokens:
        got = guard.feed(Delta(content=token, logprobs=(TokenLogprob(token, -0.1),)))
        shown += got.content
        released += [e.token for e in got.logprobs]
        # Never ahead of the content delivered so far.
        assert shown.startswith("".join(released))
    assert released == ["Cal"]  # up to the masked number ("l 0" begins it), no further
    whole = _guard().complete(
        Completion(content=text, logprobs=tuple(TokenLogprob(t, -0.1) for t in tokens))
    )
    assert whole.logprobs is None
    assert PHONE not in (whole.content or "")
