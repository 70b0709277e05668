"""The OpenAI request body at the trust boundary: validated, then turned into a
``ChatRequest``. Unknown fields are refused with a message naming them, so a
typo never silently changes behaviour.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from gwanmun.errors import InvalidRequest
from gwanmun.settings import LimitsConfig
from gwanmun.types import ChatMessage, ChatRequest, Grade
from gwanmun.web.jsonvalues import check_value


class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["text"]
    text: str


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None

    @field_validator("tool_calls")
    @classmethod
    def _bounded(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        # Forwarded as they are: a 400 here, not a crash where they are encoded.
        check_value(value, "tool_calls")
        return value

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class Attachment(BaseModel):
    """A source document sent with a request (Gwanmun extension: ``attachments``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Shown to the model.")
    text: str = Field(description="The document's text.")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    include_usage: bool = False


# Sampling and tool fields forwarded to the backend as they are.
_FORWARDED = (
    "temperature",
    "top_p",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
)


class ScanBody(BaseModel):
    """POST /v1/guard/scan."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The text to scan.")
    backend_grade: Grade = Field(
        Grade.C, description="Highest grade the receiving model may take (C, S or O)."
    )

    @field_validator("text")
    @classmethod
    def _valid_unicode(cls, value: str) -> str:
        if not _is_encodable(value):
            raise ValueError("text contains an unpaired surrogate escape; send valid Unicode")
        return value


class ChatCompletionBody(BaseModel):
    """POST /v1/chat/completions."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: int | None = Field(default=None, ge=1, le=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, float] | None = Field(
        default=None,
        max_length=300,
        description="Token ids (decimal) to biases in [-100, 100]. Keys are ids, never "
        "text: a key that is not one is refused, as it would reach the model unscanned.",
    )
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    user: str | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    attachments: list[Attachment] | None = Field(
        default=None,
        description="Gwanmun extension: source documents. Checked like messages, given to "
        "the model as one system message, and used to check the answer's support.",
    )

    knowledge_bases: list[str] | None = Field(
        default=None,
        max_length=16,
        description="Gwanmun extension: ids of knowledge bases to answer from. The passages "
        "retrieved (only those the caller may read, at or below the model's grade) are given "
        "to the model as a source message, checked like messages, and listed in `gwanmun`.",
    )

    @field_validator("logit_bias")
    @classmethod
    def _token_ids(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for key, bias in (value or {}).items():
            if not _TOKEN_ID.fullmatch(key):
                raise ValueError(
                    'keys must be token ids (decimal digits, e.g. {"1234": -100}); '
                    "text in a key would reach the model without being checked"
                )
            if not -100 <= bias <= 100:
                raise ValueError(f"bias {bias} for token {key} is outside [-100, 100]")
        return value

    @field_validator("response_format", "tools", "tool_choice", "stop")
    @classmethod
    def _bounded(cls, value: Any, info: ValidationInfo) -> Any:
        # Free-form JSON forwarded upstream: bounded depth, no lone surrogates.
        check_value(value, str(info.field_name))
        return value

    def to_request(self, limits: LimitsConfig) -> ChatRequest:
        if len(self.messages) > limits.max_messages:
            raise InvalidRequest(
                f"Too many messages: {len(self.messages)} (the limit is {limits.max_messages}).",
                param="messages",
            )
        messages = []
        for i, message in enumerate(self.messages):
            text = message.text()
            if not _is_encodable(text):
                raise InvalidRequest(
                    f"messages[{i}] contains an unpaired surrogate escape; send valid Unicode.",
                    param=f"messages[{i}].content",
                )
            if len(text) > limits.max_message_chars:
                raise InvalidRequest(
                    f"messages[{i}] has {len(text)} characters; the limit is "
                    f"{limits.max_message_chars}. Split the text or summarise it first.",
                    param=f"messages[{i}].content",
                )
            extra = message.model_dump(exclude={"role", "content"}, exclude_none=True, mode="json")
            messages.append(ChatMessage(role=message.role, content=text, extra=extra))
        sources: tuple[int, ...] = ()
        if self.attachments:
            documents = "\n\n".join(
                f"[{n}] {a.name}\n{a.text}" for n, a in enumerate(self.attachments, start=1)
            )
            text = (
                "Reference documents for this conversation. Base the answer on them and "
                "cite them as [n].\n\n" + documents
            )
            if len(text) > limits.max_message_chars or not _is_encodable(text):
                raise InvalidRequest(
                    f"attachments have {len(text)} characters in all; the limit is "
                    f"{limits.max_message_chars}, and they must be valid Unicode.",
                    param="attachments",
                )
            if len(messages) + 1 > limits.max_messages:
                raise InvalidRequest("Too many messages with the attachments.", param="messages")
            # Before the conversation, after any leading system message.
            at = 1 if messages and messages[0].role == "system" else 0
            messages.insert(at, ChatMessage(role="system", content=text))
            sources = (at,)
        max_tokens = self.max_completion_tokens or self.max_tokens or limits.default_max_tokens
        if max_tokens > limits.max_tokens:
            raise InvalidRequest(
                f"max_tokens is {max_tokens}; the most this gateway allows is {limits.max_tokens}.",
                param="max_tokens",
            )
        params = self.model_dump(include=set(_FORWARDED), exclude_none=True, mode="json")
        return ChatRequest(
            model=self.model,
            messages=tuple(messages),
            max_tokens=max_tokens,
            stream=self.stream,
            params=params,
            sources=sources,
            include_usage=bool(self.stream_options and self.stream_options.include_usage),
        )


# A token id in a logit_bias key: ASCII digits only (no sign, space or other script).
_TOKEN_ID = re.compile(r"[0-9]{1,7}")


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# A request key echoed in an error: a name, not something a client hid a value in.
_SHOWN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _shown_key(part: object) -> str:
    """``part`` of an error's location as the message shows it: an index, or a
    key that reads as a name (fewer than six digits); anything else is "<key>"."""
    text = str(part)
    if isinstance(part, int) or (_SHOWN_KEY.fullmatch(text) and sum(c.isdigit() for c in text) < 6):
        return text
    return "<key>"


def validation_message(exc: ValidationError) -> tuple[str, str | None]:
    """A one-line message and the OpenAI ``param`` for the first validation error."""
    first = exc.errors()[0]
    loc = first.get("loc", ())
    param = ".".join(_shown_key(p) for p in loc) or None
    if first.get("type") == "extra_forbidden":
        return f"Unrecognized request argument supplied: {param}", param
    return f"Invalid value for '{param}': {first.get('msg')}", param
