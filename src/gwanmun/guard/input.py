"""The input guard: detect → decide → block or mask, before any model sees a byte.

Every message is scanned (system, user, assistant history, tool results): a
value pasted into any of them would reach the model. Findings point into the
original message text. A detector that raises blocks the request and is named
(fail closed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from gwanmun import digits
from gwanmun.detect import Detector, TriggerIndex, run_detectors
from gwanmun.digits import HOMOGLYPHS, NUMERALS
from gwanmun.errors import GradeExceeded, GuardBlocked, GuardFailure, GwanmunError
from gwanmun.guard.base import IDENTITY_RESTORER, InputResult
from gwanmun.guard.mask import Masker, merge_spans
from gwanmun.policy import Decided, Decision, Policy
from gwanmun.text import strip_invisible
from gwanmun.types import (
    MODEL_VISIBLE_PARAMS,
    PASSAGES_PREAMBLE,
    Action,
    ChatMessage,
    ChatRequest,
    Finding,
    Grade,
    Reason,
    ReasonCode,
    Verdict,
)

log = logging.getLogger("gwanmun.guard")

_PREVIEW_CONTEXT = 12
# How much of each message's end and start the boundary between two messages
# is scanned with: a value and its nearest context words.
_JOIN_REACH = 64
# How much of each side of a boundary the piecewise detectors read: a naming
# word, two gaps and three pieces (detect/parts.py) fit.
_PARTS_REACH = 240
# Detectors that find one value as pieces with words between them.
PIECEWISE_DETECTORS = frozenset({"identifier_parts"})


def _fields_text(message: ChatMessage) -> str:
    return json.dumps(message.extra, ensure_ascii=False, sort_keys=True)


def _params_text(request: ChatRequest) -> str:
    """The JSON of the request parameters the model reads (findings there have
    ``message_index`` None and index this text)."""
    visible = request.visible_params
    return json.dumps(visible, ensure_ascii=False, sort_keys=True) if visible else ""


def _fail_closed(detector: Detector, exc: Exception) -> NoReturn:
    """A detector raised: block the request, and say which detector."""
    log.error("detector failed", extra={"detector": detector.id, "error": type(exc).__name__})
    reason = Reason(ReasonCode.GUARD_FAILED, source=detector.id, error=type(exc).__name__)
    raise GuardFailure(
        f"{reason}, so the request was blocked (fail closed). The failure is audited.",
        details={"detector": detector.id},
        reason=reason,
    ) from exc


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The guard's answer for one text (``gwanmun scan``, POST /v1/guard/scan)."""

    grade: Grade
    action: Action
    decided: tuple[Decided, ...]  # each finding that counts, with the action and grade judged
    causes: tuple[Reason, ...]
    # The grade of what would be sent once the policy's own masks are applied (a
    # masked phone number no longer makes the text S; a marking still does).
    sent_grade: Grade

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(d.finding for d in self.decided)

    @property
    def blocking_kinds(self) -> tuple[str, ...]:
        """Kinds whose policy action is block (the workspace names them to the user)."""
        return tuple(sorted({d.finding.kind for d in self.decided if d.action is Action.BLOCK}))

    @property
    def reasons(self) -> tuple[str, ...]:
        """The causes in words, for the CLI (the workspace words them from ``causes``)."""
        return tuple(str(r) for r in self.causes)

    def as_dict(self) -> dict[str, object]:
        return {
            "grade": self.grade.value,
            "action": self.action.value,
            "findings": [
                {
                    "kind": d.finding.kind,
                    "start": d.finding.start,
                    "end": d.finding.end,
                    "score": d.finding.score,
                    "detector": d.finding.detector,
                    "action": d.action.value,
                    "grade": d.grade.value,
                }
                for d in self.decided
            ],
            "reasons": list(self.reasons),
            "causes": [
                {
                    "code": r.code.value,
                    "kinds": list(r.kinds),
                    "grade": r.grade.value if r.grade else None,
                    "limit": r.limit.value if r.limit else None,
                }
                for r in self.causes
            ],
            "blocking_kinds": list(self.blocking_kinds),
        }


class _FindingsCache:
    """What the detectors found in a message, by a digest of its text: a chat
    client sends the whole conversation every turn, and each earlier message
    would otherwise be scanned again (about 4 ms per KB of Korean, PERSON
    included). Holds spans, kinds and scores — never the text or a value — for
    the most recent ``size`` messages; per guard, so per policy and detectors."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._entries: OrderedDict[bytes, tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, key: bytes) -> tuple[Finding, ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: bytes, found: Sequence[Finding]) -> None:
        with self._lock:
            self._entries[key] = tuple(replace(f, message_index=None) for f in found)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class DetectorInputGuard:
    """Runs ``detectors`` over every message and applies ``policy``."""

    def __init__(self, detectors: Sequence[Detector], policy: Policy) -> None:
        self.detectors = tuple(detectors)
        self.policy = policy
        self._triggers = TriggerIndex(self.detectors)
        self._cache = _FindingsCache()
        # Detectors of a value given in pieces with words between them, run on
        # each boundary between messages (a piece in each).
        self._parts = tuple(d for d in self.detectors if d.id in PIECEWISE_DETECTORS)
        self._parts_triggers = TriggerIndex(self._parts)

    def warm_up(self) -> None:
        """Load what detectors load lazily (morphological analysers, the
        normaliser's scan databases) ahead of traffic."""
        digits.warm_up()
        for detector in self.detectors:
            warm = getattr(detector, "warm_up", None)
            if callable(warm):
                warm()

    def detect(
        self, text: str, *, message_index: int | None = None, cached: bool = False
    ) -> list[Finding]:
        """Findings in ``text``. ``cached``: look the message up in (and add it to)
        the findings cache — for chat messages and tool definitions, which come
        back every turn; not for one-off texts such as the output guard's windows."""
        key = self._cache.key(text) if cached else b""
        hit = self._cache.get(key) if cached else None
        if hit is not None:
            return [replace(f, message_index=message_index) for f in hit]
        found = run_detectors(
            text,
            self.detectors,
            message_index=message_index,
            triggers=self._triggers,
            on_error=_fail_closed,
        )
        if cached:
            self._cache.put(key, found)
        return found

    def scan(self, text: str, *, backend_grade: Grade = Grade.C) -> ScanResult:
        findings = self.detect(text)
        decision = self.policy.decide(((f, text) for f in findings), backend_grade=backend_grade)
        return ScanResult(
            decision.grade, decision.action, decision.decided, decision.reasons, decision.sent_grade
        )

    def inspect(self, request: ChatRequest, *, backend_grade: Grade) -> InputResult:
        per_message = [
            self.detect(_unframed(m.content), message_index=i, cached=True)
            for i, m in enumerate(request.messages)
        ]
        for i, pieces in self._across_messages(request.messages).items():
            per_message[i] = per_message[i] + pieces
        for i, pieces in self._parts_across(request.messages).items():
            per_message[i] = per_message[i] + pieces
        pairs = [
            (f, request.messages[i].content) for i, found in enumerate(per_message) for f in found
        ]
        decision = self.policy.decide(pairs, backend_grade=backend_grade)
        if decision.action is Action.BLOCK:
            return InputResult(_verdict(decision, ()), request)
        structured = self._structured_fields(request, backend_grade)
        if structured is not None and structured.action.rank >= Action.MASK.rank:
            return InputResult(_fields_verdict(structured), request)
        if structured is not None:  # warnings there still count toward the grade
            decision = _merged(decision, structured)
        to_mask = decision.to_mask()
        if not to_mask:
            return InputResult(_verdict(decision, ()), _forwarded(request, request.messages))
        masker = Masker()
        messages: list[ChatMessage] = []
        for i, message in enumerate(request.messages):
            mine = [f for f in to_mask if f.message_index == i]
            if mine:
                message = replace(message, content=masker.mask(message.content, mine))
            messages.append(message)
        kinds = tuple(sorted({f.kind for f in to_mask}))
        return InputResult(
            _verdict(decision, kinds),
            _forwarded(request, messages),
            masker.restorer() if masker.values else IDENTITY_RESTORER,
        )

    def _across_messages(self, messages: Sequence[ChatMessage]) -> dict[int, list[Finding]]:
        """Values split across messages (900101 at the end of one, 1234568 at
        the start of the next; an assistant turn and the user's; 9001 | 01-12
        | 34568 over three): each run of boundaries where a number may go on
        is scanned on one joined view — the end of its first message, every
        short message in between whole, the start of its last — and a value
        that crosses a boundary is masked in every piece it touches (a finding
        per message, on that message's offsets)."""
        out: dict[int, list[Finding]] = {}
        contents = [m.content for m in messages]
        for chain in _chains(contents):
            # (message index, where its segment starts in the message) per segment
            segments: list[tuple[int, int, str]] = []
            for n, i in enumerate(chain):
                text = contents[i]
                lo = max(0, len(text) - _JOIN_REACH) if n == 0 else 0
                hi = min(len(text), _JOIN_REACH) if n == len(chain) - 1 else len(text)
                segments.append((i, lo, text[lo:hi]))
            # Read as one line (a value cut inside a group: 5 | 00101-…) and
            # with a line break at each boundary (cut between groups).
            for gap in ("", "\n"):
                joined = gap.join(text for _, _, text in segments)
                starts = []
                position = 0
                for _, _, text in segments:
                    starts.append(position)
                    position += len(text) + len(gap)
                for f in self.detect(joined, cached=True):
                    touched = [
                        (i, lo + max(f.start, at) - at, lo + min(f.end, at + len(text)) - at)
                        for (i, lo, text), at in zip(segments, starts, strict=True)
                        if max(f.start, at) < min(f.end, at + len(text))
                    ]
                    if len(touched) < 2:
                        continue  # within one message: found there already
                    for i, start, end in touched:
                        out.setdefault(i, []).append(
                            replace(f, start=start, end=end, message_index=i)
                        )
        return out

    def _parts_across(self, messages: Sequence[ChatMessage]) -> dict[int, list[Finding]]:
        """A value named in pieces over two messages (``생년월일 900101`` in one,
        ``뒷자리는 1234568`` in the next): the end of each message and the start
        of the next are read as one text by the piecewise detectors, and a
        value with pieces in both is masked in each (a finding per piece, on
        its own message's offsets). Pieces never hold a line break, so each
        lies in one message."""
        out: dict[int, list[Finding]] = {}
        if not self._parts:
            return out
        contents = [m.content for m in messages]
        for i in range(len(contents) - 1):
            tail, head = contents[i][-_PARTS_REACH:], contents[i + 1][:_PARTS_REACH]
            if not (_digit_like(tail) and _digit_like(head)):
                continue
            found = run_detectors(
                tail + "\n" + head,
                self._parts,
                triggers=self._parts_triggers,
                on_error=_fail_closed,
            )
            before = [f for f in found if f.end <= len(tail)]
            after = [f for f in found if f.start > len(tail)]
            if not before or not after:
                continue  # within one message: found there already
            shift = len(contents[i]) - len(tail)
            out.setdefault(i, []).extend(
                replace(f, start=f.start + shift, end=f.end + shift, message_index=i)
                for f in before
            )
            out.setdefault(i + 1, []).extend(
                replace(
                    f, start=f.start - len(tail) - 1, end=f.end - len(tail) - 1, message_index=i + 1
                )
                for f in after
            )
        return out

    def _structured_fields(self, request: ChatRequest, backend_grade: Grade) -> Decision | None:
        """Scan what the model reads besides message texts: what a message carries
        (tool-call arguments, names) and the request's tool definitions,
        response schema and stop sequences.

        A value inside JSON cannot be masked without breaking the call, so
        anything policy would mask or block there blocks the request. Offsets in
        such findings index the JSON of the message's extra fields, or, with
        ``message_index`` None, the JSON of those request parameters.
        """
        pairs = []
        for i, message in enumerate(request.messages):
            if not message.extra:
                continue
            text = _fields_text(message)
            pairs += [(f, text) for f in self.detect(text, message_index=i, cached=True)]
        params = _params_text(request)  # tool definitions come back every turn too
        if params:
            pairs += [(f, params) for f in self.detect(params, cached=True)]
        if not pairs:
            return None
        return self.policy.decide(pairs, backend_grade=backend_grade)


def _chains(contents: Sequence[str]) -> list[list[int]]:
    """Runs of consecutive messages where a number may go on from one to the
    next: each boundary has something that reads as a digit on both sides,
    and every message inside the run is short enough to be part of one value."""
    chains: list[list[int]] = []
    current: list[int] = []
    for i in range(len(contents) - 1):
        joins = _digit_at_edge(reversed(contents[i][-_JOIN_REACH:])) and _digit_at_edge(
            contents[i + 1][:_JOIN_REACH]
        )
        if joins and current and current[-1] == i and len(contents[i]) <= _JOIN_REACH:
            current.append(i + 1)
        elif joins:
            if len(current) > 1:
                chains.append(current)
            current = [i, i + 1]
        else:
            if len(current) > 1:
                chains.append(current)
            current = []
    if len(current) > 1:
        chains.append(current)
    return chains


def _unframed(content: str) -> str:
    """``content`` with the gateway's own preamble before knowledge-base passages
    blanked (same length: offsets hold): it is an instruction to the model the
    gateway wrote, and the injection check would read it as one. The passages
    after it are read as any text is."""
    if content.startswith(PASSAGES_PREAMBLE):
        return " " * len(PASSAGES_PREAMBLE) + content[len(PASSAGES_PREAMBLE) :]
    return content


def _digit_like(text: str) -> bool:
    """Whether ``text`` holds a digit of any script or a numeral."""
    return any(c.isdigit() or c in NUMERALS for c in text)


def _digit_at_edge(chars: Iterable[str]) -> bool:
    """Whether the first of ``chars`` that is not a separator, a space, a mark
    or an invisible character reads as a digit (any script's, a numeral, O/l)
    — or there is none: a piece of only those (a lone accent, a dash) is one a
    value may run through."""
    for n, char in enumerate(chars):
        if n >= 8:
            return False
        category = unicodedata.category(char)
        if char.isspace() or category[0] in "PZMC" or category in ("Sm", "Sk"):
            continue  # a separator (any punctuation or symbol), a mark, invisible
        return char.isdigit() or char in NUMERALS or char in HOMOGLYPHS or char in "ー一"
    return True


def _forwarded(request: ChatRequest, messages: Sequence[ChatMessage]) -> ChatRequest:
    """What the backend receives: ``messages`` (masked where needed) and the
    request's parameters without the invisible characters detection skipped
    over (zero-width, bidi controls, TAG characters …): a model must not read
    what the guard did not. Masks are placed first, on the original offsets."""
    cleaned = tuple(
        replace(m, content=strip_invisible(m.content), extra=_without_invisible(m.extra))
        for m in messages
    )
    params = _without_invisible(request.params)
    return replace(request, messages=cleaned, params=params)


def _without_invisible(value: Any) -> Any:
    """``value`` (decoded JSON) with ``strip_invisible`` applied to every string."""
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, dict):
        return {_without_invisible(k): _without_invisible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_invisible(v) for v in value]
    return value


def _fields_verdict(decision: Decision) -> Verdict:
    """A block for values in fields that cannot be masked (or that raise the
    request above its backend's grade)."""
    acting = {d.finding.kind for d in decision.decided if d.action.rank >= Action.MASK.rank}
    kinds = tuple(sorted(acting or {d.finding.kind for d in decision.decided}))
    exceeded = tuple(r for r in decision.reasons if r.code is ReasonCode.GRADE_EXCEEDED)
    return Verdict(
        action=Action.BLOCK,
        grade=decision.grade,
        findings=decision.findings,
        reasons=(Reason(ReasonCode.IN_FIELDS, kinds=kinds), *exceeded),
    )


def _merged(texts: Decision, fields: Decision) -> Decision:
    """The messages' decision with what was only warned about in other fields."""
    return Decision(
        action=max(texts.action, fields.action, key=lambda a: a.rank),
        grade=max(texts.grade, fields.grade, key=lambda g: g.rank),
        sent_grade=max(texts.sent_grade, fields.sent_grade, key=lambda g: g.rank),
        decided=texts.decided + fields.decided,
        reasons=texts.reasons + fields.reasons,
    )


def _verdict(decision: Decision, masked_kinds: tuple[str, ...]) -> Verdict:
    return Verdict(
        action=decision.action,
        grade=decision.grade,
        findings=decision.findings,
        reasons=decision.reasons,
        masked_kinds=masked_kinds,
    )


def preview(text: str, finding: Finding, others: Sequence[Finding]) -> str:
    """The text around ``finding`` with every found value replaced by ``[KIND]``."""
    lo = max(0, finding.start - _PREVIEW_CONTEXT)
    hi = min(len(text), finding.end + _PREVIEW_CONTEXT)
    # Widen to whole findings so no value is cut in half and shown partly.
    for f in others:
        if f.start < lo < f.end:
            lo = f.start
        if f.start < hi < f.end:
            hi = f.end
    out: list[str] = []
    cursor = lo
    for f in merge_spans(f for f in others if f.start >= lo and f.end <= hi):
        if f.start < cursor:
            continue
        out.append(text[cursor : f.start])
        out.append(f"[{f.kind}]")
        cursor = f.end
    out.append(text[cursor:hi])
    return ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(text) else "")


def blocked_error(verdict: Verdict, request: ChatRequest) -> GwanmunError:
    """The OpenAI-shaped 400 for a blocked request: kinds, offsets, masked previews."""
    described = []
    codes = {r.code for r in verdict.reasons}
    in_fields = ReasonCode.IN_FIELDS in codes
    for f in verdict.findings:
        text = ""  # offsets index the text the finding came from
        if f.message_index is not None:
            message = request.messages[f.message_index]
            text = _fields_text(message) if in_fields else message.content
        elif in_fields:
            text = _params_text(request)
        same = [g for g in verdict.findings if g.message_index == f.message_index]
        described.append(
            {
                "kind": f.kind,
                "message_index": f.message_index,
                "start": f.start,
                "end": f.end,
                "score": f.score,
                "detector": f.detector,
                "preview": preview(text, f, same),
            }
        )
    kinds = sorted({f.kind for f in verdict.findings})
    details = {"grade": verdict.grade.value, "kinds": kinds, "findings": described}
    # The one place a refusal becomes words for the client (web/errors.py renders the error).
    reason = "; ".join(str(r) for r in verdict.reasons) or "policy blocks this content"
    if ReasonCode.GRADE_EXCEEDED in codes:
        return GradeExceeded(
            f"The request was refused before reaching the model: {reason}.", details=details
        )
    where = ", ".join(
        f"{d['kind']} in "
        + (
            f"message {d['message_index']}"
            if d["message_index"] is not None
            else "the request's " + "/".join(MODEL_VISIBLE_PARAMS)
        )
        + f" at {d['start']}-{d['end']}"
        for d in described[:5]
    )
    return GuardBlocked(
        f"The request was blocked before reaching the model: {reason} ({where}). "
        "Remove the value, or replace it with a placeholder, and send again.",
        details=details,
    )
