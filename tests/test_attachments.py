"""Source documents sent as ``attachments``: one system message for the model,
checked and masked like any message, marked as sources, and limited."""

from __future__ import annotations

import pytest

from gwanmun.audit import MemoryAuditSink
from gwanmun.backends import Router
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.errors import InvalidRequest
from gwanmun.gateway import Gateway
from gwanmun.guard.input import DetectorInputGuard, blocked_error
from gwanmun.guard.output import RestoringOutputGuard
from gwanmun.policy import load_policy
from gwanmun.settings import LimitsConfig
from gwanmun.web.schemas import ChatCompletionBody
from tests.fakes import FakeBackend
from tests.test_gateway import USER

DOC = "민원 처리 지침: 담당자 연락처는 010-2345-6789이며, 처리 기한은 접수일로부터 7일이다."


def body(**extra: object) -> ChatCompletionBody:
    return ChatCompletionBody.model_validate(
        {
            "model": "fake-model",
            "messages": [
                {"role": "system", "content": "공손하게 답하세요."},
                {"role": "user", "content": "처리 기한이 며칠인가요?"},
            ],
            **extra,
        }
    )


def test_attachments_become_one_source_message_after_the_system_prompt() -> None:
    request = body(attachments=[{"name": "지침.hwpx", "text": DOC}]).to_request(LimitsConfig())
    assert [m.role for m in request.messages] == ["system", "system", "user"]
    assert request.sources == (1,)
    assert "[1] 지침.hwpx" in request.messages[1].content and DOC in request.messages[1].content
    assert body().to_request(LimitsConfig()).sources == ()


def test_attachments_are_limited() -> None:
    big = [{"name": "big", "text": "가" * 2000}]
    with pytest.raises(InvalidRequest, match="attachments"):
        body(attachments=big).to_request(LimitsConfig(max_message_chars=1000))
    with pytest.raises(ValueError, match="name"):
        body(attachments=[{"name": "", "text": "x"}])


async def test_values_in_attachments_are_masked_before_the_model() -> None:
    backend = FakeBackend()
    guard = DetectorInputGuard(builtin_detectors(structured_only=True), load_policy())
    gateway = Gateway(
        router=Router([backend]),
        input_guard=guard,
        output_guard=RestoringOutputGuard(),
        audit=MemoryAuditSink(),
        blocked_error=blocked_error,
    )
    request = body(attachments=[{"name": "지침", "text": DOC}]).to_request(LimitsConfig())
    await gateway.handle(request, USER)
    (seen,) = backend.seen
    assert "010-2345-6789" not in seen.messages[1].content
    assert "[PHONE_1]" in seen.messages[1].content and seen.sources == (1,)
