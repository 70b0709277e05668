"""Every text field of one answer through the output guard.  [pure]

A model writes text in more places than ``content``: its reasoning, a refusal,
the names and arguments of the tools it calls. Each of these is a text of its
own and goes through an output session of its own (hold-back, leak re-scan,
checks, restore), opened when the field first appears. A stop in any of them
stops the answer.

Log-probabilities repeat the content token by token, so they are released only
in step with it: an entry goes out once the content delivered so far is the
model's own text up to and including that token. From the first character where
the delivered content differs from the model's (a leak masked, a placeholder
restored, a copy masked), no more entries are released for that answer: a
token would show what the mask hid. Alternatives the model did not choose are
never carried (``gwanmun.completion.TokenLogprob``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace

from gwanmun.completion import Completion, Delta, TokenLogprob, ToolCall
from gwanmun.guard.base import OutputReport, OutputSession

CONTENT = "content"
REASONING = "reasoning"
REFUSAL = "refusal"


def tool_name(index: int) -> str:
    return f"tool_calls[{index}].function.name"


def tool_arguments(index: int) -> str:
    return f"tool_calls[{index}].function.arguments"


class AnswerGuard:
    """One answer's output sessions, by field; never shared between requests."""

    def __init__(self, open_session: Callable[[str | None], OutputSession]) -> None:
        """``open_session(part)`` opens the output guard's session for a field
        (``None``: the content)."""
        self._open = open_session
        self.content = open_session(None)
        self._parts: dict[str, OutputSession] = {}
        self._tools: list[int] = []  # tool-call indexes in the order they came
        self._logprobs = _LogprobGate()

    # --- streaming ------------------------------------------------------------

    def feed(self, delta: Delta) -> Delta:
        """The guarded part of ``delta`` that may be delivered now; at a finish
        reason, everything still held. Raises ``OutputBlocked`` on a stop."""
        self._logprobs.add(delta.logprobs)
        content = self.content.feed(delta.content) if delta.content else ""
        reasoning = self._feed(REASONING, delta.reasoning)
        refusal = self._feed(REFUSAL, delta.refusal)
        calls: dict[int, tuple[str, str]] = {}
        for call in delta.tool_calls:
            if call.index not in self._tools:
                self._tools.append(call.index)
            name = self._feed(tool_name(call.index), call.name)
            arguments = self._feed(tool_arguments(call.index), call.arguments)
            calls[call.index] = _joined(calls.get(call.index), name, arguments)
        guarded = Delta(
            content=content,
            reasoning=reasoning,
            refusal=refusal,
            tool_calls=_calls(calls),
            logprobs=self._logprobs.release(delta.content, content),
            finish_reason=delta.finish_reason,
            usage=delta.usage,
        )
        if delta.finish_reason is None:
            return guarded
        return _merge(guarded, self.finish())

    def finish(self) -> Delta:
        """Everything every field still holds (the answer is over)."""
        content = self.content.finish()
        reasoning = self._finish(REASONING)
        refusal = self._finish(REFUSAL)
        calls = {
            i: (self._finish(tool_name(i)), self._finish(tool_arguments(i))) for i in self._tools
        }
        return Delta(
            content=content,
            reasoning=reasoning,
            refusal=refusal,
            tool_calls=_calls(calls),
            logprobs=self._logprobs.release("", content),
        )

    # --- a whole answer -------------------------------------------------------

    def complete(self, answer: Completion) -> Completion:
        """The guarded whole answer (raises ``OutputBlocked`` on a stop)."""
        if answer.logprobs is not None:
            self._logprobs.add(answer.logprobs)
        content = None
        if answer.content is not None:
            content = self.content.feed(answer.content) + self.content.finish()
        calls = tuple(
            ToolCall(
                index=call.index,
                name=self._whole(tool_name(call.index), call.name),
                arguments=self._whole(tool_arguments(call.index), call.arguments),
            )
            for call in answer.tool_calls
        )
        logprobs = None
        if answer.logprobs is not None:
            released = self._logprobs.release(answer.content or "", content or "")
            logprobs = released if self._logprobs.open else None
        return replace(
            answer,
            content=content,
            reasoning=self._whole(REASONING, answer.reasoning),
            refusal=self._whole(REFUSAL, answer.refusal),
            tool_calls=calls,
            logprobs=logprobs,
        )

    # --- findings -------------------------------------------------------------

    def report(self) -> OutputReport:
        """The content's report, with every other field's findings (``part`` set)."""
        main = self.content.report()
        findings = list(main.findings)
        stop = main.stop
        for part, session in self._parts.items():
            other = session.report()
            findings.extend(replace(f, part=part) for f in other.findings)
            stop = stop or other.stop
        return replace(main, findings=tuple(findings), stop=stop)

    # --- parts ----------------------------------------------------------------

    def _session(self, part: str) -> OutputSession:
        session = self._parts.get(part)
        if session is None:
            session = self._parts[part] = self._open(part)
        return session

    def _feed(self, part: str, text: str) -> str:
        return self._session(part).feed(text) if text else ""

    def _finish(self, part: str) -> str:
        session = self._parts.get(part)
        return session.finish() if session is not None else ""

    def _whole(self, part: str, text: str) -> str:
        if not text:
            return ""
        session = self._session(part)
        return session.feed(text) + session.finish()


class _LogprobGate:
    """Releases log-probability entries in step with the delivered content."""

    def __init__(self) -> None:
        self.open = True
        self._queue: deque[TokenLogprob] = deque()
        self._model = ""  # the model's content so far
        self._shown = ""  # the content delivered so far
        self._covered = 0  # characters of ``_shown`` the released tokens spell

    def add(self, entries: tuple[TokenLogprob, ...]) -> None:
        if self.open:
            self._queue.extend(entries)

    def release(self, model: str, shown: str) -> tuple[TokenLogprob, ...]:
        if not self.open:
            return ()
        at = len(self._shown)
        self._model += model
        self._shown += shown
        if self._model[at : at + len(shown)] != shown:
            self.open = False  # the delivered text is no longer the model's own
            self._queue.clear()
            return ()
        out = []
        while self._queue:
            token = self._queue[0].token
            end = self._covered + len(token)
            if end > len(self._shown) or self._shown[self._covered : end] != token:
                break
            out.append(self._queue.popleft())
            self._covered = end
        return tuple(out)


def _joined(before: tuple[str, str] | None, name: str, arguments: str) -> tuple[str, str]:
    if before is None:
        return name, arguments
    return before[0] + name, before[1] + arguments


def _calls(parts: dict[int, tuple[str, str]]) -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(index=i, name=name, arguments=arguments)
        for i, (name, arguments) in parts.items()
        if name or arguments
    )


def _merge(first: Delta, then: Delta) -> Delta:
    calls: dict[int, tuple[str, str]] = {}
    for call in (*first.tool_calls, *then.tool_calls):
        calls[call.index] = _joined(calls.get(call.index), call.name, call.arguments)
    return replace(
        first,
        content=first.content + then.content,
        reasoning=first.reasoning + then.reasoning,
        refusal=first.refusal + then.refusal,
        tool_calls=_calls(calls),
        logprobs=first.logprobs + then.logprobs,
    )
