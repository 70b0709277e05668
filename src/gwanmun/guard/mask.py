"""Reversible masking with typed placeholders.  [pure]

``Masker`` replaces values with ``[KIND_n]`` across all messages of one
request: the same value gets the same placeholder everywhere in that request,
and numbering starts again for every request (a ``Masker`` is never shared).
The mapping lives only in the request's memory; it is never stored or logged.

``StreamRestorer`` puts values back into the model's answer as it streams. It
holds back a tail that could still become a placeholder (``[PERS`` … ``ON_1]``)
and tolerates the small edits models make: case (``[person_1]``), spacing
(``[ PERSON 1 ]``), other brackets (``(PERSON_1)``, ``【PERSON_1】``) or none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from gwanmun.guard.base import Restorer
from gwanmun.text import normalize
from gwanmun.types import Finding

_OPEN = "[(【<{［（"
_CLOSE = "])】>}］）"
# The longest tail held back while it might still turn into a placeholder.
_HOLD_LIMIT = 48


def _value_key(value: str) -> str:
    """Values equal after normalisation (full-width, dashes, spaces, case) are one value."""
    return re.sub(r"[\s\-]+", "", normalize(value).text).casefold()


@dataclass
class Masker:
    """Assigns placeholders for one request."""

    values: dict[str, str] = field(default_factory=dict)  # placeholder -> original value
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def placeholder(self, kind: str, value: str) -> str:
        key = (kind, _value_key(value))
        existing = self._by_value.get(key)
        if existing is not None:
            return existing
        n = self._counters.get(kind, 0) + 1
        self._counters[kind] = n
        token = f"[{kind}_{n}]"
        self._by_value[key] = token
        self.values[token] = value
        return token

    def mask(self, text: str, findings: Sequence[Finding]) -> str:
        """Replace every finding's span in ``text`` (overlaps merged, longest first)."""
        out: list[str] = []
        cursor = 0
        for f in merge_spans(findings):
            if f.start < cursor:
                continue
            out.append(text[cursor : f.start])
            out.append(self.placeholder(f.kind, text[f.start : f.end]))
            cursor = f.end
        out.append(text[cursor:])
        return "".join(out)

    def restorer(self) -> StreamRestorer:
        return StreamRestorer(dict(self.values))


def merge_spans(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings: of overlapping ones keep the wider, then the more
    confident; a span covered by a kept one is dropped."""
    ordered = sorted(findings, key=lambda f: (f.start, -(f.end - f.start), -f.score))
    kept: list[Finding] = []
    for f in ordered:
        if kept and f.start < kept[-1].end:
            last = kept[-1]
            if f.end > last.end:  # partial overlap: widen the kept span
                kept[-1] = Finding(
                    kind=last.kind,
                    start=last.start,
                    end=f.end,
                    score=max(last.score, f.score),
                    detector=last.detector,
                    message_index=last.message_index,
                )
            continue
        kept.append(f)
    return kept


def placeholder_pattern(kinds: Iterable[str]) -> re.Pattern[str]:
    """Placeholders of these kinds as models write them back: ``[PERSON_1]``, and
    with the small edits they make — case (``[person_1]``), spacing or other
    separators (``[ PERSON 1 ]``, ``[KR-RRN-1]``), other brackets (``(PERSON_1)``,
    ``【PERSON_1】``) or none (``PERSON_1``). Groups: ``kind`` and ``n``."""
    ordered = sorted(set(kinds), key=len, reverse=True)
    alternation = "|".join(re.escape(k).replace("_", "[ _-]?") for k in ordered)
    return re.compile(
        rf"(?:[{re.escape(_OPEN)}][ ]?|(?<![A-Za-z0-9_]))(?P<kind>{alternation})"
        rf"[ _-]?(?P<n>\d{{1,4}})(?![0-9])(?:[ ]?[{re.escape(_CLOSE)}])?",
        re.IGNORECASE,
    )


class StreamRestorer:
    """Restores placeholders in text fed in arbitrary chunks."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._given = dict(values)
        self._values = {self._core(k): v for k, v in values.items()}
        self._pending = ""
        self._pattern: re.Pattern[str] | None = None
        if self._values:
            self._pattern = placeholder_pattern(k.strip("[]").rsplit("_", 1)[0] for k in values)

    def fork(self) -> StreamRestorer:
        return StreamRestorer(self._given)

    @staticmethod
    def _core(token: str) -> str:
        return re.sub(r"[ _-]", "", token.strip("[]")).upper()

    def _replace(self, match: re.Match[str]) -> str:
        core = self._core(f"{match.group('kind')}{int(match.group('n'))}")
        value = self._values.get(core)
        return match.group(0) if value is None else value

    def restore(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(self._replace, text)

    def feed(self, text: str) -> str:
        if self._pattern is None:
            return text
        buffer = self._pending + text
        hold = self._hold_from(buffer)
        self._pending = buffer[hold:]
        return self.restore(buffer[:hold])

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return self.restore(rest)

    def _hold_from(self, buffer: str) -> int:
        """Index from which ``buffer``'s tail might still grow into a placeholder."""
        start = max(0, len(buffer) - _HOLD_LIMIT)
        for i in range(start, len(buffer)):
            ch = buffer[i]
            if ch in _OPEN or (ch.isalpha() and (i == 0 or not buffer[i - 1].isalnum())):
                tail = buffer[i:]
                if self._could_grow(tail):
                    return i
        return len(buffer)

    def _could_grow(self, tail: str) -> bool:
        """Whether ``tail`` is an unfinished placeholder (or a finished one whose
        closing bracket may still come)."""
        compact = re.sub(r"[ _-]", "", tail.lstrip(_OPEN)).upper()
        if not compact:
            return True  # a lone opening bracket
        return any(core.startswith(compact) for core in self._values)


class RecordingRestorer:
    """A restorer that keeps what it is fed: an answer as the user was shown it,
    with the user's values still as placeholders and leaks already masked — the
    form an audit record may keep (``audit_text: masked``). Forks share the record."""

    def __init__(self, inner: Restorer, record: list[str] | None = None) -> None:
        self._inner = inner
        self._record = [] if record is None else record

    @property
    def text(self) -> str:
        return "".join(self._record)

    def feed(self, text: str) -> str:
        self._record.append(text)
        return self._inner.feed(text)

    def flush(self) -> str:
        return self._inner.flush()

    def fork(self) -> RecordingRestorer:
        return RecordingRestorer(self._inner.fork(), self._record)
