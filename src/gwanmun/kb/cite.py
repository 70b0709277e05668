"""Retrieved passages into a chat request, the way attachments go in. Pure.

The passages become one system message marked as a source (``sources``), so the
input guard scans and masks them like anything typed, and the groundedness
check judges the answer against them. Each passage is numbered for citation
and listed in ``references`` (the ``gwanmun`` field, the audit record).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from gwanmun.errors import InvalidRequest
from gwanmun.settings import LimitsConfig
from gwanmun.types import PASSAGES_PREAMBLE, ChatMessage, ChatRequest, Reference

if TYPE_CHECKING:
    from gwanmun.kb.service import Hit
    from gwanmun.kb.store import Passage

PREAMBLE = PASSAGES_PREAMBLE


# Where each passage starts in the source message: "[n] document — place" after a
# blank line (passage texts never hold a blank line: ``passages.split`` drops them).
_HEADER = re.compile(r"\n\n\[(\d+)\] ")


def passage_at(source: str, offset: int) -> int | None:
    """The number of the passage that ``offset`` of a passages message falls in
    (the message as the model received it, values masked), or None when
    ``source`` is not a passages message or the offset is in its preamble."""
    if not source.startswith(PREAMBLE):
        return None
    number = None
    for match in _HEADER.finditer(source):
        if match.start() > offset:
            break
        number = int(match.group(1))
    return number


def question(request: ChatRequest) -> str:
    """What to search for: the last user message."""
    for message in reversed(request.messages):
        if message.role == "user" and message.content.strip():
            return message.content
    return ""


def pages(first: int | None, last: int | None) -> str:
    """``p. 3`` or ``pp. 3–4``; empty for a document without pages."""
    if first is None:
        return ""
    if last is None or last == first:
        return f"p. {first}"
    return f"pp. {first}–{last}"


def where(p: Passage) -> str:
    """Where a passage sits in its document, as a citation says it: `` — p. 3, 제1조``."""
    place = ", ".join(x for x in (pages(p.page, p.page_end), p.section or "") if x)
    return f" — {place}" if place else ""


def label(hit: Hit, number: int) -> str:
    p = hit.passage
    return f"[{number}] {p.document}{where(p)}\n{p.text}"


def with_passages(request: ChatRequest, hits: Sequence[Hit], limits: LimitsConfig) -> ChatRequest:
    """``request`` with ``hits`` as one more source message (after the leading system
    message and any attachments), numbered from 1."""
    if not hits:
        return request
    text = PREAMBLE + "\n\n" + "\n\n".join(label(h, n) for n, h in enumerate(hits, start=1))
    if len(text) > limits.max_message_chars:
        raise InvalidRequest(
            f"the retrieved passages have {len(text)} characters; the limit is "
            f"{limits.max_message_chars}. Ask for fewer passages.",
            param="knowledge_bases",
        )
    if len(request.messages) + 1 > limits.max_messages:
        raise InvalidRequest("Too many messages with the passages.", param="messages")
    messages = list(request.messages)
    if request.sources:
        at = max(request.sources) + 1
    else:
        at = 1 if messages and messages[0].role == "system" else 0
    messages.insert(at, ChatMessage(role="system", content=text))
    references = tuple(
        Reference(
            number=n,
            kb_id=h.passage.kb_id,
            document_id=h.passage.document_id,
            document=h.passage.document,
            section=h.passage.section,
            passage_id=h.passage.id,
            sha256=h.passage.sha256,
            page=h.passage.page,
            page_end=h.passage.page_end,
        )
        for n, h in enumerate(hits, start=1)
    )
    return replace(
        request,
        messages=tuple(messages),
        sources=(*request.sources, at),
        references=request.references + references,
    )
