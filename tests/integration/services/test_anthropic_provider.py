"""What only the `anthropic` provider does: system prompt, merged turns, forced tool."""

from __future__ import annotations

import pytest

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.anthropic_provider import EXTRACTION_TOOL, AnthropicProvider
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.service import AIService
from my_flow_api.services.extraction.service import FlowExtraction
from tests.fakes.anthropic_server import FakeAnthropic
from tests.integration.services.support import FAST_RETRY, collect, settings_for, texts

pytestmark = pytest.mark.integration

CONVERSATION = [
    ChatMessage(MessageRole.USER, "Book the dentist for next week."),
    ChatMessage(MessageRole.ASSISTANT, "Sure."),
]
FLOW = {"title": "Book the dentist", "description": None, "priority": "medium", "due_date": None}


def _service(fake: FakeAnthropic, **extra: object) -> tuple[AIService, AnthropicProvider]:
    service = AIService.from_settings(settings_for(fake, **extra), retry=FAST_RETRY)
    assert isinstance(service.provider, AnthropicProvider)
    return service, service.provider


async def test_system_prompt_goes_in_system_and_turns_are_merged(
    fake_anthropic: FakeAnthropic,
) -> None:
    service, _ = _service(fake_anthropic, AI_MAX_OUTPUT_TOKENS=222)
    messages = [
        Message(role=MessageRole.SYSTEM, content="Answer briefly."),
        Message(role=MessageRole.USER, content="Hi"),
        Message(role=MessageRole.USER, content="Are you there?"),
        Message(role=MessageRole.ASSISTANT, content="Yes."),
        Message(role=MessageRole.USER, content="Plan my day"),
    ]
    try:
        await collect(service.stream_chat(messages, "ctx-1"))
    finally:
        await service.aclose()
    request = fake_anthropic.requests[0]
    body = request.json()
    assert request.path == "/v1/messages"
    credentials = {request.headers.get("x-api-key"), request.headers.get("authorization")}
    assert credentials & {FakeAnthropic.api_key, f"Bearer {FakeAnthropic.api_key}"}
    assert "anthropic-version" in request.headers
    assert body["stream"] is True
    assert body["max_tokens"] == 222
    assert body["temperature"] == 0.7
    assert body["system"].startswith("You are the assistant inside My Flow")
    assert body["system"].endswith("Answer briefly.")
    assert body["messages"] == [
        {"role": "user", "content": "Hi\n\nAre you there?"},
        {"role": "assistant", "content": "Yes."},
        {"role": "user", "content": "Plan my day"},
    ]


async def test_a_model_rejecting_temperature_is_asked_again_without_it(
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(tokens=["fine"], reject_fields=["temperature"])
    service, provider = _service(fake_anthropic)
    try:
        first = await collect(
            service.stream_chat([Message(role=MessageRole.USER, content="x")], "c")
        )
        second = await collect(
            service.stream_chat([Message(role=MessageRole.USER, content="y")], "c")
        )
    finally:
        await service.aclose()
    assert texts(first) == texts(second) == ["fine"]
    sent = ["temperature" in r.json() for r in fake_anthropic.requests]
    assert sent == [True, False, False]
    assert provider.unsupported == {"temperature"}


async def test_extraction_forces_a_strict_tool_call(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(extraction={"flows": [FLOW]})
    service, _ = _service(fake_anthropic)
    try:
        flows = await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-3")
    finally:
        await service.aclose()
    assert [(f.title, f.context_id) for f in flows] == [("Book the dentist", "ctx-3")]
    body = fake_anthropic.requests[0].json()
    assert "stream" not in body
    assert body["temperature"] == 0.3
    assert body["tool_choice"]["type"] == "tool"
    assert body["tool_choice"]["name"] == EXTRACTION_TOOL
    (tool,) = body["tools"]
    assert tool["strict"] is True
    assert tool["input_schema"]["required"] == ["flows"]
    assert "<conversation-" in body["messages"][0]["content"]


async def test_extraction_without_strict_tools_support_retries_without_strict(
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(extraction={"flows": [FLOW]}, reject_fields=["strict"])
    service, provider = _service(fake_anthropic)
    try:
        flows = await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-3")
    finally:
        await service.aclose()
    assert [f.title for f in flows] == ["Book the dentist"]
    assert provider.unsupported == {"strict"}
    assert ["strict" in r.json()["tools"][0] for r in fake_anthropic.requests] == [True, False]


async def test_a_model_answering_text_instead_of_the_tool_still_parses(
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(extraction='Sure! {"flows": [{"title": "Book the dentist"}]}')
    service, _ = _service(fake_anthropic)
    try:
        flows = await FlowExtraction(service.provider).extract(CONVERSATION, "ctx-3")
    finally:
        await service.aclose()
    assert [f.title for f in flows] == ["Book the dentist"]


async def test_an_unrelated_bad_request_is_not_retried(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(fail_status=400)
    service, provider = _service(fake_anthropic)
    try:
        with pytest.raises(AIConfigurationError):
            await collect(service.stream_chat([Message(role=MessageRole.USER, content="x")], "c"))
    finally:
        await service.aclose()
    assert provider.unsupported == set()
    assert len(fake_anthropic.requests) == 1
