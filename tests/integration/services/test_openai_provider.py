"""What only the `openai` provider does: its request shape, output-mode fallback (the
ladder itself: `test_json_modes.py`)."""

from __future__ import annotations

import time

import pytest

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.json_modes import JsonMode, ModeMemory
from my_flow_api.services.ai.openai_provider import OpenAIProvider
from my_flow_api.services.ai.service import AIService
from my_flow_api.services.extraction.service import FlowExtraction
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.services.support import FAST_RETRY, collect, settings_for, texts

pytestmark = pytest.mark.integration

CONVERSATION = [
    ChatMessage(MessageRole.USER, "I must renew my passport before June."),
    ChatMessage(MessageRole.ASSISTANT, "Noted."),
]
FLOW = {"title": "Renew passport", "description": None, "priority": "high", "due_date": None}


def _service(fake: FakeOpenAI, **extra: object) -> AIService:
    return AIService.from_settings(settings_for(fake, **extra), retry=FAST_RETRY)


async def test_stream_request_carries_system_prompt_usage_option_and_limits(
    fake_openai: FakeOpenAI,
) -> None:
    service = _service(fake_openai, AI_MAX_OUTPUT_TOKENS=321)
    messages = [
        Message(role=MessageRole.SYSTEM, content="Answer in French."),
        Message(role=MessageRole.USER, content="Hi"),
        Message(role=MessageRole.ASSISTANT, content="Salut"),
        Message(role=MessageRole.USER, content="Plan my day"),
    ]
    try:
        await collect(service.stream_chat(messages, "ctx-1", context_name="Work"))
    finally:
        await service.aclose()
    request = fake_openai.chat_requests[0]
    body = request.json()
    assert request.headers["authorization"] == f"Bearer {FakeOpenAI.api_key}"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 321
    assert body["model"] == "gpt-fake"
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "system", "user", "assistant", "user"]
    assert "My Flow" in body["messages"][0]["content"]
    assert '"Work"' in body["messages"][0]["content"]
    assert [m["content"] for m in body["messages"][1:]] == [m.content for m in messages]


async def test_contentless_and_empty_deltas_produce_no_chunks(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(tokens=[None, "a", "", None, "b"])
    service = _service(fake_openai)
    try:
        chunks = await collect(
            service.stream_chat([Message(role=MessageRole.USER, content="x")], "c")
        )
    finally:
        await service.aclose()
    assert texts(chunks) == ["a", "b"]
    assert len(chunks) == 3


async def test_a_server_slow_to_close_after_done_does_not_delay_the_answer(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(tokens=["all", " here"], linger=30)
    service = _service(fake_openai)
    started = time.monotonic()
    try:
        chunks = await collect(
            service.stream_chat([Message(role=MessageRole.USER, content="x")], "c")
        )
    finally:
        await service.aclose()
    assert texts(chunks) == ["all", " here"]
    assert chunks[-1].finish_reason == "stop"
    assert time.monotonic() - started < 5


async def test_extraction_uses_strict_json_schema(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(extraction={"flows": [FLOW]})
    service = _service(fake_openai)
    try:
        flows = await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-9")
    finally:
        await service.aclose()
    assert [(f.title, f.priority, f.context_id) for f in flows] == [
        ("Renew passport", FlowPriority.HIGH, "ctx-9")
    ]
    body = fake_openai.chat_requests[0].json()
    assert body["temperature"] == 0.3
    assert "stream" not in body
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["flows"]


async def test_server_rejecting_schemas_falls_back_to_json_mode_and_remembers(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(extraction={"flows": [FLOW]}, refuse_formats=("json_schema",))
    provider = OpenAIProvider(settings_for(fake_openai), modes=ModeMemory())
    service = AIService(provider, retry=FAST_RETRY)
    try:
        first = await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-1")
        second = await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-1")
    finally:
        await service.aclose()
    assert [f.title for f in first] == [f.title for f in second] == ["Renew passport"]
    kinds = [r.json()["response_format"]["type"] for r in fake_openai.chat_requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert provider.json_mode is JsonMode.JSON_OBJECT


async def test_a_server_rejecting_every_mode_is_a_configuration_error(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(fail_status=400)
    provider = OpenAIProvider(settings_for(fake_openai), modes=ModeMemory())
    service = AIService(provider, retry=FAST_RETRY)
    try:
        with pytest.raises(AIConfigurationError):
            await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-1")
    finally:
        await service.aclose()
    assert provider.json_mode is JsonMode.JSON_SCHEMA, "nothing learnt when nothing worked"
    assert len(fake_openai.chat_requests) == 3
