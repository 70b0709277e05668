"""A small streaming client for the CLI, so the CLI needs no OpenAI SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from gwanmun.errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    GwanmunError,
    InvalidRequest,
)


def _error_from(status: int, body: bytes) -> GwanmunError:
    try:
        message = json.loads(body)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {status}"
    if status == 401:
        return AuthenticationError(message)
    if status < 500:
        return InvalidRequest(message)
    return BackendError(message)


def stream_chat(
    base_url: str,
    api_key: str | None,
    *,
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    timeout_s: float = 300.0,
    meta: dict[str, Any] | None = None,
) -> Iterator[str]:
    """Yield the answer's text pieces as the gateway streams them; ``meta``, when
    given, is filled with the stream's ``gwanmun`` field (AI label, what was masked)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = {"model": model, "messages": messages, "max_tokens": max_tokens, "stream": True}
    try:
        with (
            httpx.Client(timeout=timeout_s, trust_env=False) as client,
            client.stream(
                "POST", f"{base_url.rstrip('/')}/chat/completions", json=body, headers=headers
            ) as response,
        ):
            if response.status_code >= 400:
                raise _error_from(response.status_code, response.read())
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    return
                event = json.loads(payload)
                if meta is not None and isinstance(event.get("gwanmun"), dict):
                    meta.update(event["gwanmun"])
                if "error" in event:
                    raise BackendError(event["error"].get("message", "stream failed"))
                for choice in event.get("choices", []):
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        yield content
    except httpx.ConnectError:
        raise BackendUnavailable(
            f"cannot reach the gateway at {base_url}; is `gwanmun serve` running?"
        ) from None
