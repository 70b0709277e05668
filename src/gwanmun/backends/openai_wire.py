"""OpenAI chat-completion JSON from an upstream, read into typed values.  [pure]

The one place where an upstream's answer is parsed. What is read: the first
choice's text fields (``content``, ``reasoning_content`` or ``reasoning``,
``refusal``), its tool calls (name and arguments; the legacy
``function_call`` too), the chosen tokens' log-probabilities, the finish
reason and the token usage. Everything else an upstream sends (ids,
fingerprints, timings, alternatives, fields invented next year) is left
behind here, so it can never reach a client unguarded.

Text is made encodable on the way in: a UTF-16 surrogate pair that a server
split across two stream events (``\\ud83d`` then ``\\ude00``) is joined, and
a half that stays alone becomes U+FFFD.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from gwanmun.completion import Completion, Delta, FinishReason, TokenLogprob, ToolCall
from gwanmun.errors import BackendError
from gwanmun.types import Usage

_HIGH = ("\ud800", "\udbff")


def parse_completion(data: object, *, backend: str) -> Completion:
    """A ``chat.completion`` body → ``Completion`` (``BackendError`` if it has no answer)."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise BackendError(f"backend {backend!r} returned no choices")
    choice = _first_choice(data["choices"])
    if choice is None:
        raise BackendError(f"backend {backend!r} returned no choices")
    message = _mapping(choice.get("message"))
    content = message.get("content")
    logprobs = _logprobs(choice.get("logprobs"))
    return Completion(
        content=_clean(_text(content)) if content is not None else None,
        reasoning=_clean(_reasoning(message)),
        refusal=_clean(_text(message.get("refusal"))),
        tool_calls=tuple(
            ToolCall(index=i, name=_clean(c.name), arguments=_clean(c.arguments))
            for i, c in enumerate(_tool_calls(message))
        ),
        logprobs=logprobs if "logprobs" in choice and choice["logprobs"] is not None else None,
        finish_reason=FinishReason.parse(choice.get("finish_reason")) or FinishReason.STOP,
        usage=parse_usage(data.get("usage")),
    )


class ChunkReader:
    """Reads one stream's ``chat.completion.chunk`` events into ``Delta``s.

    Keeps the state a stream needs across events: surrogate halves per text
    field, and which tool-call position each upstream index maps to.
    """

    def __init__(self) -> None:
        self._held: dict[str, str] = {}

    def read(self, event: object) -> Delta:
        if not isinstance(event, dict):
            return Delta()
        usage = parse_usage(event["usage"]) if isinstance(event.get("usage"), dict) else None
        choices = event.get("choices")
        choice = _first_choice(choices) if isinstance(choices, list) else None
        if choice is None:
            return Delta(usage=usage)
        delta = _mapping(choice.get("delta"))
        finish = FinishReason.parse(choice.get("finish_reason"))
        final = finish is not None
        return Delta(
            content=self._join("content", _text(delta.get("content")), final),
            reasoning=self._join("reasoning", _reasoning(delta), final),
            refusal=self._join("refusal", _text(delta.get("refusal")), final),
            tool_calls=tuple(
                ToolCall(
                    index=call.index,
                    name=self._join(f"name{call.index}", call.name, final),
                    arguments=self._join(f"args{call.index}", call.arguments, final),
                )
                for call in _tool_calls(delta)
            ),
            logprobs=_logprobs(choice.get("logprobs")),
            finish_reason=finish,
            usage=usage,
        )

    def rest(self) -> Delta:
        """Halves still held when a stream ended without a finish reason."""
        held, self._held = self._held, {}
        if not held.get("content"):
            return Delta()
        return Delta(content="\ufffd")

    def _join(self, key: str, text: str, final: bool) -> str:
        held = self._held.pop(key, "")
        text = held + text
        if text and _HIGH[0] <= text[-1] <= _HIGH[1] and not final:
            text, self._held[key] = text[:-1], text[-1]
        return _clean(text)


def parse_usage(raw: object) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    return Usage(
        prompt_tokens=_count(raw.get("prompt_tokens")),
        completion_tokens=_count(raw.get("completion_tokens")),
    )


def _count(raw: object) -> int:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0 else 0


def _first_choice(choices: list[Any]) -> Mapping[str, Any] | None:
    for choice in choices:
        if isinstance(choice, dict) and choice.get("index", 0) == 0:
            return choice
    return None


def _mapping(raw: object) -> Mapping[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _text(raw: object) -> str:
    """A text field: a string, or a list of text parts (some servers send those)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        return "".join(
            p["text"] for p in raw if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def _reasoning(message: Mapping[str, Any]) -> str:
    # llama.cpp and older vLLM say reasoning_content; newer vLLM says reasoning.
    return _text(message.get("reasoning_content")) or _text(message.get("reasoning"))


def _tool_calls(message: Mapping[str, Any]) -> list[ToolCall]:
    calls = []
    raw = message.get("tool_calls")
    for position, call in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(call, dict):
            continue
        function = _mapping(call.get("function"))
        index = call.get("index", position)
        calls.append(
            ToolCall(
                index=index if isinstance(index, int) and 0 <= index < 128 else position,
                name=_text(function.get("name")),
                arguments=_text(function.get("arguments")),
            )
        )
    legacy = message.get("function_call")
    if isinstance(legacy, dict) and not calls:
        calls.append(
            ToolCall(
                index=0, name=_text(legacy.get("name")), arguments=_text(legacy.get("arguments"))
            )
        )
    return calls


def _logprobs(raw: object) -> tuple[TokenLogprob, ...]:
    entries = _mapping(raw).get("content")
    if not isinstance(entries, list):
        return ()
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
            continue
        logprob = entry.get("logprob")
        value = float(logprob) if isinstance(logprob, int | float) else 0.0
        value = min(value, 0.0) if math.isfinite(value) else 0.0  # NaN is no JSON
        out.append(TokenLogprob(token=_clean(entry["token"]), logprob=value))
    return tuple(out)


def _clean(text: str) -> str:
    """Lone surrogates (from JSON escapes) become U+FFFD: no check reads them and
    no response could encode them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text
