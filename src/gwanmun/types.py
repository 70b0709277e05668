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


class Stage(StrEnum):
    """Where a detector or check runs: on requests, on answers, or both."""

    INPUT = "input"
    OUTPUT = "output"
    BOTH = "both"

    def covers(self, stage: Stage) -> bool:
        return self is Stage.BOTH or self is stage


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


class ReasonCode(StrEnum):
    """Why a request was refused or changed, or an answer stopped."""

    POLICY_BLOCKS = "policy_blocks"  # kinds whose action is block
    MASKED_DOWN = "masked_down"  # warned findings masked to fit the backend's grade
    GRADE_EXCEEDED = "grade_exceeded"  # what would be sent is above the backend's grade
    IN_FIELDS = "in_fields"  # values in tool calls or parameters, which cannot be masked
    GUARD_FAILED = "guard_failed"  # a detector (or the input guard itself) raised
    CHECK_FAILED = "check_failed"  # an output check raised: the answer is stopped
    OUTPUT_FINDING = "output_finding"  # an output check found a kind whose action is block


@dataclass(frozen=True, slots=True)
class Reason:
    """One fact behind a verdict or a stopped answer, as data: a code and the
    kinds, grades or component it concerns. Never a value from the text.

    Turned into words only at the edges: ``str(reason)`` is the English the
    audit record, the HTTP error and the CLI show.
    """

    code: ReasonCode
    kinds: tuple[str, ...] = ()
    grade: Grade | None = None  # the grade of what would be sent
    limit: Grade | None = None  # the most the backend may receive
    source: str | None = None  # the detector or check concerned
    error: str | None = None  # the exception type a component raised

    def __str__(self) -> str:
        return _words(self)


def _words(r: Reason) -> str:
    kinds = ", ".join(r.kinds)
    match r.code:
        case ReasonCode.POLICY_BLOCKS:
            return f"policy blocks {kinds}"
        case ReasonCode.MASKED_DOWN:
            return f"masked down to the backend's grade {r.limit}"
        case ReasonCode.GRADE_EXCEEDED:
            return (
                f"grade exceeded: the request is grade {r.grade}, "
                f"the model may receive at most {r.limit}"
            )
        case ReasonCode.IN_FIELDS:
            return (
                f"{kinds} in tool-call arguments, tool definitions or other fields, "
                "where a value cannot be masked"
            )
        case ReasonCode.GUARD_FAILED:
            if r.source is None:
                return f"input guard failed: {r.error}"
            return f"detector {r.source!r} failed ({r.error})"
        case ReasonCode.CHECK_FAILED:
            return f"output check {r.source!r} failed ({r.error})"
        case ReasonCode.OUTPUT_FINDING:
            return f"the answer was stopped: {kinds} in the output"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What policy decided for one request or document."""

    action: Action
    grade: Grade
    findings: tuple[Finding, ...] = ()
    reasons: tuple[Reason, ...] = ()
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


@dataclass(frozen=True, slots=True)
class Reference:
    """A knowledge-base passage given to the model as a source, cited as ``[number]``.

    Ids and hashes only (plus the document's name and section, which the
    requester may see): never the passage's text.
    """

    number: int
    kb_id: str
    document_id: str
    document: str
    section: str | None
    passage_id: str
    sha256: str
    page: int | None = None  # the pages the passage spans, when its document has pages
    page_end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kb_id": self.kb_id,
            "document_id": self.document_id,
            "document": self.document,
            "section": self.section,
            "page": self.page,
            "page_end": self.page_end,
            "passage_id": self.passage_id,
            "sha256": self.sha256,
        }

    def audit_dict(self) -> dict[str, Any]:
        """What the audit record keeps: ids and the passage's hash, no names or text."""
        return {
            "kb_id": self.kb_id,
            "document_id": self.document_id,
            "passage_id": self.passage_id,
            "sha256": self.sha256,
        }


# Request parameters the model reads as text: tool definitions (names,
# descriptions, parameter schemas), a response schema, stop sequences. The
# input guard scans them like message fields.
MODEL_VISIBLE_PARAMS = ("tools", "tool_choice", "response_format", "stop")


# The gateway's own words before the passages it adds from knowledge bases
# (``kb.cite``): an instruction to the model, written here, not by the user —
# the input guard's checks read the passages after it, not it.
PASSAGES_PREAMBLE = (
    "Passages from the institution's knowledge bases. Answer from them, cite each "
    "statement's passage as [n], and say so when they do not contain the answer."
)


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
    # Knowledge-base passages in the source messages (listed in ``gwanmun``, audited).
    references: tuple[Reference, ...] = ()

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
    # A stream that started delivering and whose process died before its end was
    # recorded; closed by the next gateway start (``gwanmun.audit.journal``).
    INTERRUPTED = "interrupted"


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
