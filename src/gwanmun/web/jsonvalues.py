"""Limits on a parsed JSON value, checked once at the trust boundary.

JSON may nest without bound and may carry ``\\ud800``-style escapes that
decode to lone surrogates, which no UTF-8 encoder (SQLite, the audit chain,
an upstream request) accepts. Both are refused here with a 400 that says where,
so nothing deeper in the gateway meets them.
"""

from __future__ import annotations

import re
from typing import Any

from gwanmun.errors import InvalidRequest

# Deeper than any request, tool schema or response schema needs (OpenAI's own
# structured outputs allow 5-10 levels of nesting); far below recursion limits.
MAX_DEPTH = 64

# A JSON escape that may decode to a surrogate: the only way one gets in, since
# raw surrogate bytes are not valid UTF-8. Matching is a cue to look, not a verdict.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def check_value(value: Any, where: str = "body") -> None:
    """Raise ``InvalidRequest`` if ``value`` nests deeper than ``MAX_DEPTH`` or
    holds a lone surrogate in a key or string; iterative, so depth cannot crash it."""
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, path)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise InvalidRequest(
                f"{where} is nested more than {MAX_DEPTH} levels deep; flatten it.",
                param=where,
            )
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, f"{path}: a key")
                stack.append((child, f"{path}.{key}" if key.isidentifier() else path, depth + 1))
        else:
            stack.extend((child, f"{path}[{n}]", depth + 1) for n, child in enumerate(item))


def _check_text(text: str, path: str) -> None:
    if text.isascii():
        return
    if len(path) > 80:
        path = path[:40] + "…" + path[-30:]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequest(
            f"{path} contains a lone UTF-16 surrogate (\\u{ord(text[exc.start]):04x}), "
            "which is not text; send the character as a whole (both halves of a pair) "
            "or as UTF-8."
        ) from None
