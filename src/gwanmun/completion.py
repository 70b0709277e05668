"""A model's answer as typed values, from the backend adapter to the HTTP encoder.

Backends parse their wire format into these values (``backends/openai_compat``);
the gateway passes every text field through the output guard; the web layer
writes OpenAI JSON from them (``web/encode.py``). Nothing else of an upstream's
answer exists past the adapter, so a field the guard has not seen cannot reach a
client: there is no dict to forget to clean.

``Completion`` is a whole answer; ``Delta`` one streamed event of it (choice 0:
requests with ``n`` > 1 are refused at the edge).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from gwanmun.types import Usage


class FinishReason(StrEnum):
    """Why the model stopped; what an upstream reports outside this set reads as ``stop``."""

    STOP = "stop"
    LENGTH = "length"
    TOOL_CALLS = "tool_calls"
    CONTENT_FILTER = "content_filter"

    @classmethod
    def parse(cls, raw: object) -> FinishReason | None:
        if raw is None:
            return None
        if raw == "function_call":
            return cls.TOOL_CALLS
        try:
            return cls(str(raw))
        except ValueError:
            return cls.STOP


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """One chosen token and its log-probability (``logprobs.content[]``).

    The alternatives a model did not choose (``top_logprobs``) are text no
    check has read; they are never carried (docs/policy.md, "Log-probabilities").
    """

    token: str
    logprob: float


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call, or in a stream a fragment of one: the name and the arguments
    arrive in pieces that the client joins by ``index``."""

    index: int
    name: str = ""
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class Delta:
    """One streamed event of an answer. Empty strings mean "nothing new"."""

    content: str = ""
    reasoning: str = ""
    refusal: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    logprobs: tuple[TokenLogprob, ...] = ()
    finish_reason: FinishReason | None = None
    usage: Usage | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.content
            or self.reasoning
            or self.refusal
            or self.tool_calls
            or self.logprobs
            or self.finish_reason
            or self.usage
        )


@dataclass(frozen=True, slots=True)
class Completion:
    """A whole answer. ``content`` is ``None`` when the model only called tools."""

    content: str | None
    reasoning: str = ""
    refusal: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    # ``None``: not asked for, or withheld by the output guard.
    logprobs: tuple[TokenLogprob, ...] | None = None
    finish_reason: FinishReason = FinishReason.STOP
    usage: Usage = field(default_factory=Usage)
