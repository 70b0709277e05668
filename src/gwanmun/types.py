"""Core values shared by every layer: frozen, typed, and free of IO.

Detection never rewrites text (find → decide → apply), so a ``Finding`` only
says *what* and *where*; a ``Verdict`` says what policy decided; the guard
applies it. None of these values ever holds a raw sensitive string.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal


class Grade(StrEnum):
    """N2SF data grade (shared/spec/rules.md): Open < Sensitive < Classified."""

    O = "O"  # noqa: E741 - the grade's official letter
    S = "S"
    C = "C"

    @property
    def rank(self) -> int:
        return _GRADE_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return self.rank >= other.rank


_GRADE_RANK = {Grade.O: 0, Grade.S: 1, Grade.C: 2}


class Action(StrEnum):
    """What policy decides for a finding or a whole request, weakest first."""

    ALLOW = "allow"
    WARN = "warn"
    MASK = "mask"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_RANK[self]


_ACTION_RANK = {Action.ALLOW: 0, Action.WARN: 1, Action.MASK: 2, Action.BLOCK: 3}


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of sensitive data found in a text.

    ``start``/``end`` index the *original* text (not a normalised copy).
    ``score`` is the detector's confidence in ``[0, 1]``. ``kind`` is a stable
    id such as ``KR_RRN``; ``detector`` names the module that found it.
    ``message_index`` tells which chat message it was found in, when known;
    ``part`` which field of an answer (``reasoning``, ``tool_calls[0].arguments``)
    an output finding is in, when not the content.
    """

    kind: str
    start: int
    end: int
    score: float
    detector: str
    message_index: int | None = None
    part: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid finding span [{self.start}, {self.end})")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"finding score {self.score} is outside [0, 1]")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "detector": self.detector,
        }
        if self.message_index is not None:
            out["message_index"] = self.message_index
        if self.part is not None:
            out["part"] = self.part
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """What policy decided for one request or document."""

    action: Action
    grade: Grade
    findings: tuple[Finding, ...] = ()
    reasons: tuple[str, ...] = ()
    # Kinds replaced by placeholders before the model saw the request.
    masked_kinds: tuple[str, ...] = ()

    @classmethod
    def allow(cls) -> Verdict:
        return cls(action=Action.ALLOW, grade=Grade.O)


MessageRole = Literal["system", "developer", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One chat message reduced to the text the guards must see.

    ``extra`` keeps the OpenAI fields Gwanmun passes through untouched
    (``name``, ``tool_calls``, ``tool_call_id`` ...).
    """

    role: MessageRole
    content: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_openai(self) -> dict[str, Any]:
        return {"role": self.role, "content": self.content, **self.extra}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved from an API key or a web session (or the dev-mode
    anonymous user), and from which network address."""

    user: str
    group: str | None = None
    role: Role = Role.USER
    key_id: str | None = None
    client: str | None = None


# Request parameters the model reads as text: tool definitions (names,
# descriptions, parameter schemas), a response schema, stop sequences. The
# input guard scans them like message fields.
MODEL_VISIBLE_PARAMS = ("tools", "tool_choice", "response_format", "stop")


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A validated chat completion request, independent of HTTP.

    ``params`` holds the sampling and tool parameters forwarded to the backend
    (temperature, stop, tools ...), already validated at the trust boundary.
    """

    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int
    stream: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""
    # Indexes of messages that are source documents (the ``attachments`` field):
    # answers are checked for support against them (groundedness).
    sources: tuple[int, ...] = ()
    # A streamed answer ends with a usage event for the client (stream_options).
    include_usage: bool = False

    @property
    def visible_params(self) -> dict[str, Any]:
        """The ``MODEL_VISIBLE_PARAMS`` this request sets."""
        return {k: self.params[k] for k in MODEL_VISIBLE_PARAMS if k in self.params}

    def with_messages(self, messages: tuple[ChatMessage, ...]) -> ChatRequest:
        return replace(self, messages=messages)


class Outcome(StrEnum):
    """How a request ended, as recorded in the audit trail."""

    ALLOWED = "allowed"
    MASKED = "masked"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }
