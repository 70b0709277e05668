"""Checks beyond identifiers — toxicity, prompt injection, verbatim copying,
groundedness — each a ``TextCheck``: text in, ``Finding``s out.

A check is pure given its packaged model or index: no I/O per call, no
network, safe to call from several threads. Findings reuse
``gwanmun.types.Finding`` (``kind`` such as ``TOXIC_HATE`` or
``PROMPT_INJECTION``, ``detector`` naming the check, offsets into the checked
text, ``score`` in [0, 1]), so the audit store, the metrics and the policy
treat them like any other finding: never the text itself.
"""

from __future__ import annotations

from typing import Protocol

from gwanmun.types import Finding


class TextCheck(Protocol):
    name: str

    def check(self, text: str) -> list[Finding]: ...
